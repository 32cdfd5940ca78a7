"""The weekly attention e-mail, sent by the worker's sweep to a real SMTP server (aiosmtpd)
on both databases: to the chosen accounts only, in their language, with counts and a link and
nothing of a person; nothing for an empty list; once a week, even with the broker emptied; and
an SMTP server that is down only delays it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import Engine, select

from cli.main import main
from consent.adapters.run_claim import ATTENTION_MAIL_CLAIM as CLAIM_PREFIX
from consent.adapters.sql.tables import AuditRow
from consent.attention import AttentionList
from consent.attention_mail import MAILED, Recipient
from consent.bootstrap import Services, bootstrap
from consent.config import Settings
from consent.staff import COMMAND_LINE, Role
from consent.weekly_mail import set_account_mail
from tests.conftest import REDIS_URL
from tests.hetus import born_years_ago, make_hetu
from tests.net import free_port
from tests.privacy import People, leaks
from tests.smtp_server import Collector, smtp_server
from workers.attention_mailing import REST_AFTER_FAILURE, mail_if_due
from workers.sweeper import SWEEP_CLAIM, sweep_if_due

# The test's SMTP server asks for a login without TLS: it is on this machine.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

MONDAY_0730 = dt.datetime(2026, 12, 7, 5, 30, tzinfo=dt.UTC)  # 07:30 in Helsinki, ISO week 50
LINK = "https://suostumus.example.fi/staff/"
PASSWORD = "a long enough password"


class Clock:
    """A clock the test moves."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_0730)


@pytest.fixture
def deps(engine: Engine, redis_client: redis.Redis, port: int, clock: Clock) -> Services:
    settings = Settings.from_env(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none",
            "SMTP_FROM": "vst@example.fi",
            "PUBLIC_URL": "https://suostumus.example.fi/",
        }
    )
    return bootstrap(settings, engine=engine, broker=redis_client, clock=clock)


@pytest.fixture
def server(port: int) -> Iterator[Collector]:
    with smtp_server(port) as collector:
        yield collector


def account(deps: Services, name: str, *, weekly: bool, language: str = "fi") -> str:
    """A staff account with its own address; the address."""
    address = f"{name}@example.fi"
    deps.accounts.create(name, PASSWORD, Role.STAFF)
    deps.accounts.set_language(name, language)
    set_account_mail(deps.attention_mail, name, COMMAND_LINE, address=address, weekly=weekly)
    return address


def hold_uploads(deps: Services, count: int) -> People:
    """``count`` results files checked and never confirmed (each an attention item), each
    holding a person; those people."""
    hetus = [make_hetu(born_years_ago(30 + i, MONDAY_0730.date())) for i in range(count)]
    for hetu in hetus:
        content = f"hetu;first_names;last_name;grade\n{hetu};Ilmari;Virtanen;hyväksytty\n"
        deps.pending_imports.hold("kurssi-2026", "csv", content.encode(), "staff:aino")
    return People.of(hetus, ["Ilmari", "Virtanen"])


