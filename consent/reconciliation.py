"""Reconciliation: checking, now and then, that KOSKI still holds the records the ledger says
it does.

A participant who revokes their consent in Oma Opintopolku makes KOSKI delete the record at
once, and KOSKI tells no source system (no API lists the revocations of an organisation). The
signs are a 404 on reading the record by its oid and a 403 ``forbidden.suostumusPeruttu`` on
sending it again. So a periodic job reads live records back (``GET
/api/opiskeluoikeus/{oid}``), those longest unchecked first, a bounded batch to a run with a
pause between calls:

- found: noted (when it was last found), nothing else changes;
- 404: gone from KOSKI (revoked by the participant, or removed there): the submission is
  marked deleted, shown to staff, and never sent again on its own;
- 403 ``forbidden.suostumusPeruttu``: the consent is marked revoked, as when a send is
  answered so (:func:`consent.grading.store_outcome`, the one place);
- anything else (KOSKI down, throttling, refusing us): the run stops there, and the record
  stays due for the next run.

Nothing here ever sends a record. Each record is read, judged and stored on its own, so a
run that is killed leaves every record either checked or still due.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Final

from consent.config import ReconcileSettings
from consent.grading import store_outcome
from consent.koski_answers import Verdict, judge
from consent.model import SubmissionState
from consent.ports import Clock, KoskiRecords, RecordChecks, Submissions
from consent.submissions import stopped_by_koski

# The states of a submission whose record KOSKI holds: sent, or in doubt since (attention).
LIVE: Final = frozenset({SubmissionState.SENT, SubmissionState.ATTENTION})
# Who the audit trail names for what a check stored.
RECONCILER: Final = "reconciliation"


class Check(enum.StrEnum):
    """What checking one record came to (a label of the reconciliation counter)."""

    FOUND = "found"  # KOSKI holds it
    GONE = "gone"  # 404: deleted in KOSKI (revoked by the participant, or removed there)
    REVOKED = "revoked"  # 403 forbidden.suostumusPeruttu: the consent is marked revoked
    FAILED = "failed"  # no verdict (KOSKI down, throttling, refusing): still due
    SKIPPED = "skipped"  # no longer live since it was listed: nothing to check


def due(checks: RecordChecks, schedule: ReconcileSettings, clock: Clock) -> list[int]:
    """The live records to check in the next run: at most a batch of those not found in
    KOSKI (or sent) for an interval, the longest unchecked first; none when turned off."""
    if not schedule.enabled:
        return []
    return checks.due_checks(clock() - schedule.interval, schedule.batch)


def reconcile(  # noqa: PLR0917 - the ids, three ports, the clock and the pause
    submission_ids: Sequence[int],
    submissions: Submissions,
    checks: RecordChecks,
    koski: KoskiRecords,
    clock: Clock,
    pause: Callable[[], None],
) -> dict[int, Check]:
    """Check each record in turn against KOSKI, pausing between calls; what each came to.

    The first check with no verdict stops the run (KOSKI is down or refusing: the rest
    are not asked into it); those after it are left out of the answer, still due."""
    checked: dict[int, Check] = {}
    called = False
    for submission_id in submission_ids:
        if called:
            pause()
        check = check_record(submission_id, submissions, checks, koski, clock)
        checked[submission_id] = check
        called = check is not Check.SKIPPED
        if check is Check.FAILED:
            break
    return checked


def check_record(
    submission_id: int,
    submissions: Submissions,
    checks: RecordChecks,
    koski: KoskiRecords,
    clock: Clock,
) -> Check:
    """Read one record back from KOSKI and store what the answer says of it."""
    view = submissions.send_view(submission_id)
    oid = view.right.oid
    if view.state not in LIVE or oid is None:
        return Check.SKIPPED
    answer = koski.get_opiskeluoikeus(oid)
    judgement = judge(answer, known_oid=True)
    if judgement.verdict is Verdict.STORED:
        checks.found(submission_id, oid, clock())
        return Check.FOUND
    stopped = stopped_by_koski(view, answer.status, judgement)
    if stopped is None:
        return Check.FAILED
    store_outcome(submission_id, stopped, submissions, RECONCILER)
    return Check.REVOKED if stopped.revokes is not None else Check.GONE
