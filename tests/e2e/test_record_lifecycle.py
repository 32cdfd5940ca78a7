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

A second course, of no parts, ended two days ago: Daniel passed it (the course is its own one
part), Eero interrupted it (a one-part course is never sent as keskeytynyt).

Then the course's opintokokonaisuus is corrected (exactly the live records are sent again,
once each; a part's new name only those that carry it; a new name only its owner's), Bertta's
record is invalidated and sent again (a new record), Cecilia revokes her consent in Oma
Opintopolku (reconciliation notices; nothing is resent), and Aino's second run of the same
training on the same day is refused by KOSKI as a duplicate, which status explains, until
it is corrected; after she revokes that one too, the next send is answered
forbidden.suostumusPeruttu and stops it. At the end the stand-in holds exactly the records
expected, each with exactly the expected content, no PUT it accepted changed nothing, and
none carried a record dated after the day it came.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import redis
from sqlalchemy import Engine

from consent.bootstrap import Services
from tests.courses import course_doc
from tests.e2e.expected_records import expected_record, held_records, passed_parts
from tests.e2e.lifecycle_stack import Clock, StaffStack, lifecycle_services
from tests.e2e.stack import post_signed
from tests.koski_standin import KoskiStandIn, Put
from tests.signing import event, person
from web.staff_pages.texts import text

COURSE = "knoppi-2026-syksy"
SECOND_RUN = "knoppi-2026-uusinta"
AINO = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
BERTTA = person(dt.date(1988, 6, 6), "Bertta", "Laine")
CECILIA = person(dt.date(1979, 7, 7), "Cecilia", "Mäkinen")
DANIEL = person(dt.date(1995, 8, 8), "Daniel", "Koskinen")
EERO = person(dt.date(1985, 3, 3), "Eero", "Nieminen")
PASSED, FAILED = "hyväksytty", "hylätty"
ALL_PASSED = {"KP-1": PASSED, "KP-2": PASSED, "KP-3": PASSED}
ELSEWHERE = "1.2.246.562.10.44330177021"  # another organisation
NO_PARTS, NO_PARTS_NAME = "eratauko-2026", "Erätauko ohjaajakoulutus"


class Lifecycle(StaffStack):
    """The stack, and what the script knows as it goes: the day it began, each
    participant's result row and live KOSKI record (by initial)."""

    def __init__(self, services: Services, koski: KoskiStandIn, clock: Clock) -> None:
        super().__init__(services, koski, clock)
        self.start = clock.today()
        self.oids: dict[str, str] = {}
        self.rows = _results(self.start)

    def day(self, days: int) -> str:
        """The day ``days`` after the script began (ISO)."""
        return (self.start + dt.timedelta(days=days)).isoformat()

    def regrade(self, initial: str, parts: dict[str, str]) -> None:
        """Import ``initial``'s result again, with ``parts`` graded anew."""
        self.rows[initial] = _row(self.rows[initial], parts)
        self.import_results(COURSE, [self.rows[initial]])

    def status(self, code: str = COURSE) -> dict[str, dict[str, Any]]:
        """The course's status rows by initial."""
        return self.course_status(code)


@pytest.fixture
def lifecycle(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    empty_engine: Engine,
) -> Iterator[Lifecycle]:
    """The stack on SQLite and on PostgreSQL, sending to a stand-in of its own."""
    database_url = empty_engine.url.render_as_string(hide_password=False)
    with lifecycle_services(monkeypatch, tmp_path, database_url) as (services, koski, clock):
        yield Lifecycle(services, koski, clock)


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
# A course of no parts is its own one part.
NO_PARTS_AS_PART: Final = ({"code": NO_PARTS, "name": NO_PARTS_NAME, "laajuus_op": 1.5},)
# The same parts, the second one renamed.
RENAMED: Final = (PARTS[0], {**PARTS[1], "name": "Maalaus ja väri"}, PARTS[2])


def _three_parts(parts: tuple[dict[str, Any], ...] = PARTS, **changes: Any) -> dict[str, Any]:
    """The course: 2 op in three parts, pass/fail."""
    return course_doc(laajuus_op=2.0, parts=[dict(p) for p in parts], **changes)


def _no_parts(end_date: str) -> dict[str, Any]:
    """A course of 1.5 op and no parts, pass/fail."""
    return course_doc(
        code=NO_PARTS,
        name={"fi": NO_PARTS_NAME},
        opintokokonaisuus="1140",
        parts=None,
        end_date=end_date,
    )


