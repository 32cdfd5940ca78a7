"""A file a staff page's form uploaded (results, enrolments): its bytes and its kind."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from consent.import_files import FileKind, file_kind


@dataclass(frozen=True)
class Upload:
    """An uploaded file's content, and its kind as its name tells (``*.json``, else CSV)."""

    content: bytes
    kind: FileKind


def uploaded() -> Upload | None:
    """The file the form sent as ``file``; None when none was chosen (a browser then sends
    an empty part with no name), which each page answers in its own way."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return Upload(upload.read(), file_kind(filename=upload.filename))
