"""A course's records through their whole life, against an independent KOSKI stand-in.

Signed consents reach the web app, staff define the course and import its results through
the staff API and read its status there, and the real RQ worker (with its sweeper) does
the rest while the days go by. The course has three parts and ends in ten days:

- Aino passes it all and ends with the course: her record waits for that day, then goes out
  hyväksytysti suoritettu on its own.
- Bertta fails the second part and stops three days ago: keskeytynyt, dated her own day,
  with only the two passed parts, sent at once.
- Cecilia passes it all and ends in five days: she waits for her own day, not the course's.
- Daniel fails: nothing is sent, and status says why.
- Eero passes, ended yesterday, is sent, and is then regraded hylätty: his record needs
  attention; nothing is sent or invalidated on its own.

Then the course's opintokokonaisuus is corrected (exactly the live records are sent again,
once each), Bertta's record is invalidated and sent again (a new record), Cecilia revokes
her consent in Oma Opintopolku (reconciliation notices; nothing is resent), and Aino's
second run of the same training on the same day is refused by KOSKI as a duplicate, which
status explains. At the end the stand-in holds exactly the records expected, each with
exactly the expected content, and no PUT it accepted changed nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.bootstrap import Services, bootstrap
from consent.config import Settings
from consent.staff import Role
from tests.courses import OPPILAITOS, course_doc
from tests.e2e.stack import configure, post_signed
from tests.koski_standin import PASSWORD, USER, KoskiStandIn, Put, running_standin
from tests.signing import event, person
from web.app import create_app
from workers import sweeper
from workers.worker import build_worker

COURSE = "knoppi-2026-syksy"
SECOND_RUN = "knoppi-2026-uusinta"
AINO = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
BERTTA = person(dt.date(1988, 6, 6), "Bertta", "Laine")
CECILIA = person(dt.date(1979, 7, 7), "Cecilia", "Mäkinen")
DANIEL = person(dt.date(1995, 8, 8), "Daniel", "Koskinen")
EERO = person(dt.date(1985, 3, 3), "Eero", "Nieminen")
PASSED, FAILED = "hyväksytty", "hylätty"
ALL_PASSED = {"KP-1": PASSED, "KP-2": PASSED, "KP-3": PASSED}


class Clock:
    """The stack's time, moved on by the test: real time plus ``ahead``."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utc_now() + self.ahead

    def today(self) -> dt.date:
        """The stack's today (the stand-in's too: KOSKI dates a mitätöinti by it)."""
        return self().date()


