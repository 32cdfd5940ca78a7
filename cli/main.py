"""The ``vst-consent`` command: operator and staff entry points."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from cli import (
    accounts,
    attention,
    attention_mail,
    connector,
    exports,
    keys,
    local_stack,
    person,
    retention,
    simulate,
    staff,
)
from consent.adapters.logs import configure_logging
from consent.adapters.sql.migrate import current_revision, upgrade
from consent.bootstrap import bootstrap
from consent.config import Settings
from consent.errors import ConfigurationError
from consent.hetu import HETU_SHAPE
from consent.published_secrets import DEV_WEBHOOK_KEY
from consent.staff_actions.people import OPPIJANUMERO
from workers.worker import run_worker

# The one command that takes hetus as words: it makes up test events, with generated hetus.
TAKES_HETUS: Final = "simulate-signing"
ON_STDIN: Final = (
    "vst-consent: henkilötunnus ja oppijanumero luetaan vain syötteestä, ei komentoriviltä /"
    " a hetu or oppijanumero is read from standard input only, never from the command line"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; configuration errors exit 2.

    Logging is the service's own from the start (JSON to stderr, a line that would carry a
    hetu refused), so no command's warning goes out through Python's unfiltered default. A
    command line that holds a hetu or an oppijanumero is refused (exit 2) before argparse,
    which would quote it back in its error, sees it: shell histories and process lists keep
    command lines, and every command that needs one reads it from standard input."""
    configure_logging()
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] != [TAKES_HETUS] and any(_names_a_person(word) for word in words):
        print(ON_STDIN, file=sys.stderr)
        return 2
    parser = _parser()
    args = parser.parse_args(words)
    try:
        result: int = args.run(args)
    except ConfigurationError as error:
        print(f"vst-consent: configuration error: {error}", file=sys.stderr)
        return 2
    return result


def _names_a_person(word: str) -> bool:
    return HETU_SHAPE.search(word) is not None or OPPIJANUMERO.search(word) is not None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vst-consent", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    command = commands.add_parser("migrate", help="migrate the database to the newest schema")
    command.set_defaults(run=_migrate)

    command = commands.add_parser("check-config", help="validate the environment and summarise it")
    command.set_defaults(run=_check_config)

    command = commands.add_parser("worker", help="run an RQ worker with its scheduler")
    command.set_defaults(run=_worker)

    command = commands.add_parser(
        "up", help="run the whole local stack (migrations, embedded broker, Procfile processes)"
    )
    command.add_argument("--procfile", default="Procfile")
    command.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
    command.set_defaults(run=lambda a: local_stack.run(Settings.from_env(), a.procfile, a.port))

    _add_simulate(commands)
    staff.add_commands(commands)
    attention_mail.add_account_commands(accounts.add_accounts_group(commands))
    attention.add_commands(commands, attention_mail.add_commands(commands))
    connector.add_commands(commands)
    exports.add_commands(commands)
    person.add_commands(commands)
    keys.add_commands(commands)
    retention.add_commands(commands)
    command = commands.add_parser("signing-keygen", help="print a new Ed25519 whsk_/whpk_ key pair")
    command.set_defaults(run=_keygen)

    command = commands.add_parser("broker", help="run the embedded Valkey broker in the foreground")
    command.set_defaults(run=lambda _a: local_stack.run_broker(Settings.from_env()))
    return parser


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "simulate-signing",
        help="act as the signing service: build, sign and post a consent event",
        description="Hetus are generated for the given ages unless given; they are never printed.",
    )
    command.add_argument("--url", default="http://127.0.0.1:8000/webhooks/signing")
    command.add_argument("--course", required=True, help="course code")
    command.add_argument("--type", choices=["signed", "cancelled"], default="signed")
    command.add_argument("--participant-hetu")
    command.add_argument("--participant-age", type=int, default=30)
    command.add_argument(
        "--participant-names",
        nargs=2,
        default=["Aino", "Esimerkki"],
        metavar=("FIRST_NAMES", "LAST_NAME"),
    )
    command.add_argument("--guardian", action="store_true", help="a guardian signs (for a minor)")
    command.add_argument("--guardian-hetu")
    command.add_argument("--guardian-age", type=int, default=45)
    command.add_argument(
        "--guardian-names",
        nargs=2,
        default=["Maija", "Esimerkki"],
        metavar=("FIRST_NAMES", "LAST_NAME"),
    )
    command.add_argument("--document-id")
    command.add_argument(
        "--write-result",
        type=Path,
        metavar="CSV",
        help="also append this participant's result to a results CSV (for the demo)",
    )
    command.add_argument("--grade", default="hyväksytty", help="grade for --write-result")
    command.add_argument(
        "--unsigned",
        action="store_true",
        help="post nothing: a participant who never signed (use with --write-result)",
    )
    command.add_argument(
        "--key",
        action="append",
        dest="keys",
        help="whsec_… or whsk_… signing key; repeat to sign with several (default: the local key)",
    )
    command.set_defaults(run=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    participant = simulate.person(
        args.participant_hetu or simulate.generated_hetu(args.participant_age, today),
        *args.participant_names,
    )
    signer = participant
    if args.guardian:
        hetu = args.guardian_hetu or simulate.generated_hetu(args.guardian_age, today)
        signer = simulate.person(hetu, *args.guardian_names)
    status = 0
    if args.unsigned:
        print("nothing posted: this participant never signed")
    else:
        event = simulate.consent_event(
            f"consent.{args.type}",
            args.course,
            participant,
            signer,
            now,
            document_id=args.document_id,
        )
        signers = [simulate.Signer.parse(k) for k in (args.keys or [DEV_WEBHOOK_KEY])]
        response = simulate.post(args.url, event, signers)
        print(f"{response.status_code} {response.text.strip()}")
        status = 0 if response.status_code in (200, 202) else 1
    if args.write_result is not None:
        simulate.append_result(args.write_result, participant, args.grade, today)
    return status


def _keygen(_args: argparse.Namespace) -> int:
    private, public = simulate.generate_keypair()
    print(f"private (keep with the sender):        {private}")
    print(f"public (add to SIGNING_WEBHOOK_KEYS): {public}")
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = bootstrap(settings).engine
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    return 0


def _check_config(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    print(f"mode: {settings.mode}")
    print(f"data dir: {settings.data_dir}")
    print(f"database: {settings.database_url.split(':', 1)[0]}")
    print(f"broker: {'REDIS_URL' if settings.redis_url else 'embedded Valkey'}")
    print(f"KOSKI: {settings.koski_url} (source system {settings.koski_source_system})")
    print(f"webhook keys: {', '.join(f'{k.kind}:{k.key_id}' for k in settings.webhook_keys)}")
    print(f"PII keys: {', '.join(k.key_id for k in settings.pii_keys)} (sealing with the first)")
    print(f"e-mail: {attention_mail.summary(settings.mail)}")
    return 0


def _worker(_args: argparse.Namespace) -> int:
    run_worker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
