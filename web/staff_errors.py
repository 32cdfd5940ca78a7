"""The one table of staff refusals: every domain error a staff action raises, and how the
staff API (a problem: status and detail) and the staff pages (a text and a status) answer it.

Each side registers one handler over :data:`REFUSALS` (:func:`register_problems` for the
API; the pages' in :mod:`web.staff_pages.refusals`), so no view catches these itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from flask import Blueprint, Response

from consent.errors import (
    ConnectorOff,
    ConsentNotRecorded,
    CourseRejected,
    IdentifiedByHetu,
    InvalidCourse,
    NotFound,
    NothingToRetry,
    NotInvalidatable,
    NotInvalidated,
    OppilaitosLocked,
    ResultBeingSent,
    UnknownCourse,
    UnknownInvalidationReason,
    UnknownRemovalReason,
    UploadExpired,
)
from consent.import_files import SHOWN_ERRORS, EnrolmentRejected, ImportRejected
from web.problems import problem

GO_BACK: Final = 302  # a page status: the text is flashed on the page the action came from
# An unknown course's 404 quotes no code: the address is the caller's and may hold anything.
NO_SUCH_COURSE: Final = "No such course."
COURSE_NOT_VALID: Final = "The course is not valid."
OPPILAITOS_LOCKED: Final = "The oppilaitos cannot change while KOSKI holds records of the course."


@dataclass(frozen=True)
class Refusal:
    """How one domain error is answered."""

    status: int  # the API's (an import the file of which is wrong as a whole: 400)
    detail: str | None  # the problem's; None: the error's own message, which quotes no value
    page: str  # the pages' text (a key of web.staff_pages.texts)
    page_status: int = 404  # GO_BACK, or the status of an error page saying ``page``


REFUSALS: Final[Mapping[type[Exception], Refusal]] = {
    UnknownCourse: Refusal(404, NO_SUCH_COURSE, "not_found"),
    NotFound: Refusal(404, None, "not_found"),
    ConnectorOff: Refusal(404, "The signing connector is not configured.", "not_found"),
    NotInvalidatable: Refusal(409, None, "not_found", GO_BACK),
    UnknownInvalidationReason: Refusal(422, None, "need_reason", 400),
    NothingToRetry: Refusal(409, None, "not_retried", GO_BACK),
    NotInvalidated: Refusal(409, None, "not_sent_again", GO_BACK),
    UploadExpired: Refusal(409, None, "upload_expired", GO_BACK),
    CourseRejected: Refusal(400, COURSE_NOT_VALID, "fix_errors", 400),
    InvalidCourse: Refusal(422, COURSE_NOT_VALID, "fix_errors", 400),
    OppilaitosLocked: Refusal(409, OPPILAITOS_LOCKED, "oppilaitos_locked", 409),
    ImportRejected: Refusal(422, "Nothing was imported.", "preview_errors", 400),
    EnrolmentRejected: Refusal(422, "Nobody was enrolled.", "preview_errors", 400),
    UnknownRemovalReason: Refusal(422, None, "need_reason", 400),
    ResultBeingSent: Refusal(409, None, "result_being_sent", GO_BACK),
    IdentifiedByHetu: Refusal(422, None, "identified_by_hetu", 422),
    ConsentNotRecorded: Refusal(422, "Nothing was recorded.", "consent_not_recorded", 400),
}


def refusal(error: Exception) -> Refusal:
    """The entry of ``error``'s class, or of the nearest class it derives from."""
    return next(REFUSALS[kind] for kind in type(error).__mro__ if kind in REFUSALS)


def as_problem(error: Exception) -> Response:
    """The API's answer to a refusal: its problem, with the fields or rows at fault.

    A file wrong as a whole (``(file)``: not UTF-8, not JSON, no rows, too many) is a 400;
    one that reads as rows but whose header or rows break rules a 422, as the OpenAPI
    document says: a schema can state the first, not the second."""
    entry = refusal(error)
    status = entry.status
    if isinstance(error, ImportRejected):
        status = 400 if error.whole_file else status
        rows = [{"row": e.row, "field": e.field, "reason": e.reason} for e in error.errors]
        return problem(status, entry.detail or str(error), errors=rows[:SHOWN_ERRORS])
    if isinstance(error, CourseRejected):
        return problem(status, entry.detail or str(error), errors=error.problems)
    if isinstance(error, ConsentNotRecorded):
        fields = [{"field": error.field, "reason": error.reason}]
        return problem(status, entry.detail or str(error), errors=fields)
    if isinstance(error, InvalidCourse):
        fields = [{"field": error.field, "reason": error.reason}]
        return problem(status, entry.detail or str(error), errors=fields)
    return problem(status, entry.detail or str(error))


def register_problems(bp: Blueprint) -> None:
    """Answer every refusal raised in ``bp``'s views as its problem."""
    for kind in REFUSALS:
        bp.register_error_handler(kind, as_problem)
