"""Staff commands: courses, result imports, status, invalidation and revocation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import accounts
from cli import consents as recorded_consents
from cli.refusals import REFUSED, read_file, refused
from consent import staff_actions
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.bootstrap import bootstrap, staff_services
from consent.config import Settings
from consent.errors import UnknownCourse
from consent.grading import INVALIDATION_REASONS
from consent.import_files import file_kind
from consent.model import SubmissionState
from consent.staff import COMMAND_LINE, Actor, Role
from consent.staff_actions import StaffServices
from consent.views import ParticipantStatus, status_json, unknown_course_json


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the staff commands on the ``vst-consent`` parser."""
    courses = commands.add_parser("courses", help="course definitions").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = courses.add_parser("import", help="create or update a course from a JSON file")
    command.add_argument("file", type=Path)
    command.set_defaults(run=_import_course)

    results = commands.add_parser("results", help="grading sync").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = results.add_parser(
        "import", help="import a course's results (XLSX, CSV or JSON), all or nothing"
    )
    command.add_argument("course")
    command.add_argument("file", type=Path)
    command.set_defaults(run=_import_results)

    command = commands.add_parser(
        "status",
        help="per participant, masked: consent, result, KOSKI state (one person in full: "
        "person status)",
    )
    command.add_argument("course")
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=_status)

    koski = commands.add_parser("koski", help="KOSKI records").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = koski.add_parser("invalidate", help="invalidate (mitätöi) a record sent by mistake")
    command.add_argument("submission", type=int)
    command.add_argument(
        "--reason", choices=INVALIDATION_REASONS, help="why (a code, kept in the audit trail)"
    )
    command.add_argument("--by", help="who asks for it (staff name), for the audit trail")
    command.set_defaults(run=_invalidate)
    command = koski.add_parser("retry", help="send a parked or failed record again")
    command.add_argument("submission", type=int, nargs="?")
    command.add_argument("--course", help="every parked or failed record of this course")
    command.add_argument("--by", help="who asks for it (staff name), for the audit trail")
    command.set_defaults(run=_retry)
    command = koski.add_parser("send-again", help="send an invalidated record anew")
    command.add_argument("submission", type=int)
    command.add_argument("--by", help="who asks for it (staff name), for the audit trail")
    command.set_defaults(run=_send_again)

    tokens = commands.add_parser("staff", help="staff tokens and accounts").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = tokens.add_parser(
        "token-create", help="create a token (shown once) for a staff member"
    )
    command.add_argument("name")
    command.add_argument("--role", choices=[r.value for r in Role], default=Role.STAFF.value)
    command.set_defaults(run=_token_create)
    command = tokens.add_parser("token-revoke", help="revoke a staff member's token")
    command.add_argument("name")
    command.set_defaults(run=_token_revoke)
    accounts.add_commands(tokens)

    consents = commands.add_parser("consents", help="consents").add_subparsers(
        required=True, metavar="ACTION"
    )
    command = consents.add_parser(
        "revoke", help="register a revocation OPH told you of; never sent again"
    )
    command.add_argument("consent", type=int)
    command.add_argument("--by", required=True, help="who registers it (staff name or id)")
    command.set_defaults(run=_revoke)
    command = consents.add_parser(
        "unknown", help="consents for a course code no course has yet (they bind once it is)"
    )
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=_unknown_courses)
    recorded_consents.add_record_command(consents)


def _import_course(args: argparse.Namespace) -> int:
    try:
        course = staff_actions.save_course_document(_staff(), read_file(args.file), COMMAND_LINE)
    except REFUSED as error:
        return refused(error)
    print(
        f"course {course.code} saved: {len(course.effective_parts)} part(s), {course.laajuus_op} op"
    )
    return 0


def _import_results(args: argparse.Namespace) -> int:
    content, kind = read_file(args.file), file_kind(filename=args.file.name)
    try:
        summary = staff_actions.import_results(_staff(), args.course, content, kind, COMMAND_LINE)
    except REFUSED as error:
        return refused(error)
    print(f"imported: {summary.changed} new or changed, {summary.unchanged} unchanged")
    for warning in summary.warnings:
        print(f"warning: row {warning.row}: {warning.reason}")
    return 0


def _status(args: argparse.Namespace) -> int:
    try:
        rows = bootstrap(Settings.from_env()).status.course_status(args.course)
    except UnknownCourse as error:
        print(error, file=sys.stderr)
        return 1
    print_status(rows, as_json=args.json)
    return 0


