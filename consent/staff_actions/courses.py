"""Staff actions on course definitions: save one (from a JSON document or a checked form),
and read them to show or act on."""

from __future__ import annotations

from typing import Any

from consent.courses import Course, parse_course
from consent.errors import CourseRejected, InvalidCourse, OppilaitosLocked, UnknownCourse
from consent.staff import Actor
from consent.staff_actions.services import StaffServices
from consent.strict_json import StrictJsonError, loads_strict
from schemas import schema_problems


def course(services: StaffServices, code: str) -> Course:
    """The course with this code; :class:`UnknownCourse` if there is none."""
    found = services.courses.find_course(code)
    if found is None:
        raise UnknownCourse(code)
    return found


def courses(services: StaffServices) -> list[Course]:
    """Every course, the latest ending first."""
    return services.courses.courses()


def save_course(services: StaffServices, checked: Course, actor: Actor) -> Course:
    """Create or update a course (its parts replaced), audited in the actor's name; every
    way of defining a course ends here.

    A change binds the course's results again, so each record whose payload changed is
    sent again (the correction OPH asks for) and none whose payload did not; an invalidated
    record stays so until staff send it again.
    :class:`OppilaitosLocked` for a new oppilaitos while KOSKI holds records of the course
    (KOSKI refuses that update), changing nothing."""
    previous = services.courses.find_course(checked.code)
    moved = previous is not None and previous.oppilaitos_oid != checked.oppilaitos_oid
    if moved and services.courses.live_records(checked.code):
        raise OppilaitosLocked()
    services.courses.save_course(checked, actor.audit_name)
    if previous is not None and previous != checked:
        services.jobs.enqueue_result_bindings(services.courses.results_to_correct(checked.code))
    return checked


def save_course_document(
    services: StaffServices, body: bytes, actor: Actor, code: str | None = None
) -> Course:
    """Save the course a JSON document describes (the API's body, the CLI's file), read as
    strict JSON: no lone surrogate, NUL, huge integer or deep nesting gets any further.

    :class:`CourseRejected` when it is not strict JSON or breaks the course schema;
    :class:`InvalidCourse` when it is well-formed but against a rule no schema states: its
    code differs from ``code`` (the one in the address, if any), or its parts do not add up."""
    try:
        document: Any = loads_strict(body)  # JSON enters here
    except StrictJsonError as error:
        raise CourseRejected([{"field": "(body)", "reason": str(error)}]) from None
    if problems := schema_problems("course", document):
        raise CourseRejected(problems)
    if code is not None and document["code"] != code:
        raise InvalidCourse("code", "differs from the code in the address")
    return save_course(services, parse_course(document), actor)