class Lifecycle:
    """The stack as staff and time drive it: the staff API, the worker, the stand-in."""

    def __init__(self, services: Services, koski: KoskiStandIn, clock: Clock) -> None:
        self.services, self.koski, self.clock = services, koski, clock
        self.web: FlaskClient = create_app(services=services).test_client()
        token = SqlStaffTokens(services.engine, clock).create(
            "Kaisa Koulutussuunnittelija", Role.STAFF
        )
        self.staff = {"Authorization": f"Bearer {token}"}

    def put_course(self, doc: dict[str, Any]) -> None:
        response = self.web.put(f"/api/courses/{doc['code']}", json=doc, headers=self.staff)
        assert response.status_code == 200, response.get_json()

    def import_results(self, code: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.web.post(f"/api/courses/{code}/results", json=rows, headers=self.staff)
        assert response.status_code == 200, response.get_json()
        answer: dict[str, Any] = response.get_json()
        return answer

    def status(self, code: str = COURSE) -> dict[str, dict[str, Any]]:
        """The course's status rows by initial (all the masked name shows: ``A.``)."""
        response = self.web.get(f"/api/courses/{code}/status", headers=self.staff)
        assert response.status_code == 200
        rows = response.get_json()["participants"]
        return {row["participant"]["name"][0]: row for row in rows}

    def post(self, path: str, body: dict[str, Any] | None = None) -> int:
        status: int = self.web.post(path, json=body, headers=self.staff).status_code
        return status

    def work(self) -> list[Put]:
        """Let the worker run until its queues are empty; the PUTs KOSKI got meanwhile."""
        before = len(self.koski.puts)
        build_worker(services=self.services).work(burst=True)
        return self.koski.puts[before:]

    def day_passes(self, days: int) -> list[Put]:
        """Move on ``days`` days; the sweeper's pass and the worker run as on any day."""
        self.clock.ahead += dt.timedelta(days=days)
        before = len(self.koski.puts)
        sweeper.sweep(self.services)
        self.work()
        return self.koski.puts[before:]


@pytest.fixture
def lifecycle(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    empty_engine: Engine,
) -> Iterator[Lifecycle]:
    """Web and worker configured through the environment, on SQLite and on PostgreSQL,
    sending to the stand-in."""
    clock = Clock()
    with running_standin(clock.today) as (koski, url):
        engine = configure(
            monkeypatch,
            tmp_path,
            empty_engine.url.render_as_string(hide_password=False),
            KOSKI_URL=url,
            KOSKI_USERNAME=USER,
            KOSKI_PASSWORD=PASSWORD,
            KOSKI_RECONCILE_PAUSE_MS="0",
        )
        services = bootstrap(Settings.from_env(), engine=engine, clock=clock, pre_ping=False)
        yield Lifecycle(services, koski, clock)
        engine.dispose()


def _day(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


PARTS: Final[tuple[dict[str, Any], ...]] = (
    {
        "code": "KP-1",
        "name": "Piirustus",
        "description": "Piirustuksen perusteet",
        "laajuus_op": 1.0,
    },
    {"code": "KP-2", "name": "Maalaus", "laajuus_op": 0.5},
    {"code": "KP-3", "name": "Kuvanveisto", "laajuus_op": 0.5},
)


def _three_parts(**changes: Any) -> dict[str, Any]:
    """The course: 2 op in three parts, pass/fail."""
    return course_doc(laajuus_op=2.0, parts=[dict(p) for p in PARTS], **changes)


def _koodi(value: str, koodisto: str) -> dict[str, str]:
    return {"koodiarvo": value, "koodistoUri": koodisto}


def _op(arvo: float) -> dict[str, Any]:
    return {"arvo": arvo, "yksikkö": _koodi("2", "opintojenlaajuusyksikko")}


def _expected(
    who: dict[str, str],
    opintokokonaisuus: str,
    jakso: tuple[str, str],
    parts: str,
    graded_on: str,
    vahvistus: str | None = None,
) -> dict[str, Any]:
    """The record KOSKI should hold, written out from the reference (koski.md §1): ``jakso``
    its date and state, ``parts`` the passed parts' numbers (``"13"``: KP-1 and KP-3)."""
    osasuoritukset = [
        {
            "tyyppi": _koodi("vstvapaatavoitteisenkoulutuksenosasuoritus", "suorituksentyyppi"),
            "koulutusmoduuli": {
                "tunniste": {"koodiarvo": part["code"], "nimi": {"fi": part["name"]}},
                "kuvaus": {"fi": part.get("description", part["name"])},
                "laajuus": _op(part["laajuus_op"]),
            },
            "arviointi": [
                {"arvosana": _koodi("Hyväksytty", "arviointiasteikkovst"), "päivä": graded_on}
            ],
        }
        for part in PARTS
        if part["code"][-1] in parts
    ]
    suoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteinenkoulutus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": _koodi("099999", "koulutus"),
            "laajuus": _op(2.0),
            "opintokokonaisuus": _koodi(opintokokonaisuus, "opintokokonaisuudet"),
        },
        "toimipiste": {"oid": OPPILAITOS},
        "suorituskieli": _koodi("FI", "kieli"),
        "osasuoritukset": osasuoritukset,
    }
    if vahvistus is not None:
        suoritus["vahvistus"] = {
            "päivä": vahvistus,
            "myöntäjäOrganisaatio": {"oid": OPPILAITOS},
            "myöntäjäHenkilöt": [
                {
                    "nimi": "Reija Rehtori",
                    "titteli": {"fi": "rehtori"},
                    "organisaatio": {"oid": OPPILAITOS},
                }
            ],
        }
    day, state = jakso
    return {
        "henkilö": who["hetu"],
        "tyyppi": _koodi("vapaansivistystyonkoulutus", "opiskeluoikeudentyyppi"),
        "oppilaitos": {"oid": OPPILAITOS},
        "tila": {
            "opiskeluoikeusjaksot": [
                {"alku": day, "tila": _koodi(state, "koskiopiskeluoikeudentila")}
            ]
        },
        "suoritukset": [suoritus],
    }


