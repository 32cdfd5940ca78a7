"""``vst-consent consents record``: a consent staff record from a signed paper form.

The form's fields (a participant by ``hetu``, or by ``oppijanumero`` and ``birth_date``;
``first_names``, ``last_name``, ``signed_by``, a guardian's ``guardian_hetu`` or names,
``signed_on``) come as one JSON object on standard input, never on the command line, where
shell histories and process lists would keep a hetu; the scanned PDF is a file named by
``--pdf``. Audited with the staff member ``--by`` names.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.refusals import REFUSED, read_file, refused
from consent import staff_actions
from consent.bootstrap import bootstrap, staff_services
from consent.errors import ConsentNotRecorded
from consent.recorded_consents import read_form
from consent.staff import Actor
from consent.strict_json import StrictJsonError, loads_strict

MAX_FORM = 16 * 1024  # bytes of JSON on standard input: a form's ten short fields


def add_record_command(consents: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``record`` in the ``vst-consent consents`` group."""
    command = consents.add_parser(
        "record",
        help="record a consent from a signed paper form (fields as JSON on stdin)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("course", help="the course's code")
    command.add_argument("--pdf", type=Path, required=True, help="the scanned, signed form")
    command.add_argument("--by", required=True, help="who records it (staff name), for the audit")
    command.set_defaults(run=_record)


def _record(args: argparse.Namespace) -> int:
    pdf = read_file(args.pdf)
    try:
        fields = loads_strict(sys.stdin.buffer.read(MAX_FORM + 1)[:MAX_FORM])
    except StrictJsonError:
        fields = None
    services = staff_services(bootstrap())
    try:
        if not isinstance(fields, dict):
            raise ConsentNotRecorded("(form)", "must be a JSON object on standard input")
        form = read_form(
            args.course,
            fields,
            pdf,
            today=services.clock().date(),
            allow_temporary=services.allow_temporary_hetu,
        )
        recorded = staff_actions.record_consent(services, form, Actor.staff(args.by))
    except REFUSED as error:
        return refused(error)
    print(
        f"consent {recorded.consent_id} recorded (signed by {recorded.relation});"
        f" {recorded.results} result(s) bound again"
    )
    return 0
