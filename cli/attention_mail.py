"""The weekly attention e-mail from the command line: give an account its address and the
weekly e-mail (``vst-consent accounts set-email``), and send the e-mail now to try the SMTP
settings (``vst-consent attention mail [--dry-run]``)."""

from __future__ import annotations

import argparse
import sys

from cli.refusals import REFUSED, refused
from consent.attention_mail import MAILED, mails, week_of
from consent.bootstrap import Services, bootstrap
from consent.config import MailSettings
from consent.errors import MailUnavailable, NotFound
from consent.staff import COMMAND_LINE
from consent.weekly_mail import send_attention_mail, set_account_mail
from workers.attention_mailing import attention_counts, count_delivered


def add_account_commands(accounts: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``set-email`` under ``vst-consent accounts``."""
    command = accounts.add_parser(
        "set-email", help="an account's own e-mail address, and whether it gets the weekly e-mail"
    )
    command.add_argument("username")
    command.add_argument("address", nargs="?", help="the staff member's own work address")
    command.add_argument("--weekly", choices=["on", "off"], help="the weekly attention e-mail")
    command.add_argument(
        "--clear", action="store_true", help="forget the address (and the weekly e-mail)"
    )
    command.set_defaults(run=_set_email)


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Register ``vst-consent attention mail``; the group, for the list's own commands."""
    group = commands.add_parser("attention", help="the attention list").add_subparsers(
        required=True, metavar="COMMAND"
    )
    command = group.add_parser(
        "mail", help="send the attention e-mail now, to try the SMTP settings"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="show what would be sent and to whom; send nothing"
    )
    command.set_defaults(run=_mail)
    return group


def summary(mail: MailSettings) -> str:
    """What ``check-config`` says of the weekly e-mail: the server, security, login or none,
    From, link and when; never the password."""
    if not mail.enabled:
        return "off (SMTP_HOST unset)"
    login = f"login {mail.username}" if mail.username else "no login"
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[mail.weekday]
    return (
        f"{mail.host}:{mail.port} {mail.security}, {login}, from {mail.sender}, link"
        f" {mail.staff_link}, weekly {day} {mail.hour:02d}:00 Europe/Helsinki"
    )


def _set_email(args: argparse.Namespace) -> int:
    if args.address is None and args.weekly is None and not args.clear:
        print("give an ADDRESS, --weekly on|off or --clear", file=sys.stderr)
        return 2
    weekly = None if args.weekly is None else args.weekly == "on"
    try:
        kept = set_account_mail(
            bootstrap().attention_mail,
            args.username,
            COMMAND_LINE,
            address=args.address,
            clear=args.clear,
            weekly=weekly,
        )
    except NotFound:
        print(f"no account named {args.username!r}", file=sys.stderr)
        return 1
    except REFUSED as error:  # a bad address, the weekly e-mail without one
        return refused(error)
    address = kept.address or "no address"
    print(f"{args.username}: {address}, weekly e-mail {'on' if kept.weekly else 'off'}")
    return 0


def _mail(args: argparse.Namespace) -> int:
    deps = bootstrap()
    mail = deps.settings.mail
    if not mail.enabled:
        print("e-mail is off: set SMTP_HOST (and the other SMTP_ settings)", file=sys.stderr)
        return 1
    counts, recipients = attention_counts(deps), deps.attention_mail.recipients()
    if counts.total == 0:
        print("the attention list is empty: nothing to send")
        return 0
    if not recipients:
        print(
            "no account gets the e-mail: vst-consent accounts set-email USER ADDRESS --weekly on",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        for each in mails(counts, recipients, mail.staff_link):
            print(f"To: {each.to}\nSubject: {each.subject}\n\n{each.body}")
        print(f"dry run: nothing sent ({len(recipients)} account(s) would get it)")
        return 0
    return _send_now(deps)


def _send_now(deps: Services) -> int:
    """Send as the weekly run would, audited as the command's (not the week's) sending."""
    mail = deps.settings.mail
    week = week_of(deps.clock(), mail.weekday, mail.hour).name
    try:
        delivered = send_attention_mail(
            attention_counts(deps),
            deps.attention_mail,
            deps.mailer,
            mail.staff_link,
            week=week,
            actor=COMMAND_LINE.audit_name,
        )
    except MailUnavailable as error:
        deps.counters.count("attention_mails", outcome="failed")
        print(
            f"the SMTP server {mail.host}:{mail.port} was not reached ({error.reason}): check"
            " SMTP_HOST, SMTP_PORT, SMTP_SECURITY and the login",
            file=sys.stderr,
        )
        return 1
    if delivered is None:
        print("nothing sent")
        return 0
    count_delivered(deps, delivered)
    print(
        f"sent to {len(delivered.sent)} account(s), {len(delivered.refused)} address(es)"
        f" refused; audited as {MAILED}"
    )
    return 1 if delivered.refused else 0
