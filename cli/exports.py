"""``vst-consent export``: a course's participants, a year's summary, a consent's signed form,
written to a file.

A file holding full hetus (``--full-hetu``) or a signed form is made readable by its owner
only (mode 0600, also when it existed before), and the read is audited with ``--by``.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from cli.refusals import REFUSED, refused
from consent import staff_actions
from consent.bootstrap import bootstrap, staff_services
from consent.staff import COMMAND_LINE, Actor
from web.downloads import MEDIA_TYPES, parse_year
from web.staff_pages import export_tables

OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``vst-consent export …``."""
    export = commands.add_parser("export", help="spreadsheets and signed forms for staff")
    actions = export.add_subparsers(required=True, metavar="WHAT")
    command = actions.add_parser(
        "course", help="a course's participants as CSV or XLSX (hetus masked by default)"
    )
    command.add_argument("course")
    _format_and_out(command)
    command.add_argument(
        "--full-hetu", action="store_true", help="full hetus and names (needs --by; audited)"
    )
    command.add_argument("--by", help="who asks for it (staff name), for the audit trail")
    command.set_defaults(run=_course)
    command = actions.add_parser(
        "summary", help="a calendar year's records per opintokokonaisuus (counts only)"
    )
    command.add_argument("year")
    _format_and_out(command)
    command.set_defaults(run=_summary)
    command = actions.add_parser("form", help="a consent's signed form (PDF), by consent id")
    command.add_argument("consent", type=int)
    command.add_argument("--out", type=Path, required=True)
    command.add_argument("--by", required=True, help="who asks for it (staff name)")
    command.set_defaults(run=_form)


def _format_and_out(command: argparse.ArgumentParser) -> None:
    command.add_argument("--format", choices=sorted(MEDIA_TYPES), default="csv")
    command.add_argument("--out", type=Path, required=True, help="the file to write")


def _course(args: argparse.Namespace) -> int:
    if args.full_hetu and not args.by:
        print("--full-hetu needs --by NAME: who asks for it, for the audit trail", file=sys.stderr)
        return 2
    actor = Actor.staff(args.by) if args.by else COMMAND_LINE
    try:
        export = staff_actions.export_course(_staff(), args.course, actor, full_hetu=args.full_hetu)
    except REFUSED as error:
        return refused(error)
    write(args.out, export_tables.course_file(export, args.format), private=args.full_hetu)
    hetus = "full hetus" if args.full_hetu else "hetus masked"
    print(f"{len(export.rows)} participants written to {args.out} ({hetus})")
    return 0


def _summary(args: argparse.Namespace) -> int:
    year = parse_year(args.year)
    if year is None:
        print("the year must be 2000-2099", file=sys.stderr)
        return 2
    summary = staff_actions.year_summary(_staff(), year)
    write(args.out, export_tables.summary_file(summary, args.format), private=False)
    print(f"{len(summary.counts)} opintokokonaisuudet of {year} written to {args.out}")
    return 0


def _form(args: argparse.Namespace) -> int:
    try:
        form = staff_actions.signed_form(_staff(), args.consent, Actor.staff(args.by))
    except REFUSED as error:
        return refused(error)
    write(args.out, [form.pdf], private=True)
    print(f"signed consent form saved to {args.out}")
    return 0


def write(path: Path, chunks: Iterable[bytes], *, private: bool) -> None:
    """Write ``chunks`` to ``path``; ``private``: readable by its owner only, from the start."""
    mode = OWNER_ONLY if private else 0o666  # the umask narrows the other
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        if private:
            os.fchmod(out.fileno(), OWNER_ONLY)  # a file that existed kept its old mode
        for chunk in chunks:
            out.write(chunk)


def _staff() -> staff_actions.StaffServices:
    return staff_services(bootstrap())
