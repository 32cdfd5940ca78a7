"""The retention purge by hand: ``vst-consent retention purge [--dry-run]``.

It deletes (or only counts) what has no lasting purpose, as the sweeper does once a day
(:mod:`consent.retention_rules` says what), and prints how many of each kind: counts,
never anything of the data itself.
"""

from __future__ import annotations

import argparse

from consent import retention
from consent.bootstrap import bootstrap
from consent.staff import COMMAND_LINE


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``vst-consent retention …``."""
    group = commands.add_parser("retention", help="delete what has no lasting purpose")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    command = actions.add_parser(
        "purge",
        help="delete the data of people who never gave a valid consent, RETENTION_DAYS after "
        "their course ended, and expired uploads and invitations; prints counts per kind",
    )
    command.add_argument(
        "--dry-run", action="store_true", help="only count what would be deleted; change nothing"
    )
    command.set_defaults(run=_purge)


def _purge(args: argparse.Namespace) -> int:
    services = bootstrap()
    days = services.settings.retention_days
    if args.dry_run:
        counts = retention.dry_run(services.retention, services.clock, days)
        verb = "would delete"
    else:
        counts = retention.purge(services.retention, services.clock, days, COMMAND_LINE.audit_name)
        verb = "deleted"
    print(f"retention ({days} days after the course ended): {verb}")
    for kind, count in counts.counts().items():
        print(f"  {kind.replace('_', ' ')}: {count}")
    return 0