def _results(start: dt.date) -> dict[str, dict[str, Any]]:
    """Day 0's results, graded that day: who passed what, and who ended on a day of their
    own (Bertta three days ago, Eero yesterday, Cecilia in five days)."""
    graded = start.isoformat()

    def day(days: int) -> str:
        return (start + dt.timedelta(days=days)).isoformat()

    rows = {
        "A": {"hetu": AINO["hetu"]},
        "B": {"hetu": BERTTA["hetu"], "ended_on": day(-3)},
        "C": {"hetu": CECILIA["hetu"], "ended_on": day(5)},
        "D": {"hetu": DANIEL["hetu"]},
        "E": {"hetu": EERO["hetu"], "ended_on": day(-1)},
    }
    grades = {"B": {**ALL_PASSED, "KP-2": FAILED}, "D": dict.fromkeys(ALL_PASSED, FAILED)}
    return {
        i: _row({**row, "graded_on": graded}, grades.get(i, ALL_PASSED)) for i, row in rows.items()
    }


def _row(row: dict[str, Any], parts: dict[str, str]) -> dict[str, Any]:
    """``row`` with ``parts`` as its part grades, passed only if every part is."""
    grade = PASSED if all(g == PASSED for g in parts.values()) else FAILED
    return {**row, "grade": grade, "parts": parts}


def test_a_course_s_records_follow_oph_s_rules_through_their_whole_life(
    lifecycle: Lifecycle,
) -> None:
    stack = lifecycle
    for n, who in enumerate((AINO, BERTTA, CECILIA, DANIEL, EERO)):
        assert post_signed(stack.web, event(who, who), f"msg_{n}") == 202
    assert post_signed(stack.web, event(AINO, AINO, course=SECOND_RUN), "msg_second") == 202
    for n, who in enumerate((DANIEL, EERO)):
        assert post_signed(stack.web, event(who, who, course=NO_PARTS), f"msg_np{n}") == 202
    _only_what_is_passed_and_dated_today_or_before_goes_out(stack)
    _a_course_without_parts_is_its_own_one_part(stack)
    _a_regrade_corrects_the_record_and_a_fail_only_asks_for_attention(stack)
    _each_record_goes_out_on_its_own_day(stack)
    _the_same_results_and_course_again_send_nothing(stack)
    _a_correction_sends_exactly_the_records_it_changes(stack)
    _an_invalidated_record_is_sent_again_by_one_action(stack)
    _a_revocation_in_oma_opintopolku_is_noticed_and_nothing_is_resent(stack)
    _a_second_run_on_the_same_day_is_explained_as_koskis_duplicate(stack)
    _a_duplicate_corrected_goes_out(stack)
    _a_revocation_answered_on_a_send_stops_the_record(stack)
    _koski_holds_exactly_the_expected_records(stack)
    _the_pages_say_where_each_record_stands_in_finnish(stack)


def _only_what_is_passed_and_dated_today_or_before_goes_out(stack: Lifecycle) -> None:
    """Day 0: the course ends in ten days. Bertta (stopped three days ago, one part failed)
    and Eero (ended yesterday) go out at once; Aino and Cecilia wait; Daniel failed. Aino's
    consent for the second run, a course not defined yet, is listed for staff."""
    assert stack.work() == []  # the consents are bound
    stack.put_course(_three_parts(end_date=stack.day(10)))
    unknown = stack.get("/api/consents/unknown-courses")["consents"]
    assert sorted(c["course_code"] for c in unknown) == [NO_PARTS, NO_PARTS, SECOND_RUN]
    stack.import_results(COURSE, [stack.rows[i] for i in "ABCDE"])
    assert _changes(stack.work()) == [True, True]
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
    stack.oids.update({i: status[i]["submission"]["oid"] for i in "BE"})


def _a_course_without_parts_is_its_own_one_part(stack: Lifecycle) -> None:
    """A course of no parts, ended two days ago: Daniel passed it (hyväksytysti suoritettu,
    the course its own one part); Eero interrupted it, and a one-part course is never sent
    as keskeytynyt."""
    stack.put_course(_no_parts(stack.day(-2)))
    rows: list[dict[str, Any]] = [
        {"hetu": DANIEL["hetu"], "grade": PASSED, "graded_on": stack.day(-2)},
        {
            "hetu": EERO["hetu"],
            "grade": PASSED,
            "graded_on": stack.day(-2),
            "status": "interrupted",
            "parts": {NO_PARTS: PASSED},  # its one part passed, yet the course interrupted
        },
    ]
    stack.import_results(NO_PARTS, rows)
    assert _changes(stack.work()) == [True]
    status = stack.status(NO_PARTS)
    assert (status["D"]["submission"]["state"], status["E"]["binding"]) == (
        "sent",
        "single_part_interrupted",
    )
    stack.oids["D"] = status["D"]["submission"]["oid"]


