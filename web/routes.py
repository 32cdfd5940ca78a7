"""Route pieces the API and the staff pages share."""

from __future__ import annotations

import json
from importlib import resources
from typing import Final

from werkzeug.routing import BaseConverter

from consent.hetu import HETU_SHAPE

# A row id in an address: a BIGINT at most, so a longer number is a 404, not a database error.
ROW_ID: Final = "int(max=9223372036854775807)"
# A course code in an address, as the course schema defines it: anything else (a NUL byte,
# which PostgreSQL refuses in text, a newline, a slash) is a 404 before the database is asked.
COURSE_CODE: Final = "course_code"
UPLOAD_ID: Final = "upload_id"  # a results file held for confirmation; likewise


def _code_pattern() -> str:
    """The course schema's pattern for a code, without its anchors (routing adds its own)."""
    text = resources.files("schemas").joinpath("course.schema.json").read_text("utf-8")
    pattern: str = json.loads(text)["properties"]["code"]["pattern"]
    return pattern.removeprefix("^").removesuffix("$")


class CourseCodeConverter(BaseConverter):
    """Matches a course code only (``<course_code:code>``): one holding a hetu's shape, which
    no course may have, does not match either, so such an address is a 404 (never a page or
    an answer quoting it).

    The hetu check is a lookahead in the pattern, not a ``to_python`` refusal: a rule refused
    there still lets a sibling rule of another method make the address a 405.
    """

    regex = f"(?!(?ai:[^/]*{HETU_SHAPE.pattern})){_code_pattern()}"
    part_isolating = True


class UploadIdConverter(BaseConverter):
    """Matches a held upload's id, a UUID as :meth:`SqlPendingImports.hold` makes it
    (``<upload_id:upload_id>``)."""

    regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    part_isolating = True


CONVERTERS: Final = {COURSE_CODE: CourseCodeConverter, UPLOAD_ID: UploadIdConverter}
