"""Person commands: a person's right of access (``person export``), their rows of a course's
status in full (``person status``), a result removed on request (``person remove-result``)
and an enrolment's contact details deleted (``person delete-contact``), each audited with
the staff member ``--by`` names.

The hetu (or oppijanumero) is read from standard input, never from the command line, where
shell histories, process lists and logs would keep it: a command line that holds one is
refused without being echoed, and so is any other that does not parse (argparse would quote
it back).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cli.refusals import REFUSED, refused
from cli.staff import print_status
from consent import staff_actions
from consent.adapters.person_pdf import person_pdf
from consent.bootstrap import bootstrap, staff_services
from consent.hetu import HETU_SHAPE, Hetu
from consent.person_views import export_json
from consent.staff import Actor
from consent.staff_actions.people import OPPIJANUMERO, REMOVAL_REASONS

PROMPT = "henkilötunnus tai oppijanumero / hetu or oppijanumero: "
ON_STDIN = (
    "vst-consent person: henkilötunnus luetaan vain syötteestä, ei komentoriviltä / the hetu is"
    " read from standard input only, never from the command line"
)
MAX_IDENTITY = 64  # characters read from standard input: a hetu is 11, an oppijanumero 26


class _QuietParser(argparse.ArgumentParser):
    """A parser whose errors name the command's usage, never the arguments given."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: invalid arguments (see --help)\n")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``person`` on the ``vst-consent`` parser: it takes its words as they are, so
    that no argparse error quotes one back before :func:`_run` has looked at them."""
    command = commands.add_parser(
        "person",
        help="a person's requests: export, status (hetu on stdin), remove-result, delete-contact",
        add_help=False,
        prefix_chars="\0",  # every word reaches _run, options too
    )
    command.add_argument("words", nargs=argparse.REMAINDER)
    command.set_defaults(run=lambda args: _run(args.words))


def _run(words: Sequence[str]) -> int:
    if any(HETU_SHAPE.search(word) or OPPIJANUMERO.search(word) for word in words):
        print(ON_STDIN, file=sys.stderr)
        return 2
    args = _parser().parse_args(words)
    result: int = args.run(args)
    return result


def _parser() -> _QuietParser:
    parser = _QuietParser(prog="vst-consent person", description=__doc__)
    actions = parser.add_subparsers(required=True, metavar="ACTION", parser_class=_QuietParser)
    command = actions.add_parser(
        "export",
        help="everything held about one person, as JSON or PDF; the hetu is read from stdin",
    )
    command.add_argument("--by", required=True, help="who asks (staff name), for the audit trail")
    command.add_argument("--pdf", action="store_true", help="a readable PDF instead of JSON")
    command.add_argument("--out", type=Path, help="write the document here (default: stdout)")
    command.set_defaults(run=_export)

    command = actions.add_parser(
        "status",
        help="one person's rows of a course's status in full; the hetu is read from stdin",
    )
    command.add_argument("course")
    command.add_argument("--by", required=True, help="who asks (staff name), for the audit trail")
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=_status)

    command = actions.add_parser("remove-result", help="remove a participant's result on request")
    command.add_argument("result", type=int)
    command.add_argument("--reason", required=True, choices=REMOVAL_REASONS)
    command.add_argument("--by", required=True, help="who asks (staff name), for the audit trail")
    command.set_defaults(run=_remove_result)

    command = actions.add_parser(
        "delete-contact", help="delete an enrolment's contact details on request"
    )
    command.add_argument("enrolment", type=int)
    command.add_argument("--by", required=True, help="who asks (staff name), for the audit trail")
    command.set_defaults(run=_delete_contact)
    return parser


def read_identity() -> str:
    """The hetu or oppijanumero from standard input: its first line, or asked for without
    echo when standard input is a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(PROMPT, stream=sys.stderr)[:MAX_IDENTITY]
    return sys.stdin.readline(MAX_IDENTITY + 1)[:MAX_IDENTITY]


def _export(args: argparse.Namespace) -> int:
    identity = read_identity()
    services = bootstrap()
    try:
        export = staff_actions.export_person(
            staff_services(services), identity, Actor.staff(args.by)
        )
    except REFUSED as error:
        return refused(error)
    now = services.clock()
    document = person_pdf(export, now) if args.pdf else _json(export_json(export, now))
    _write(document, args.out)
    if not export.found:
        print("rekisterissä ei ole tietoja tästä henkilöstä / nothing is held", file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    identity = read_identity()
    services = bootstrap()
    try:
        hetu = Hetu.parse(identity.strip(), today=services.clock().date(), allow_temporary=True)
        rows = staff_actions.look_up_person(
            staff_services(services), args.course, hetu, Actor.staff(args.by)
        )
    except REFUSED as error:
        return refused(error)
    print_status(rows, as_json=args.json)
    if not rows:
        print("kurssilla ei ole tätä henkilöä / no such person on the course", file=sys.stderr)
    return 0


def _json(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _write(document: bytes, out: Path | None) -> None:
    """The document to ``out`` (readable by its owner only), else to standard output."""
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(document)


def _remove_result(args: argparse.Namespace) -> int:
    try:
        removed = staff_actions.remove_result(
            staff_services(bootstrap()), args.result, Actor.staff(args.by), args.reason
        )
    except REFUSED as error:
        return refused(error)
    if removed.deleted:
        print(f"result {args.result} deleted: nothing of it was sent to KOSKI")
    elif removed.record_live:
        print(
            f"result {args.result} removed; KOSKI holds its record (submission "
            f"{removed.submission_id}, needs attention): invalidate it with "
            f"`vst-consent koski invalidate {removed.submission_id} --reason ...`"
        )
    else:
        print(f"result {args.result} removed; its KOSKI history is kept, nothing is sent")
    return 0


def _delete_contact(args: argparse.Namespace) -> int:
    try:
        staff_actions.delete_contact(
            staff_services(bootstrap()), args.enrolment, Actor.staff(args.by)
        )
    except REFUSED as error:
        return refused(error)
    print(f"enrolment {args.enrolment}: contact details deleted")
    return 0
