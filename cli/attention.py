"""The attention list on the command line: ``vst-consent attention`` (``--json``), marking an
item seen, and retrying every failed or parked record on it (a count first, ``--yes`` acts)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from cli.refusals import REFUSED, refused
from consent import staff_actions
from consent.attention import AttentionItem, AttentionList, attention_json
from consent.bootstrap import bootstrap, staff_services
from consent.staff import COMMAND_LINE, Actor
from consent.staff_actions import StaffServices


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    group: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register the list's own commands in the ``attention`` group (``group``, which the
    weekly e-mail's ``attention mail`` made): bare ``attention`` lists, ``list`` too."""
    listing = commands.choices["attention"]
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_list)
    group.required = False  # bare "vst-consent attention" is the list itself
    command = group.add_parser("list", help="everything across all courses to act on")
    command.add_argument("--json", action="store_true")
    command.set_defaults(run=_list)
    command = group.add_parser("seen", help="mark one item seen (it stays until fixed)")
    command.add_argument("key", help="the item's key, as the list shows it")
    command.add_argument("--by", help="who marks it (staff name), for the audit trail")
    command.set_defaults(run=_seen)
    command = group.add_parser(
        "retry", help="send every failed or parked record on the list again (--yes to act)"
    )
    command.add_argument("--yes", action="store_true", help="act: without it, only the count")
    command.add_argument("--by", help="who asks for it (staff name), for the audit trail")
    command.set_defaults(run=_retry)


def _list(args: argparse.Namespace) -> int:
    listed = staff_actions.attention_list(_staff())
    if args.json:
        print(json.dumps(attention_json(listed), ensure_ascii=False, indent=2))
        return 0
    print(_headline(listed))
    for group in listed.groups:
        print(f"\n{group.kind.value} ({group.count}, {group.unseen} unseen)")
        for item in group.items:
            print(f"  {_line(item)}")
    return 0


def _headline(listed: AttentionList) -> str:
    if not listed.total:
        return "nothing needs attention"
    return f"{listed.total} item(s) need attention, {listed.unseen} unseen"


def _line(item: AttentionItem) -> str:
    """One item: key, course, how long, who (masked), what, where it is fixed."""
    who = "" if item.participant is None else f"{item.participant.hetu} {item.participant.name}"
    what = ",".join(item.codes) or "-"
    records = f" ({item.records} records)" if item.records > 1 else ""
    seen = " [seen]" if item.seen else ""
    return (
        f"{item.key}  {item.course_code or '-'}  {_waiting(item.waiting)}  {who or '-'}  "
        f"{what}{records}  {item.link}{seen}"
    )


def _waiting(waiting: dt.timedelta) -> str:
    """How long, in whole days (hours under a day)."""
    if waiting.days:
        return f"{waiting.days} d"
    return f"{waiting.seconds // 3600} h"


def _seen(args: argparse.Namespace) -> int:
    try:
        staff_actions.mark_seen(_staff(), args.key, _actor(args))
    except REFUSED as error:
        return refused(error)
    print(f"{args.key[:128]}: seen")
    return 0


def _retry(args: argparse.Namespace) -> int:
    services = _staff()
    if not args.yes:
        count = len(staff_actions.attention_list(services).retryable())
        print(f"{count} failed or parked submission(s) would be sent again; add --yes to do it")
        return 0
    retried = staff_actions.retry_all(services, _actor(args))
    print(f"{len(retried)} submission(s) queued again: {' '.join(map(str, retried))}".strip())
    return 0


def _actor(args: argparse.Namespace) -> Actor:
    """Who the audit trail names: the staff member ``--by`` names, else ``cli``."""
    return Actor.staff(args.by) if args.by else COMMAND_LINE


def _staff() -> StaffServices:
    return staff_services(bootstrap())