def audit_details(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(select(AuditRow.details).where(AuditRow.action == MAILED))
        return [row[0] for row in rows]


def test_the_weekly_email_reaches_each_chosen_account_in_its_language_and_no_one_else(
    deps: Services, server: Collector, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    aino = account(deps, "aino", weekly=True)
    bertil = account(deps, "bertil", weekly=True, language="sv")
    account(deps, "carl", weekly=False)  # an address, but the weekly e-mail not asked for
    account(deps, "dora", weekly=True)
    deps.accounts.disable("dora")  # asked for it, then left
    deps.accounts.create("eero", PASSWORD, Role.STAFF)  # no address at all
    people = hold_uploads(deps, 2)

    with caplog.at_level(logging.INFO):
        delivered = mail_if_due(deps)

    assert delivered is not None
    assert len(delivered.sent) == 2
    assert sorted(r for m in server.received for r in m.recipients) == [aino, bertil]
    finnish, swedish = server.to(aino)[0], server.to(bertil)[0]
    assert finnish.message["Subject"] == "vst-consent: 2 asiaa odottaa toimia"
    assert finnish.message["From"] == "vst@example.fi"
    assert "vahvistamattomat tiedostot: 2" in finnish.text
    assert "Yhteensä: 2" in finnish.text
    assert LINK in finnish.text
    assert swedish.message["Subject"] == "vst-consent: 2 ärenden väntar på åtgärd"
    assert "obekräftade filer: 2" in swedish.text
    assert "Totalt: 2" in swedish.text
    assert LINK in swedish.text
    [details] = audit_details(engine)
    assert details == {
        "week": "2026-W50",
        "total": 2,
        "counts": {"unconfirmed_import": 2},
        "recipients": 2,
        "refused": 0,
    }
    places = {f"mail to {m.recipients}": m.raw.decode() for m in server.received}
    ours = [r for r in caplog.records if r.name.startswith("vst")]  # not the test server's
    places["log"] = "\n".join(r.getMessage() for r in ours)
    assert leaks(places, people) == {}
    assert all("kurssi-2026" not in m.text for m in server.received)  # not even the course
    assert "@" not in places["log"]  # no address in the worker's log


def test_an_empty_list_sends_nothing_and_a_later_look_that_week_sends_it(
    deps: Services, server: Collector, engine: Engine, redis_client: redis.Redis, clock: Clock
) -> None:
    account(deps, "aino", weekly=True)

    assert mail_if_due(deps) is None
    assert server.received == []
    assert audit_details(engine) == []

    hold_uploads(deps, 1)
    clock.now += dt.timedelta(hours=2)
    redis_client.delete(CLAIM_PREFIX + "2026-W50")  # the hour's rest after an empty look is over
    assert mail_if_due(deps) is not None
    assert len(server.received) == 1


def test_nothing_is_sent_before_the_weekly_hour(
    deps: Services, server: Collector, clock: Clock
) -> None:
    account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)
    clock.now = MONDAY_0730 - dt.timedelta(minutes=31)  # 06:59 in Helsinki

    assert mail_if_due(deps) is None
    assert server.received == []


def test_the_email_goes_once_a_week_even_when_the_broker_restarts_empty(
    deps: Services, server: Collector, engine: Engine, redis_client: redis.Redis, clock: Clock
) -> None:
    address = account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)
    assert mail_if_due(deps) is not None

    clock.now += dt.timedelta(days=3)
    assert mail_if_due(deps) is None  # the week's claim holds
    redis_client.flushdb()  # the broker restarted empty: the ledger's record still holds
    assert mail_if_due(deps) is None
    assert len(server.to(address)) == 1

    clock.now = MONDAY_0730 + dt.timedelta(weeks=1)
    assert mail_if_due(deps) is not None  # the next week's
    assert len(server.to(address)) == 2
    assert [d["week"] for d in audit_details(engine)] == ["2026-W50", "2026-W51"]


def test_an_smtp_server_that_is_down_is_logged_counted_and_mailed_at_a_later_sweep(
    deps: Services,
    port: int,
    engine: Engine,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    address = account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)

    with caplog.at_level(logging.WARNING):
        assert sweep_if_due(deps, redis_client, "w1")  # nothing listens: the sweep goes on
    assert "attention.mail_failed reason=ConnectionRefusedError" in caplog.messages
    assert deps.counters.totals("attention_mails") == {(("outcome", "failed"),): 1}
    assert audit_details(engine) == []
    ttl = redis_client.ttl(CLAIM_PREFIX + "2026-W50")
    assert isinstance(ttl, int)
    assert 0 < ttl <= REST_AFTER_FAILURE

    with smtp_server(port) as server:
        redis_client.delete(SWEEP_CLAIM, CLAIM_PREFIX + "2026-W50")  # the rest is over
        assert sweep_if_due(deps, redis_client, "w1")
    assert len(server.to(address)) == 1
    assert deps.counters.totals("attention_mails")[(("outcome", "sent"),)] == 1
    assert len(audit_details(engine)) == 1


def test_an_address_the_server_refuses_is_passed_over_and_counted(
    deps: Services, server: Collector, engine: Engine
) -> None:
    aino = account(deps, "aino", weekly=True)
    gone = account(deps, "gone", weekly=True)
    server.refuse.add(gone)
    hold_uploads(deps, 1)

    delivered = mail_if_due(deps)

    assert delivered is not None
    assert (len(delivered.sent), len(delivered.refused)) == (1, 1)
    assert [r.recipients for r in server.received] == [(aino,)]
    assert deps.counters.totals("attention_mails")[(("outcome", "refused"),)] == 1
    assert audit_details(engine)[0]["refused"] == 1


def test_with_no_smtp_host_the_email_is_off(
    engine: Engine, redis_client: redis.Redis, clock: Clock
) -> None:
    deps = bootstrap(Settings.from_env({}), engine=engine, broker=redis_client, clock=clock)
    account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)

    assert mail_if_due(deps) is None
    assert redis_client.keys(CLAIM_PREFIX + "*") == []
    assert audit_details(engine) == []


