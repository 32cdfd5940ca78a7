"""Operator commands for retiring a PII key: what each key holds, and sealing everything again
under the current one. They print counts and key ids only, never a value."""

from __future__ import annotations

import argparse

from consent.bootstrap import bootstrap
from consent.key_usage import ColumnKeys, KeyUsage, RewrapReport
from consent.staff import COMMAND_LINE

_WIDTH = 26


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``vst-consent keys status`` and ``vst-consent keys rewrap``."""
    keys = commands.add_parser(
        "keys", help="PII keys: what each holds; seal all again under the current"
    )
    actions = keys.add_subparsers(required=True, metavar="ACTION")
    command = actions.add_parser(
        "status",
        help="sealed values and blind-index entries by key (exits 1 unless all under the current)",
    )
    command.set_defaults(run=_status)
    command = actions.add_parser(
        "rewrap",
        help="seal every value again and rebuild every blind index under the current key",
        description="Batched and resumable: run it again after a kill; online while web and "
        "workers run. Afterwards `keys status` names the keys that may be removed from PII_KEY.",
    )
    command.add_argument("--batch-size", type=_positive, default=300, help="rows per transaction")
    command.add_argument(
        "--pause", type=float, default=0.0, help="seconds to wait between batches (lighter load)"
    )
    command.set_defaults(run=_rewrap)


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _status(_args: argparse.Namespace) -> int:
    usage = bootstrap().key_usage.usage()
    for line in status_lines(usage):
        print(line)
    return 0 if usage.settled() else 1


def status_lines(usage: KeyUsage) -> list[str]:
    """What ``keys status`` says of ``usage``."""
    others = ", ".join(usage.configured[1:])
    lines = [f"PII keys: {usage.current} (current){', ' + others if others else ''}"]
    lines += ["sealed values by key:", *(_column(c) for c in usage.sealed)]
    lines += ["blind-index entries by key:", *(_column(c) for c in usage.indexes)]
    if waiting := usage.waiting():
        lines.append(f"{waiting} still under an older key: run `vst-consent keys rewrap`")
    if unreadable := usage.unreadable():
        lines.append("unreadable (their key is not configured, or they were altered):")
        lines += [f"  {name:<{_WIDTH}} {n}" for name, n in unreadable.items()]
    if usage.shared_hetus:
        lines.append(f"{usage.shared_hetus} participant rows share a hetu: they must be merged")
    if unused := usage.unused_keys():
        lines.append(f"holding nothing, may be removed from PII_KEY: {', '.join(unused)}")
    if usage.settled():
        lines.append(f"everything is under the current key {usage.current}")
    return lines


def _column(column: ColumnKeys) -> str:
    counts = [f"{key}: {n}" for key, n in sorted(column.by_key.items())]
    if column.unidentified:
        counts.append(f"no configured key: {column.unidentified}")
    return f"  {column.column:<{_WIDTH}} {'  '.join(counts) or '-'}"


def _rewrap(args: argparse.Namespace) -> int:
    rewrap = bootstrap().rewrap
    report = rewrap.run(
        COMMAND_LINE.audit_name, batch_size=args.batch_size, pause=args.pause, progress=_progress
    )
    for line in rewrap_lines(report):
        print(line)
    return 1 if report.left() else 0


def _progress(table: str, done: int) -> None:
    print(f"{table}: {done} rows sealed again", flush=True)


def rewrap_lines(report: RewrapReport) -> list[str]:
    """What ``keys rewrap`` says when it ends."""
    if not report.total() and not report.left():
        return [f"nothing to rewrap: every readable value is under the current key {report.key_id}"]
    by_table = ", ".join(f"{name} {n}" for name, n in report.rewrapped.items()) or "none"
    lines = [f"done: {report.total()} rows sealed again under {report.key_id} ({by_table})"]
    for name, n in report.unopened.items():
        lines.append(f"left {n} rows of {name}: a value failed authentication")
    for name, n in report.shared.items():
        lines.append(f"left {n} rows of {name}: another row holds the same hetu (merge them)")
    if report.remaining:
        still = ", ".join(f"{name} {n}" for name, n in report.remaining.items())
        lines.append(f"still under an older key: {still}; run `vst-consent keys rewrap` again")
    lines.append("`vst-consent keys status` names the keys that may now be removed from PII_KEY")
    return lines
