"""Staff accounts for the web pages: create, set a password (ending its sessions), disable,
unlock a name throttled for failed logins, and choose the language of an account's pages."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Final

from cli.refusals import REFUSED, refused
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.bootstrap import bootstrap
from consent.staff import PAGE_LANGUAGES, Role


def add_commands(staff: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the account commands under ``vst-consent staff``."""
    command = staff.add_parser("account-create", help="an account for the staff web pages")
    command.add_argument("username")
    command.add_argument("--role", choices=[r.value for r in Role], default=Role.STAFF.value)
    _password_option(command)
    command.set_defaults(run=_create)
    command = staff.add_parser("account-password", help="set an account's password")
    command.add_argument("username")
    _password_option(command)
    command.set_defaults(run=_password)
    command = staff.add_parser("account-disable", help="end an account's access to the pages")
    command.add_argument("username")
    command.set_defaults(run=_disable)
    command = staff.add_parser(
        "account-unlock", help="forget a name's failed logins, so it may log in again at once"
    )
    command.add_argument("username")
    command.set_defaults(run=_unlock)


def add_accounts_group(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Register ``vst-consent accounts``: an account's own settings (its pages' language);
    the group's subcommands, for other settings to join."""
    group = commands.add_parser("accounts", help="staff accounts' own settings").add_subparsers(
        required=True, metavar="COMMAND"
    )
    command = group.add_parser("set-language", help="the language of an account's staff pages")
    command.add_argument("username")
    command.add_argument("language", choices=PAGE_LANGUAGES)
    command.set_defaults(run=_set_language)
    return group


def _password_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts) instead of asking twice",
    )


def _accounts() -> SqlStaffAccounts:
    return bootstrap().accounts


def _read_password(from_stdin: bool) -> str | None:
    """The new password: one line of standard input, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("the passwords differ", file=sys.stderr)
        return None
    return first


def _create(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    try:
        _accounts().create(args.username[:64], password, Role(args.role))
    except REFUSED as error:  # a password too short, a name taken
        return refused(error)
    print(f"account {args.username} ({args.role}) created: log in at /staff/login")
    return 0


def _password(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    try:
        changed = _accounts().set_password(args.username, password)
    except REFUSED as error:  # a password too short
        return refused(error)
    if not changed:
        print(f"no account named {args.username!r}", file=sys.stderr)
        return 1
    print(f"password of {args.username} changed: every session of the account has ended")
    return 0


def _disable(args: argparse.Namespace) -> int:
    if not _accounts().disable(args.username):
        print(f"no active account named {args.username!r}", file=sys.stderr)
        return 1
    print(f"account {args.username} disabled")
    return 0


def _set_language(args: argparse.Namespace) -> int:
    if not _accounts().set_language(args.username, args.language):
        print(f"no account named {args.username!r}", file=sys.stderr)
        return 1
    print(f"the staff pages of {args.username} are now in {_NAMES[args.language]}")
    return 0


_NAMES: Final = {"fi": "Finnish", "sv": "Swedish"}


def _unlock(args: argparse.Namespace) -> int:
    """The same answer whether the name exists: failures are counted for any name typed."""
    throttle = bootstrap().throttle
    if not throttle.unlock(args.username):
        print("the broker (REDIS_URL) could not be reached: nothing changed", file=sys.stderr)
        return 1
    print(f"failed logins of {args.username} forgotten: it may log in again at once")
    return 0