def _held(koski: KoskiStandIn) -> dict[str, dict[str, Any]]:
    """What KOSKI holds by oid, each record without its lähdejärjestelmänId (checked to be
    ours and one of its own)."""
    held = koski.records()
    sources = [record.pop("lähdejärjestelmänId") for record in held.values()]
    assert len({s["id"] for s in sources}) == len(sources)
    assert {s["lähdejärjestelmä"]["koodiarvo"] for s in sources} <= {"vst-consent-sandbox"}
    return held


def _row(
    who: dict[str, str], graded_on: str, parts: dict[str, str], **extra: str
) -> dict[str, Any]:
    grade = PASSED if all(g == PASSED for g in parts.values()) else FAILED
    return {"hetu": who["hetu"], "grade": grade, "graded_on": graded_on, "parts": parts, **extra}


def test_a_course_s_records_follow_oph_s_rules_through_their_whole_life(
    lifecycle: Lifecycle,
) -> None:
    stack, koski = lifecycle, lifecycle.koski
    today = stack.clock.today()
    intake = stack.web
    for n, who in enumerate((AINO, BERTTA, CECILIA, DANIEL, EERO)):
        assert post_signed(intake, event(who, who), f"msg_{n}") == 202
    assert post_signed(intake, event(AINO, AINO, course=SECOND_RUN), "msg_second") == 202

    # Day 0: the course ends in ten days; two records are dated today or before and go out.
    stack.put_course(_three_parts(end_date=_day(today, 10)))
    rows = [
        _row(AINO, today.isoformat(), ALL_PASSED),
        _row(BERTTA, today.isoformat(), {**ALL_PASSED, "KP-2": FAILED}, ended_on=_day(today, -3)),
        _row(CECILIA, today.isoformat(), ALL_PASSED, ended_on=_day(today, 5)),
        _row(DANIEL, today.isoformat(), {"KP-1": FAILED, "KP-2": FAILED, "KP-3": FAILED}),
        _row(EERO, today.isoformat(), ALL_PASSED, ended_on=_day(today, -1)),
    ]
    stack.import_results(COURSE, rows)
    assert _changes(stack.work()) == [True, True]  # Bertta's and Eero's: dated today or before
    status = stack.status()
    assert {initial: row["binding"] for initial, row in status.items()} == {
        "A": "waiting_for_end",
        "B": "eligible",
        "C": "waiting_for_end",
        "D": "not_passed",
        "E": "eligible",
    }
    assert [status[i]["submission"]["state"] for i in "BE"] == ["sent", "sent"]
    assert [status[i]["submission"] for i in "ACD"] == [None, None, None]
    eero = status["E"]["submission"]["oid"]

    # Eero's third part is regraded hylätty: his record is corrected to keskeytynyt at once;
    # then the rest too: it needs attention, and nothing is sent or invalidated.
    eero_ended = _day(today, -1)
    one_failed = {**ALL_PASSED, "KP-3": FAILED}
    stack.import_results(COURSE, [_row(EERO, today.isoformat(), one_failed, ended_on=eero_ended)])
    assert [(p.oid, p.changed) for p in stack.work()] == [(eero, True)]
    all_failed = dict.fromkeys(ALL_PASSED, FAILED)
    stack.import_results(COURSE, [_row(EERO, today.isoformat(), all_failed, ended_on=eero_ended)])
    assert stack.work() == []
    eero_now = stack.status()["E"]
    assert (eero_now["binding"], eero_now["submission"]["state"]) == ("not_passed", "attention")
    assert eero_now["submission"]["attention"] == "not_passed"
    assert eero in koski.records()

    # Day 5: Cecilia's own last day; her record goes out without anyone acting.
    assert _changes(stack.day_passes(5)) == [True]
    assert stack.status()["C"]["submission"]["state"] == "sent"
    assert stack.status()["A"]["submission"] is None

    # Day 10: the course's last day; Aino's record goes out.
    assert _changes(stack.day_passes(5)) == [True]
    status = stack.status()
    assert {i: status[i]["submission"]["state"] for i in "ABCE"} == {
        "A": "sent",
        "B": "sent",
        "C": "sent",
        "E": "attention",
    }
    oids = {i: status[i]["submission"]["oid"] for i in "ABCE"}

    # Importing the same results again and saving the same course send nothing.
    stack.import_results(
        COURSE, [*rows[:4], _row(EERO, today.isoformat(), all_failed, ended_on=eero_ended)]
    )
    stack.put_course(_three_parts(end_date=_day(today, 10)))
    assert stack.work() == []

    # The opintokokonaisuus was wrong: correcting it sends each live record again, once.
    stack.put_course(_three_parts(end_date=_day(today, 10), opintokokonaisuus="1139"))
    corrected = stack.work()
    assert sorted(p.oid or "" for p in corrected) == sorted(oids[i] for i in "ABC")
    assert _changes(corrected) == [True, True, True]

    # Bertta's record is invalidated, then sent again by one action: a new record.
    bertta = status["B"]["submission"]["id"]
    assert stack.post(f"/api/submissions/{bertta}/invalidate", {"reason": "other"}) == 200
    assert oids["B"] not in koski.records()
    assert stack.post(f"/api/submissions/{bertta}/send-again") == 202
    assert _changes(stack.work()) == [True]
    bertta_again = stack.status()["B"]["submission"]
    assert bertta_again["state"] == "sent"
    assert bertta_again["oid"] not in (None, oids["B"])

    # Cecilia revokes in Oma Opintopolku; the next daily check notices, and nothing is resent.
    koski.revoke_in_oma_opintopolku(oids["C"])
    assert stack.day_passes(2) == []
    assert stack.status()["C"]["submission"]["state"] == "deleted"

    # Aino's second run of the same training on the same day: KOSKI's duplicate rule.
    stack.put_course(
        _three_parts(code=SECOND_RUN, end_date=_day(today, 10), opintokokonaisuus="1139")
    )
    answer = stack.import_results(SECOND_RUN, [_row(AINO, today.isoformat(), ALL_PASSED)])
    assert [w["course"] for w in answer["warnings"]] == [COURSE]
    assert [(p.status, p.key) for p in stack.work()] == [(409, "conflict.exists")]
    [duplicate] = stack.status(SECOND_RUN).values()
    assert duplicate["submission"]["last_error_keys"] == ["conflict.exists"]
    assert duplicate["collides_with"] is not None

    # What KOSKI holds in the end, and that it never got a PUT that changed nothing.
    assert all(p.changed for p in koski.puts if p.status == 200)
    graded = today.isoformat()
    assert _held(koski) == {
        oids["A"]: _expected(
            AINO, "1139", (_day(today, 10), "hyvaksytystisuoritettu"), "123", graded, graded
        ),
        bertta_again["oid"]: _expected(
            BERTTA, "1139", (_day(today, -3), "keskeytynyt"), "13", graded
        ),
        eero: _expected(EERO, "1138", (eero_ended, "keskeytynyt"), "12", graded),
    }


def _changes(puts: list[Put]) -> list[bool]:
    """Whether each PUT (all of them accepted) changed what KOSKI holds."""
    assert [p.status for p in puts] == [200] * len(puts)
    return [p.changed for p in puts]
