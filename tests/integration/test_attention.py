"""The attention list over the real ledger (SQLite, PostgreSQL): each kind of item appears
when it should, counted and linked to where it is fixed, and leaves the list once it is
fixed; a seen mark holds until the item changes; "retry all" retries what the list counts,
audited per record; the list costs as many statements at any size."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from consent import binding, grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.attention import SqlAttention
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.pending_imports import SqlPendingImports
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.tables import AuditRow
from consent.attention import AttentionItem, AttentionList, Kind
from consent.errors import NotFound
from consent.model import InboxDelivery, SubmissionState
from consent.rules import MINOR_SIGNED_ALONE
from consent.staff import Actor
from consent.staff_actions import StaffServices
from consent.submissions import SubmissionChange
from tests.courses import course
from tests.integration import test_grading, test_send_again
from tests.integration.test_grading import (
    ADULT,
    GUARDIAN,
    MINOR,
    NOW,
    STRANGER,
    World,
    row,
    staff_services,
)
from tests.integration.test_status import counted_statements
from tests.signing import body_of, event, person
from tests.sql_ledger import SqlLedgerForTests

world = test_grading.world  # the same fixtures: a ledger, its queues and the sandbox
cipher = test_send_again.cipher
CODE = "knoppi-2026-syksy"
MAIJA = Actor.staff("maija")
REFUSED = ("badRequest.validation.koodisto.tuntematonKoodi",)


def services(world: World, engine: Engine, cipher: AesGcmCipher) -> StaffServices:
    """The staff actions over the world, reading the attention list from the ledger."""
    base = staff_services(world, engine)
    attention = SqlAttention(engine, cipher, lambda: NOW)
    return StaffServices(**{**base.__dict__, "attention": attention})


def listed(world: World, engine: Engine, cipher: AesGcmCipher) -> AttentionList:
    return staff_actions.attention_list(services(world, engine, cipher))


def only(attention: AttentionList, kind: Kind) -> AttentionItem:
    """The one item of ``kind``, which must be the list's only item."""
    assert [(g.kind, g.count) for g in attention.groups] == [(kind, 1)]
    return attention.groups[0].items[0]


