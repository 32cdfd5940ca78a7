"""The weekly e-mail's sender: the standard library's ``smtplib`` and ``email`` over the SMTP
server the settings name (``SMTP_*``), TLS by STARTTLS or from the start, or none for a relay
on this machine.

One session sends every message of a run. A failure of the session itself (no connection,
TLS, login, the server going away) is :class:`MailUnavailable` by its type only: the server's
words may quote an address, and they stay out of logs and errors.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from consent.attention_mail import Delivered, Mail
from consent.config import MailSettings
from consent.errors import MailUnavailable
from consent.ports import Clock


class SmtpMailer:
    """Sends e-mails over one SMTP session per call."""

    def __init__(self, settings: MailSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def send(self, mails: Sequence[Mail]) -> Delivered:
        """Send each mail; those whose recipient the server refused are passed over and told
        apart. :class:`MailUnavailable` when the session could not be had or broke."""
        sent: list[int] = []
        refused: list[int] = []
        try:
            with self._session() as smtp:
                for mail in mails:
                    try:
                        smtp.send_message(self._message(mail))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                        refused.append(mail.account_id)  # this address, not the server
                    else:
                        sent.append(mail.account_id)
        except (smtplib.SMTPException, OSError) as error:
            raise MailUnavailable(type(error).__name__) from None
        return Delivered(tuple(sent), tuple(refused))

    def _session(self) -> smtplib.SMTP:
        """A connected, secured and logged-in session, as the settings say."""
        mail = self._settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if mail.security == "ssl":
            smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        try:
            if mail.security == "starttls":
                smtp.starttls(context=context)
            if mail.username:
                smtp.login(mail.username, mail.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _message(self, mail: Mail) -> EmailMessage:
        """One plain-text UTF-8 message, marked automatic (RFC 3834) so no one's
        out-of-office answers it."""
        sender = self._settings.sender
        message = EmailMessage()
        message["From"] = sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.body)
        return message
