"""The weekly e-mail's settings: off by default, each bad value refused naming its variable
(never echoing it), production refusing plain SMTP over a network, and no password shown."""

from __future__ import annotations

import datetime as dt

import pytest

from cli.attention_mail import summary
from consent.attention_mail import week_of
from consent.config import Settings
from consent.errors import ConfigurationError
from tests.unit.test_config import PRODUCTION

MAIL = {"SMTP_HOST": "smtp.example.fi", "SMTP_FROM": "vst@example.fi", "PUBLIC_URL": "https://s.fi"}


def test_email_is_off_by_default_and_on_with_an_smtp_host() -> None:
    assert not Settings.from_env({}).mail.enabled
    mail = Settings.from_env(MAIL).mail
    assert mail.enabled
    assert (mail.port, mail.security, mail.weekday, mail.hour) == (587, "starttls", 0, 7)
    assert mail.staff_link == "https://s.fi/staff/"


def test_the_default_port_follows_the_security() -> None:
    assert Settings.from_env({**MAIL, "SMTP_SECURITY": "ssl"}).mail.port == 465
    assert (
        Settings.from_env({**MAIL, "SMTP_SECURITY": "ssl", "SMTP_PORT": "2465"}).mail.port == 2465
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMTP_HOST", "smtp example.fi"),
        ("SMTP_PORT", "70000"),
        ("SMTP_PORT", "smtp"),
        ("SMTP_SECURITY", "tls1.3"),
        ("SMTP_FROM", "Vst <vst@example.fi>"),
        ("SMTP_FROM", "vst@example.fi\r\nBcc: x@evil.example"),
        ("PUBLIC_URL", "portal.example.org"),
        ("PUBLIC_URL", "https://s.fi/?next=x"),
        ("ATTENTION_MAIL_WEEKDAY", "maanantai"),
        ("ATTENTION_MAIL_HOUR", "24"),
    ],
)
def test_a_bad_mail_value_is_refused_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name) as refused:
        Settings.from_env({**MAIL, name: value})
    assert value not in str(refused.value)


def test_a_username_needs_a_password_and_the_password_a_username() -> None:
    with pytest.raises(ConfigurationError, match="SMTP_USERNAME and SMTP_PASSWORD"):
        Settings.from_env({**MAIL, "SMTP_USERNAME": "vst"})
    with pytest.raises(ConfigurationError, match="SMTP_USERNAME and SMTP_PASSWORD"):
        Settings.from_env({**MAIL, "SMTP_PASSWORD": "secret-word"})


def test_production_refuses_plain_smtp_to_another_machine_but_not_to_this_one() -> None:
    with pytest.raises(ConfigurationError, match="SMTP_SECURITY=none"):
        Settings.from_env({**PRODUCTION, **MAIL, "SMTP_SECURITY": "none"})
    local = {**PRODUCTION, **MAIL, "SMTP_SECURITY": "none", "SMTP_HOST": "127.0.0.1"}
    assert Settings.from_env(local).mail.security == "none"


@pytest.mark.parametrize("name", ["SMTP_FROM", "PUBLIC_URL"])
def test_production_with_email_on_needs_its_own_sender_and_address(name: str) -> None:
    environment = {**PRODUCTION, **MAIL}
    del environment[name]
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env(environment)
    assert not Settings.from_env(PRODUCTION).mail.enabled  # e-mail off: neither is needed


def test_production_refuses_a_plain_http_link_to_another_machine() -> None:
    with pytest.raises(ConfigurationError, match="PUBLIC_URL must be https"):
        Settings.from_env({**PRODUCTION, **MAIL, "PUBLIC_URL": "http://s.fi"})


def test_the_summary_and_the_repr_show_no_password() -> None:
    mail = Settings.from_env(
        {**MAIL, "SMTP_USERNAME": "vst", "SMTP_PASSWORD": "Very-Secret-9"}
    ).mail
    assert "Very-Secret-9" not in summary(mail)
    assert "Very-Secret-9" not in repr(mail)
    assert "smtp.example.fi:587 starttls, login vst" in summary(mail)
    assert summary(Settings.from_env({}).mail) == "off (SMTP_HOST unset)"


def test_the_week_is_due_from_the_weekday_and_hour_in_finnish_time() -> None:
    summer = week_of(dt.datetime(2026, 6, 3, 12, tzinfo=dt.UTC), 0, 7)  # a Wednesday
    assert summer.name == "2026-W23"
    assert summer.due_from == dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)  # 07:00 EEST
    winter = week_of(dt.datetime(2026, 12, 6, 22, 30, tzinfo=dt.UTC), 0, 7)  # Monday 00:30 local
    assert winter.name == "2026-W50"
    assert winter.due_from == dt.datetime(2026, 12, 7, 5, tzinfo=dt.UTC)  # 07:00 EET