def sign(
    world: World, member: dict[str, str], signer: dict[str, str], hook: str, **kw: str
) -> None:
    """A consent event for ``member``, signed by ``signer``, bound as the worker binds it."""
    document = event(member, signer, at="2026-09-01T08:15:00Z", document_id=hook, **kw)
    delivery = InboxDelivery(
        "signing", hook, 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    binding.bind_consent(world.ledger.store_delivery(delivery).inbox_id, world.ledger, lambda: NOW)


def sent(world: World, member: dict[str, str], hook: str) -> int:
    """``member``'s consented passed result sent to KOSKI; its submission's id."""
    world.consent(member, member, hook)
    world.import_rows([row(member)])
    world.work()
    return int(
        next(
            r["submission"]["id"]
            for r in world.course_status(CODE)
            if r["participant"]["hetu"].endswith(member["hetu"][6:])
        )
    )


def seen_audited(engine: Engine) -> list[tuple[str, object]]:
    """Who marked what seen, from the audit trail."""
    query = select(AuditRow.actor, AuditRow.details).where(AuditRow.action == "attention.seen")
    with engine.connect() as connection:
        return [(actor, details) for actor, details in connection.execute(query)]


def test_an_empty_ledger_lists_nothing(world: World, engine: Engine, cipher: AesGcmCipher) -> None:
    attention = listed(world, engine, cipher)
    assert (attention.groups, attention.total) == ((), 0)


def test_failed_and_parked_records_are_listed_masked_and_leave_the_list_when_retried(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    failed, parked = sent(world, ADULT, "m1"), sent(world, STRANGER, "m2")
    refused = SubmissionChange(
        state=SubmissionState.FAILED, last_error_keys=REFUSED, last_error_message="Tuntematon koodi"
    )
    world.submissions.change(failed, refused, "test")
    world.submissions.change(parked, SubmissionChange(state=SubmissionState.PARKED), "test")
    attention = listed(world, engine, cipher)
    assert [(g.kind, g.count) for g in attention.groups] == [(Kind.FAILED, 1), (Kind.PARKED, 1)]
    item = attention.groups[0].items[0]
    assert (item.codes, item.course_code, item.message) == (REFUSED, CODE, "Tuntematon koodi")
    assert item.link == f"/staff/courses/{CODE}#submission-{failed}"
    assert item.participant is not None
    assert item.participant.hetu == "******" + ADULT["hetu"][6:]
    assert item.participant.name == "A. V."
    assert attention.retryable() == [failed, parked]
    retried = staff_actions.retry_all(services(world, engine, cipher), MAIJA)
    assert sorted(retried) == sorted([failed, parked])
    assert listed(world, engine, cipher).total == 0
    trail = SqlLedgerForTests(engine, cipher, utc_now)
    for submission_id in (failed, parked):
        actions = trail.audit_trail("submission", submission_id)
        assert [e.actor for e in actions if e.action == "submission.retry"] == ["staff:maija"]


def test_a_record_koski_no_longer_holds_stays_until_the_revocation_is_registered(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    gone = sent(world, ADULT, "m1")
    world.submissions.change(gone, SubmissionChange(state=SubmissionState.DELETED), "test")
    item = only(listed(world, engine, cipher), Kind.GONE)
    assert item.link == f"/staff/courses/{CODE}#submission-{gone}"
    consent_id = world.course_status(CODE)[0]["consent"]["id"]
    world.submissions.revoke(consent_id, MAIJA.audit_name, "staff")
    assert listed(world, engine, cipher).total == 0


def test_a_live_record_the_ledger_no_longer_supports_stays_until_invalidated(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    doubted = sent(world, ADULT, "m1")
    world.import_rows([row(ADULT, grade="hylätty")])  # corrected: not passed after all
    world.work()
    item = only(listed(world, engine, cipher), Kind.UNSUPPORTED)
    assert (item.codes, item.submission_id) == (("not_passed",), doubted)
    staff_actions.invalidate(services(world, engine, cipher), doubted, MAIJA, "wrong_result")
    assert listed(world, engine, cipher).total == 0


def test_a_rejected_consent_stays_until_the_guardian_signs(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    sign(world, MINOR, MINOR, "alone")
    item = only(listed(world, engine, cipher), Kind.REJECTED_CONSENT)
    assert (item.course_code, item.link) == (CODE, f"/staff/courses/{CODE}")
    assert item.codes == (MINOR_SIGNED_ALONE,)
    sign(world, MINOR, GUARDIAN, "guardian")
    assert listed(world, engine, cipher).total == 0


def test_consents_for_an_unknown_course_are_one_item_until_the_course_is_defined(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    sign(world, ADULT, ADULT, "u1", course="kevat-2027")
    sign(world, STRANGER, STRANGER, "u2", course="kevat-2027")
    item = only(listed(world, engine, cipher), Kind.UNKNOWN_COURSE)
    assert (item.course_code, item.records) == ("kevat-2027", 2)
    assert item.link == "/staff/courses/new?code=kevat-2027"
    assert item.participant is None  # counted, never named
    SqlCourses(engine, lambda: NOW).save_course(course(code="kevat-2027"), "test")
    assert listed(world, engine, cipher).total == 0


def test_results_waiting_for_the_course_end_are_counted_per_course_until_their_day(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    later = course(code="joulu-2026", end_date="2026-12-31")
    SqlCourses(engine, lambda: NOW).save_course(later, "test")
    for hook, member in (("w1", ADULT), ("w2", STRANGER)):
        sign(world, member, member, hook, course="joulu-2026")
    rows = [row(ADULT), row(STRANGER)]
    grading.import_results(later, rows, world.results, world.jobs, today=NOW.date(), actor="t")
    world.work()
    item = only(listed(world, engine, cipher), Kind.WAITING_FOR_END)
    assert (item.course_code, item.records, item.link) == (
        "joulu-2026",
        2,
        "/staff/courses/joulu-2026",
    )
    day = dt.datetime(2026, 12, 31, 9, 0, tzinfo=dt.UTC)
    on_the_day = SqlResults(engine, cipher, lambda: day)
    grading.bind_results(on_the_day.due_waiting(day.date()), on_the_day, world.jobs, "vst")
    assert listed(world, engine, cipher).total == 0


def test_an_upload_left_unconfirmed_stays_until_it_is_confirmed_or_dropped(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    pending = SqlPendingImports(engine, cipher, lambda: NOW)
    upload_id = pending.hold(CODE, "csv", b"hetu;grade\n", "staff:maija")
    item = only(listed(world, engine, cipher), Kind.UNCONFIRMED_IMPORT)
    assert (item.course_code, item.link, item.codes) == (
        CODE,
        f"/staff/courses/{CODE}",
        ("results",),
    )
    assert upload_id not in item.key  # the id is the uploader's to confirm with
    pending.forget(upload_id)
    assert listed(world, engine, cipher).total == 0


def test_a_seen_item_stays_listed_as_seen_until_it_changes(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    failed = sent(world, ADULT, "m1")
    refused = SubmissionChange(state=SubmissionState.FAILED, last_error_keys=REFUSED)
    world.submissions.change(failed, refused, "test")
    staff = services(world, engine, cipher)
    key = only(listed(world, engine, cipher), Kind.FAILED).key
    staff_actions.mark_seen(staff, key, MAIJA)
    attention = listed(world, engine, cipher)
    assert only(attention, Kind.FAILED).seen
    assert (attention.total, attention.unseen) == (1, 0)
    assert seen_audited(engine) == [("staff:maija", {"key": key, "kind": "failed"})]
    other = SubmissionChange(last_error_keys=("badRequest.validation.laajuus",))
    world.submissions.change(failed, other, "test")  # KOSKI said something new
    assert not only(listed(world, engine, cipher), Kind.FAILED).seen


def test_marking_an_item_not_listed_is_refused_and_changes_nothing(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    with pytest.raises(NotFound):
        staff_actions.mark_seen(services(world, engine, cipher), "failed:999", MAIJA)
    assert SqlAttention(engine, cipher, lambda: NOW).seen_marks() == {}


def test_the_list_costs_as_many_statements_for_many_items_as_for_one(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    def statements() -> int:
        with counted_statements(engine) as run:
            listed(world, engine, cipher)
        return len(run)

    failed = sent(world, ADULT, "m1")
    world.submissions.change(failed, SubmissionChange(state=SubmissionState.FAILED), "test")
    sign(world, MINOR, MINOR, "alone")
    one = statements()
    people = [person(dt.date(1960, 1, 1) + dt.timedelta(days=n)) for n in range(40)]
    for n, member in enumerate(people):
        sign(world, member, member, f"c{n}")
        sign(world, member, member, f"u{n}", course=f"tuntematon-{n}")
    world.import_rows([row(member) for member in people])
    world.work()
    for status in world.course_status(CODE):
        if status["submission"] is not None:  # not the minor's: rejected, no result
            parked = SubmissionChange(state=SubmissionState.PARKED)
            world.submissions.change(status["submission"]["id"], parked, "test")
    many = listed(world, engine, cipher)
    assert (many.count(Kind.PARKED), many.count(Kind.UNKNOWN_COURSE)) == (41, 40)
    assert statements() == one
