"""Staff actions on a course's results: import a file at once (the API, the CLI), or check
it first and confirm the import of what was checked (the pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from consent import grading
from consent.courses import Course
from consent.duplicates import DuplicateWarning, import_warnings
from consent.errors import UploadExpired
from consent.grading import ImportSummary
from consent.import_files import read_rows
from consent.results import ImportedResult, check_rows, result_columns
from consent.staff import Actor
from consent.staff_actions.courses import course
from consent.staff_actions.services import StaffServices


@dataclass(frozen=True)
class Preview:
    """What importing a checked file into ``course`` would do (``new``, ``changed``,
    ``unchanged``), and the id it is held by until staff confirm it."""

    course: Course
    counts: dict[str, int]
    upload_id: str
    warnings: tuple[DuplicateWarning, ...] = ()  # rows KOSKI would refuse as duplicates


def import_results(
    services: StaffServices, code: str, content: bytes, kind: str, actor: Actor
) -> ImportSummary:
    """Import a results file (``kind`` as :func:`consent.import_files.file_kind` tells) all
    or nothing, and queue the binding of what is new or changed.

    :class:`UnknownCourse` for no such course; :class:`ImportRejected` naming every problem."""
    return _import(services, course(services, code), content, kind, actor)


def preview_results(
    services: StaffServices, code: str, content: bytes, kind: str, actor: Actor
) -> Preview:
    """Check a results file and hold it for the actor, changing nothing else; what its
    import would do. The same errors as :func:`import_results`."""
    checked_course = course(services, code)
    rows = read_rows(content, kind, result_columns(checked_course), services.sheets)
    today = services.clock().date()
    checked = check_rows(rows, checked_course, today, services.allow_temporary_hetu)
    counts = services.results.preview_results(code, checked)
    upload_id = services.pending.hold(code, kind, content, actor.audit_name)
    return Preview(checked_course, counts, upload_id, duplicates(services, checked_course, checked))


def duplicates(
    services: StaffServices, checked_course: Course, checked: Sequence[ImportedResult]
) -> tuple[DuplicateWarning, ...]:
    """The checked rows whose record KOSKI would refuse as a duplicate of the same person's
    record of another course (same oppilaitos, opintokokonaisuus and day): warned of, not
    refused, since the other record may be the one to correct."""
    hetus = [result.hetu for result in checked if result.hetu is not None]  # KOSKI's by hetu
    held = services.records.live_records(
        hetus, checked_course.oppilaitos_oid, checked_course.opintokokonaisuus
    )
    return tuple(import_warnings(checked_course, checked, held))


def confirm_results(
    services: StaffServices, code: str, upload_id: str, actor: Actor
) -> ImportSummary:
    """Import the file the actor checked a moment ago, as :func:`import_results` does.

    :class:`UploadExpired` when it is no longer held; :class:`ImportRejected` when it no
    longer passes (a day passed), in which case it is still held."""
    checked_course = course(services, code)
    held = services.pending.take(upload_id[:36], code, actor.audit_name)
    if held is None:
        raise UploadExpired()
    kind, content = held
    summary = _import(services, checked_course, content, kind, actor)
    services.pending.forget(upload_id)
    return summary


def _import(
    services: StaffServices, checked_course: Course, content: bytes, kind: str, actor: Actor
) -> ImportSummary:
    rows = read_rows(content, kind, result_columns(checked_course), services.sheets)
    today = services.clock().date()
    summary = grading.import_results(
        checked_course,
        rows,
        services.results,
        services.jobs,
        today=today,
        actor=actor.audit_name,
        allow_temporary=services.allow_temporary_hetu,
    )
    checked = check_rows(rows, checked_course, today, services.allow_temporary_hetu)
    return replace(summary, warnings=duplicates(services, checked_course, checked))
