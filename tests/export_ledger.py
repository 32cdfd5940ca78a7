"""A ledger built row by row for the export tests: courses, participants with consents and
results, their submissions sent, failed or invalidated as the real adapters store them, and
a signed form kept by an enrolment."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import participants
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.submissions import SqlSubmissions
from consent.adapters.sql.tables import ConsentRow, ResultRow, SubmissionRow
from consent.config import Settings
from consent.enrolments import EnrolmentRow
from consent.hetu import Hetu
from consent.model import OidPerson, Participant, Person, SubmissionState
from consent.oppijanumero import Oppijanumero
from consent.submissions import SubmissionChange
from tests.courses import course

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)


def cipher() -> AesGcmCipher:
    """The development keys' cipher, as the app under test builds it."""
    return AesGcmCipher(Settings.from_env({}).pii_keys)


@dataclass(frozen=True)
class Entry:
    """One participant's rows: their id, consent, result and submission (each may be None)."""

    participant_id: int
    consent_id: int | None
    result_id: int | None
    submission_id: int | None


class ExportLedger:
    """Builds the rows the exports read, over a real engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cipher = cipher()

    def course(
        self, code: str, *, opintokokonaisuus: str = "1138", end: dt.date = dt.date(2026, 11, 20)
    ) -> int:
        """A course (1.5 op in two parts); its id."""
        defined = course(code=code, opintokokonaisuus=opintokokonaisuus, end_date=end.isoformat())
        return SqlCourses(self.engine, lambda: NOW).save_course(defined, "test")

    def participant(
        self,
        code: str,
        course_id: int | None,
        member: dict[str, str],
        *,
        consent: str | None = "valid",
        relation: str = "self",
        grade: str | None = "hyväksytty",
        status: str = "completed",
        ended_on: dt.date | None = None,
        binding: str = "eligible",
    ) -> Entry:
        """``member`` on the course: a consent (unless None) and a result (unless None);
        a member with an ``oid`` instead of a ``hetu`` is a person without a hetu."""
        person: Participant
        if "oid" in member:
            oid, born = Oppijanumero.parse(member["oid"]), dt.date(1995, 3, 3)
            person = OidPerson(oid, born, member["first_names"], member["last_name"])
        else:
            person = Person(Hetu(member["hetu"]), member["first_names"], member["last_name"])
        with Session(self.engine) as session, session.begin():
            pid = participants.save(session, self.cipher, person, NOW)
            consent_id = None
            if consent is not None:
                row = ConsentRow(
                    course_code=code,
                    participant_id=pid,
                    state=consent,
                    signer_relation=relation,
                    signed_at=dt.datetime(2026, 9, 1, 8, 15, tzinfo=dt.UTC),
                    created_at=NOW,
                    updated_at=NOW,
                )
                session.add(row)
                session.flush()
                consent_id = row.id
            result_id = None
            if grade is not None and course_id is not None:
                result = ResultRow(
                    course_id=course_id,
                    participant_id=pid,
                    grade=grade,
                    graded_on=dt.date(2026, 11, 20),
                    ended_on=ended_on,
                    status=status,
                    content_hash=f"hash-{next(_ids)}",
                    consent_id=consent_id,
                    binding=binding,
                    created_at=NOW,
                    updated_at=NOW,
                )
                session.add(result)
                session.flush()
                result_id = result.id
        return Entry(pid, consent_id, result_id, None)

    def submission(self, entry: Entry) -> Entry:
        """A pending submission of the entry's result."""
        assert entry.result_id is not None
        with Session(self.engine) as session, session.begin():
            row = SubmissionRow(
                result_id=entry.result_id,
                source_id=f"src-{next(_ids)}",
                source_system="test",
                state=SubmissionState.PENDING.value,
                attempts=0,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(row)
            session.flush()
            return Entry(entry.participant_id, entry.consent_id, entry.result_id, row.id)

    def change(self, entry: Entry, change: SubmissionChange, at: dt.datetime = NOW) -> None:
        """Store a change of the entry's submission as the sending code does, at ``at``."""
        assert entry.submission_id is not None
        SqlSubmissions(self.engine, self.cipher, lambda: at).change(
            entry.submission_id, change, "test"
        )

    def sent(self, entry: Entry, oid: str, at: dt.datetime = NOW) -> Entry:
        """The entry's result sent: KOSKI holds it under ``oid``, version 1."""
        entry = self.submission(entry)
        state = SubmissionState.SENT
        self.change(entry, SubmissionChange(state=state, oid=oid, versionumero=1, sent_at=at), at)
        return entry

    def invalidated(self, entry: Entry, at: dt.datetime) -> None:
        """The entry's record invalidated in KOSKI at ``at`` (its oid forgotten)."""
        change = SubmissionChange(
            state=SubmissionState.INVALIDATED, oid=None, versionumero=None, payload_hash=None
        )
        self.change(entry, change, at)

    def signed_form(self, code: str, member: dict[str, str], pdf: bytes) -> int:
        """``member`` enrolled on the course and their signed form kept; the enrolment id."""
        enrolments = SqlEnrolments(self.engine, self.cipher, lambda: NOW)
        person = Person(Hetu(member["hetu"]), member["first_names"], member["last_name"])
        expires = NOW + dt.timedelta(days=30)
        (enrolment_id,), _ = enrolments.enrol(
            code, [EnrolmentRow(person, person, {"email": "x@example.invalid"})], expires, "test"
        )
        enrolments.keep_signed_pdf(enrolment_id, pdf)
        return enrolment_id