def print_status(rows: list[ParticipantStatus], *, as_json: bool) -> None:
    """A course's status rows as JSON, or as a table of a line per row."""
    if as_json:
        print(json.dumps([status_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    print(
        f"{'result':>6}  {'hetu':<11}  {'name':<14}  {'consent':<10}  {'binding':<17}  "
        f"{'KOSKI':<11}  oid / errors"
    )
    for row in rows:
        print(_status_line(row))


def _status_line(row: ParticipantStatus) -> str:
    consent = row.consent.state.value if row.consent else "-"
    sub = row.submission
    state = sub.state.value if sub else "-"
    detail = "  ".join(_details(row))
    name, result_id = row.participant.name[:14], row.result_id or "-"  # "-": not assessed yet
    return (
        f"{result_id:>6}  {row.participant.hetu:<11}  {name:<14}  {consent:<10}  "
        f"{row.binding:<17}  {state:<11}  {detail}"
    )


def _actor(args: argparse.Namespace) -> Actor:
    """Who the audit trail names: the staff member ``--by`` names, else ``cli``."""
    return Actor.staff(args.by) if args.by else COMMAND_LINE


def _details(row: ParticipantStatus) -> list[str]:
    """What the last column says of a row: the oid or KOSKI's keys, then why it is in doubt."""
    sub = row.submission
    details = [(sub.oid or ",".join(sub.last_error_keys or ()))] if sub else []
    if sub and sub.attention:  # a live record in doubt: say why
        details.append(f"attention: {sub.attention}")
    if row.collides_with:
        details.append(f"duplicate of the record of course {row.collides_with}")
    if row.consent and row.consent.signed_after_end:
        details.append("consent signed after the course ended")
    return [d for d in details if d]


def _invalidate(args: argparse.Namespace) -> int:
    try:
        state = staff_actions.invalidate(_staff(), args.submission, _actor(args), args.reason)
    except REFUSED as error:
        return refused(error)
    print(f"submission {args.submission}: {state.value}")
    return 0 if state is SubmissionState.INVALIDATED else 1


def _retry(args: argparse.Namespace) -> int:
    if (args.submission is None) == (args.course is None):
        print("name one submission or --course, not both", file=sys.stderr)
        return 2
    try:
        if args.course is None:
            staff_actions.retry(_staff(), args.submission, _actor(args))
            retried = [args.submission]
        else:
            retried = staff_actions.retry_course(_staff(), args.course, _actor(args))
    except REFUSED as error:
        return refused(error)
    print(f"{len(retried)} submission(s) queued again: {' '.join(map(str, retried))}".strip())
    return 0


def _send_again(args: argparse.Namespace) -> int:
    try:
        staff_actions.send_again(_staff(), args.submission, _actor(args))
    except REFUSED as error:
        return refused(error)
    print(f"submission {args.submission}: pending, a new record is sent to KOSKI")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    try:
        stopped = staff_actions.revoke(_staff(), args.consent, Actor.staff(args.by))
    except REFUSED as error:
        return refused(error)
    print(f"consent {args.consent} revoked, {len(stopped)} submission(s) stopped: never sent again")
    return 0


def _unknown_courses(args: argparse.Namespace) -> int:
    consents = bootstrap().status.unknown_course_consents()
    if args.json:
        shown = [unknown_course_json(c) for c in consents]
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    print(f"{'consent':>7}  {'course':<24}  {'hetu':<11}  {'state':<10}  signed")
    for c in consents:
        signed = (c.signed_at or c.received_at).date().isoformat()
        print(
            f"{c.consent_id:>7}  {c.course_code:<24}  {c.participant.hetu:<11}  "
            f"{c.state.value:<10}  {signed}"
        )
    return 0


def _staff() -> StaffServices:
    return staff_services(bootstrap())


def _tokens() -> SqlStaffTokens:
    return bootstrap().tokens


def _token_create(args: argparse.Namespace) -> int:
    try:
        token = _tokens().create(args.name[:64], Role(args.role))
    except REFUSED as error:  # the name holds a token already
        return refused(error)
    print(f"token for {args.name} ({args.role}), shown only now:\n{token}")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    if not _tokens().revoke(args.name):
        print(f"no active token named {args.name!r}", file=sys.stderr)
        return 1
    print(f"token of {args.name} revoked")
    return 0
