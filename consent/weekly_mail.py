"""The weekly attention e-mail's use cases: send the list's counts to the accounts that asked
for it, and set an account's address and weekly flag (audited with who did it).

The sweeper decides when (:mod:`workers.attention_mailing`); ``vst-consent attention mail``
sends at once, to try the settings. Either way nothing goes when the list is empty, and a
sending is audited with its week, counts and how many got it, never an address.
"""

from __future__ import annotations

from consent.attention_mail import (
    MAILED,
    AccountMail,
    AttentionCounts,
    Delivered,
    audit_details,
    mails,
    parse_address,
)
from consent.errors import NoMailAddress, NotFound
from consent.model import AuditEntry
from consent.ports import AccountMailLedger, AttentionMailLedger, Mailer
from consent.staff import Actor

ACCOUNT_MAIL_SET = "account.mail_set"  # the audit action of a change of an account's mail


def send_attention_mail(
    counts: AttentionCounts,
    ledger: AttentionMailLedger,
    mailer: Mailer,
    link: str,
    *,
    week: str,
    actor: str,
) -> Delivered | None:
    """Mail the list's counts and ``link`` to every recipient and audit it in ``actor``'s
    name; None when there was nothing to send (the list empty, or no one asked for it).
    :class:`consent.errors.MailUnavailable` (nothing audited) when the server was not had."""
    to_send = mails(counts, ledger.recipients(), link)
    if not to_send:
        return None
    delivered = mailer.send(to_send)
    details = audit_details(counts, week, delivered)
    ledger.audit(AuditEntry(actor, MAILED, "attention", None, details))
    return delivered


def set_account_mail(
    ledger: AccountMailLedger,
    username: str,
    actor: Actor,
    *,
    address: str | None = None,
    clear: bool = False,
    weekly: bool | None = None,
) -> AccountMail:
    """Give an account an address (or ``clear`` it, which also ends the weekly e-mail) and
    turn its weekly e-mail on or off; the account's settings as kept. :class:`NotFound` for
    no such account, :class:`InvalidMailAddress` for a bad address, :class:`NoMailAddress`
    for the weekly e-mail on without an address. The audit entry says what changed, never
    the address."""
    current = ledger.account_mail(username)
    if current is None:
        raise NotFound("no such account")
    new_address = None if clear else parse_address(address) if address else current.address
    on = False if new_address is None else current.weekly if weekly is None else weekly
    if weekly and new_address is None:
        raise NoMailAddress
    kept = AccountMail(current.account_id, new_address, on)
    details = {"address_set": new_address is not None, "weekly": on}
    entry = AuditEntry(
        actor.audit_name, ACCOUNT_MAIL_SET, "staff_account", kept.account_id, details
    )
    ledger.save_mail(kept, entry)
    return kept
