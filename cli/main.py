"""The ``vst-consent`` command: operator and staff entry points."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import local_stack
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import current_revision, upgrade
from consent.config import Settings
from consent.errors import ConfigurationError
from workers.bootstrap import run_worker


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; configuration errors exit 2."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except ConfigurationError as error:
        print(f"vst-consent: configuration error: {error}", file=sys.stderr)
        return 2
    return result


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

    command = commands.add_parser("broker", help="run the embedded Valkey broker in the foreground")
    command.set_defaults(run=lambda _a: local_stack.run_broker(Settings.from_env()))
    return parser


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
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
    print(f"KOSKI: {settings.koski_url}")
    print(f"webhook keys: {', '.join(f'{k.kind}:{k.key_id}' for k in settings.webhook_keys)}")
    print(f"PII keys: {', '.join(k.key_id for k in settings.pii_keys)} (sealing with the first)")
    return 0


def _worker(_args: argparse.Namespace) -> int:
    run_worker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