def _a_regrade_corrects_the_record_and_a_fail_only_asks_for_attention(stack: Lifecycle) -> None:
    """Eero's third part is regraded hylätty: his record is corrected to keskeytynyt at
    once. Then the rest too: his record needs attention; nothing is sent or invalidated."""
    stack.regrade("E", {**ALL_PASSED, "KP-3": FAILED})
    assert [(p.oid, p.changed) for p in stack.work()] == [(stack.oids["E"], True)]
    stack.regrade("E", dict.fromkeys(ALL_PASSED, FAILED))
    assert stack.work() == []
    eero = stack.status()["E"]
    assert (eero["binding"], eero["submission"]["state"]) == ("not_passed", "attention")
    assert eero["submission"]["attention"] == "not_passed"
    assert stack.oids["E"] in stack.koski.records()
    assert 'vst_submissions{state="attention"} 1.0' in stack.web.get("/metrics").get_data(
        as_text=True
    )


def _each_record_goes_out_on_its_own_day(stack: Lifecycle) -> None:
    """Day 5 is Cecilia's own last day, day 10 the course's and Aino's: each record goes out
    on its day without anyone acting."""
    assert _changes(stack.day_passes(5)) == [True]
    status = stack.status()
    assert (status["C"]["submission"]["state"], status["A"]["submission"]) == ("sent", None)
    assert _changes(stack.day_passes(5)) == [True]
    status = stack.status()
    assert {i: status[i]["submission"]["state"] for i in "ABCE"} == {
        "A": "sent",
        "B": "sent",
        "C": "sent",
        "E": "attention",
    }
    stack.oids.update({i: status[i]["submission"]["oid"] for i in "AC"})


def _the_same_results_and_course_again_send_nothing(stack: Lifecycle) -> None:
    stack.import_results(COURSE, [stack.rows[i] for i in "ABCDE"])
    stack.put_course(_three_parts(end_date=stack.day(10)))
    assert stack.work() == []


def _a_correction_sends_exactly_the_records_it_changes(stack: Lifecycle) -> None:
    """The opintokokonaisuus was wrong: correcting it sends each live record again, once.
    A part's new name reaches only the records that carry the part (Bertta's does not), a
    participant's new name only hers; a new oppilaitos, which KOSKI refuses on update, is
    refused while KOSKI holds records of the course."""
    stack.put_course(_three_parts(end_date=stack.day(10), opintokokonaisuus="1139"))
    corrected = stack.work()
    assert sorted(p.oid or "" for p in corrected) == sorted(stack.oids[i] for i in "ABC")
    assert _changes(corrected) == [True, True, True]
    stack.put_course(_three_parts(RENAMED, end_date=stack.day(10), opintokokonaisuus="1139"))
    renamed = stack.work()
    assert sorted(p.oid or "" for p in renamed) == sorted(stack.oids[i] for i in "AC")
    assert _changes(renamed) == [True, True]
    stack.rows["A"] = {**stack.rows["A"], "first_names": "Aino Maria", "last_name": "Virtanen"}
    stack.import_results(COURSE, [stack.rows["A"]])
    assert [(p.oid, p.changed) for p in stack.work()] == [(stack.oids["A"], True)]
    moved = _three_parts(
        RENAMED, end_date=stack.day(10), opintokokonaisuus="1139", oppilaitos_oid=ELSEWHERE
    )
    response = stack.web.put(f"/api/courses/{COURSE}", json=moved, headers=stack.staff)
    assert response.status_code == 409
    assert stack.work() == []


def _an_invalidated_record_is_sent_again_by_one_action(stack: Lifecycle) -> None:
    bertta = stack.status()["B"]["submission"]["id"]
    assert stack.post(f"/api/submissions/{bertta}/invalidate", {"reason": "other"}) == 200
    assert stack.oids["B"] not in stack.koski.records()
    assert stack.post(f"/api/submissions/{bertta}/send-again") == 202
    assert _changes(stack.work()) == [True]
    again = stack.status()["B"]["submission"]
    assert again["state"] == "sent"
    assert again["oid"] not in (None, stack.oids["B"])
    stack.oids["B"] = again["oid"]


def _a_revocation_in_oma_opintopolku_is_noticed_and_nothing_is_resent(stack: Lifecycle) -> None:
    """Cecilia revokes; the next daily check notices, and nothing is sent again."""
    stack.koski.revoke_in_oma_opintopolku(stack.oids["C"])
    assert stack.day_passes(2) == []
    assert stack.status()["C"]["submission"]["state"] == "deleted"
    metrics = stack.web.get("/metrics").get_data(as_text=True)
    assert 'vst_koski_reconciliation_total{outcome="gone"} 1.0' in metrics