def test_the_commands_set_an_address_and_send_the_email_now_to_try_the_settings(
    deps: Services,
    server: Collector,
    engine: Engine,
    port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deps.accounts.create("aino", PASSWORD, Role.STAFF)
    environment = {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "REDIS_URL": REDIS_URL,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": "vst@example.fi",
        "PUBLIC_URL": "https://suostumus.example.fi",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert main(["accounts", "set-email", "aino", "Aino <aino@example.fi>"]) == 1
    assert "name@example.fi" in capsys.readouterr().err
    assert main(["accounts", "set-email", "aino", "--weekly", "on"]) == 1  # no address yet
    assert "no e-mail address" in capsys.readouterr().err
    assert main(["accounts", "set-email", "aino", "aino@example.fi", "--weekly", "on"]) == 0
    assert deps.attention_mail.recipients() == [Recipient(1, "aino@example.fi", "fi")]
    assert main(["attention", "mail"]) == 0
    assert "empty" in capsys.readouterr().out

    hold_uploads(deps, 1)
    assert main(["attention", "mail", "--dry-run"]) == 0
    assert "To: aino@example.fi" in capsys.readouterr().out
    assert server.received == []
    assert main(["attention", "mail"]) == 0
    assert len(server.to("aino@example.fi")) == 1
    assert mail_if_due(deps) is not None  # a tried sending is not the week's
    with engine.connect() as connection:
        trail = connection.execute(select(AuditRow.actor, AuditRow.action, AuditRow.details))
        rows = trail.all()
    entries = [(actor, action) for actor, action, _ in rows]
    assert all("@" not in str(details) for _, _, details in rows)  # no address audited
    assert entries.count(("cli", "account.mail_set")) == 1  # the refused ones changed nothing
    assert ("cli", MAILED) in entries
    assert ("sweeper", MAILED) in entries


def test_a_list_that_cannot_be_read_leaves_the_week_to_a_later_sweep(
    deps: Services, server: Collector, redis_client: redis.Redis
) -> None:
    address = account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)

    def unreadable(_deps: Services) -> AttentionList:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        mail_if_due(deps, unreadable)
    ttl = redis_client.ttl(CLAIM_PREFIX + "2026-W50")
    assert isinstance(ttl, int)
    assert 0 < ttl <= REST_AFTER_FAILURE  # not the week's claim: tried again soon
    redis_client.delete(CLAIM_PREFIX + "2026-W50")
    assert mail_if_due(deps) is not None
    assert len(server.to(address)) == 1


def deps_with(
    engine: Engine, redis_client: redis.Redis, clock: Clock, port: int, **environment: str
) -> Services:
    """The services over an SMTP server on ``port`` with these settings."""
    base = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_FROM": "vst@example.fi"}
    settings = Settings.from_env({**base, **environment})
    return bootstrap(settings, engine=engine, broker=redis_client, clock=clock)


def test_the_email_logs_in_with_the_configured_account_and_is_refused_without_it(
    engine: Engine, redis_client: redis.Redis, clock: Clock, port: int
) -> None:
    good = deps_with(
        engine, redis_client, clock, port, SMTP_SECURITY="none", SMTP_USERNAME="vst",
        SMTP_PASSWORD="Relay-Password-7",
    )  # fmt: skip
    address = account(good, "aino", weekly=True)
    hold_uploads(good, 1)
    with smtp_server(port, login=("vst", "Relay-Password-7")) as server:
        wrong = deps_with(
            engine, redis_client, clock, port, SMTP_SECURITY="none", SMTP_USERNAME="vst",
            SMTP_PASSWORD="Not-The-Password-7",
        )  # fmt: skip
        assert mail_if_due(wrong) is None  # refused login: nothing sent, tried later
        assert wrong.counters.totals("attention_mails") == {(("outcome", "failed"),): 1}
        redis_client.delete(CLAIM_PREFIX + "2026-W50")
        assert mail_if_due(good) is not None
    assert len(server.to(address)) == 1


def test_starttls_is_never_given_up_for_a_plain_connection(
    engine: Engine, redis_client: redis.Redis, clock: Clock, port: int, server: Collector
) -> None:
    deps = deps_with(engine, redis_client, clock, port)  # SMTP_SECURITY: starttls by default
    account(deps, "aino", weekly=True)
    hold_uploads(deps, 1)

    assert mail_if_due(deps) is None  # the test's server offers no STARTTLS
    assert server.received == []
    assert deps.counters.totals("attention_mails") == {(("outcome", "failed"),): 1}
