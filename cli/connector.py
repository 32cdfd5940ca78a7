"""The signing connector's commands: enrol a course's participants, see where signing stands,
save a signed consent form."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.refusals import REFUSED, read_file, refused
from consent import staff_actions
from consent.bootstrap import bootstrap, staff_services
from consent.enrolment_views import EnrolmentStatus
from consent.errors import NotFound
from consent.import_files import file_kind
from consent.staff import COMMAND_LINE


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``vst-consent signing …``."""
    signing = commands.add_parser("signing", help="consent signing through Visma Sign")
    actions = signing.add_subparsers(required=True, metavar="ACTION")
    command = actions.add_parser(
        "enrol",
        help="invite a course's participants (or their guardians) to sign: XLSX, CSV or JSON "
        "with "
        "hetu, first_names, last_name, email/phone, and guardian_* for minors",
    )
    command.add_argument("course")
    command.add_argument("file", type=Path)
    command.set_defaults(run=_enrol)
    command = actions.add_parser("status", help="where each participant's signing stands")
    command.add_argument("course")
    command.set_defaults(run=_status)
    command = actions.add_parser("pdf", help="save a signed consent form")
    command.add_argument("enrolment", type=int)
    command.add_argument("out", type=Path)
    command.set_defaults(run=_pdf)


def _enrol(args: argparse.Namespace) -> int:
    content, kind = read_file(args.file), file_kind(filename=args.file.name)
    # As ever, the command enrols whether or not the web's connector is on, and on a course
    # not defined here yet: the consent form then names it by its code.
    staff = staff_services(bootstrap(), enrolling=True)
    try:
        enrolled = staff_actions.enrol(
            staff, args.course, content, kind, COMMAND_LINE, defined_course=False
        )
    except REFUSED as error:
        return refused(error)
    print(f"{enrolled.new} enrolled and being invited, {enrolled.known} enrolled before")
    return 0


def _status(args: argparse.Namespace) -> int:
    staff = staff_services(bootstrap(), enrolling=True)
    rows = staff_actions.enrolments(staff, args.course, defined_course=False)
    if not rows:
        print(f"nobody enrolled on {args.course!r}")
        return 0
    for row in rows:
        print(_status_line(row))
    return 0


def _status_line(row: EnrolmentStatus) -> str:
    """One enrolment as ``signing status`` prints it: id, masked participant, who signs,
    state, why it was not signed, whether its event is posted, the signing link."""
    who = "guardian" if row.guardian_signs else "self"
    outcome = row.outcome_reason or ""
    posted = "event posted" if row.event_posted else ""
    return (
        f"{row.enrolment_id:>6} {row.participant.hetu} signs:{who:<8} {row.state.value:<9}"
        f" {outcome:<9} {posted:<12} {row.signing_url or ''}"
    )


def _pdf(args: argparse.Namespace) -> int:
    try:
        pdf = bootstrap().enrolments.signed_pdf(args.enrolment)
    except NotFound:
        pdf = None
    if pdf is None:
        print(f"no signed form for enrolment {args.enrolment}", file=sys.stderr)
        return 1
    args.out.write_bytes(pdf)
    print(f"signed consent form saved to {args.out}")
    return 0