def _a_second_run_on_the_same_day_is_explained_as_koskis_duplicate(stack: Lifecycle) -> None:
    """Aino's second run of the same training ends on the same day: warned of at import,
    refused by KOSKI once (conflict.exists, never retried on its own), and status names the
    course it collides with. Retrying the course's failed records sends it once more, and
    KOSKI refuses it again: a duplicate is corrected, not retried."""
    stack.put_course(
        _three_parts(code=SECOND_RUN, end_date=stack.day(10), opintokokonaisuus="1139")
    )
    answer = stack.import_results(SECOND_RUN, [stack.rows["A"]])
    assert [w["course"] for w in answer["warnings"]] == [COURSE]
    assert [(p.status, p.key) for p in stack.work()] == [(409, "conflict.exists")]
    [duplicate] = stack.status(SECOND_RUN).values()
    assert duplicate["submission"]["state"] == "failed"
    assert duplicate["submission"]["last_error_keys"] == ["conflict.exists"]
    assert duplicate["collides_with"] == COURSE
    assert stack.work() == []
    assert stack.post(f"/api/courses/{SECOND_RUN}/retry") == 200
    assert [(p.status, p.key) for p in stack.work()] == [(409, "conflict.exists")]
    assert stack.status(SECOND_RUN)["A"]["collides_with"] == COURSE


def _a_duplicate_corrected_goes_out(stack: Lifecycle) -> None:
    """The second run really ended a day later: corrected, its record goes out at once."""
    stack.put_course(
        _three_parts(code=SECOND_RUN, end_date=stack.day(11), opintokokonaisuus="1139")
    )
    assert _changes(stack.work()) == [True]
    [second] = stack.status(SECOND_RUN).values()
    assert (second["submission"]["state"], second["collides_with"]) == ("sent", None)
    stack.oids["A2"] = second["submission"]["oid"]


def _a_revocation_answered_on_a_send_stops_the_record(stack: Lifecycle) -> None:
    """Aino revokes her second record, and before any check notices, staff correct that
    course: KOSKI answers the one PUT with forbidden.suostumusPeruttu, and her consent for
    it is revoked; nothing more is sent. Her first record stays."""
    stack.koski.revoke_in_oma_opintopolku(stack.oids["A2"])
    stack.put_course(
        _three_parts(RENAMED, code=SECOND_RUN, end_date=stack.day(11), opintokokonaisuus="1139")
    )
    assert [(p.status, p.key) for p in stack.work()] == [(403, "forbidden.suostumusPeruttu")]
    [second] = stack.status(SECOND_RUN).values()
    assert (second["consent"]["state"], second["submission"]["state"]) == ("revoked", "revoked")
    assert stack.day_passes(1) == []
    assert stack.status()["A"]["submission"]["state"] == "sent"


def _koski_holds_exactly_the_expected_records(stack: Lifecycle) -> None:
    """What KOSKI holds in the end, each record exactly; no PUT it accepted changed
    nothing, and none carried a record dated after the day it came."""
    graded = stack.day(0)
    assert held_records(stack.koski) == {
        stack.oids["A"]: expected_record(
            {**AINO, "first_names": "Aino Maria"},
            "1139",
            2.0,
            (stack.day(10), "hyvaksytystisuoritettu"),
            passed_parts(RENAMED, "123", graded),
            vahvistus=graded,
        ),
        stack.oids["B"]: expected_record(
            BERTTA,
            "1139",
            2.0,
            (stack.day(-3), "keskeytynyt"),
            passed_parts(RENAMED, "13", graded),
        ),
        stack.oids["D"]: expected_record(
            DANIEL,
            "1140",
            1.5,
            (stack.day(-2), "hyvaksytystisuoritettu"),
            passed_parts(NO_PARTS_AS_PART, "1", stack.day(-2)),
            vahvistus=stack.day(-2),
        ),
        stack.oids["E"]: expected_record(
            EERO, "1138", 2.0, (stack.day(-1), "keskeytynyt"), passed_parts(PARTS, "12", graded)
        ),
    }
    assert all(p.changed for p in stack.koski.puts if p.status == 200)
    assert all(p.dated <= p.received_on for p in stack.koski.puts)
    refused = [p.key for p in stack.koski.puts if p.status != 200]
    assert refused == ["conflict.exists", "conflict.exists", "forbidden.suostumusPeruttu"]


def _the_pages_say_where_each_record_stands_in_finnish(stack: Lifecycle) -> None:
    """The course's page, as a trainer reads it: every state the script came to, in words."""
    page = stack.page(f"/staff/courses/{COURSE}")
    for label in ("state.sent", "state.attention", "state.deleted", "why.not_passed"):
        assert text(label) in page, label
    second = stack.page(f"/staff/courses/{SECOND_RUN}")
    assert text("state.revoked") in second


def _changes(puts: list[Put]) -> list[bool]:
    """Whether each PUT (all of them accepted) changed what KOSKI holds."""
    assert [p.status for p in puts] == [200] * len(puts)
    return [p.changed for p in puts]
