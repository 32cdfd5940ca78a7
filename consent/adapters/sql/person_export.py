"""What the SQL ledger holds about one person, read for their right of access: one query
set by the blind indexes of their hetu, as participant and as signer (the read model of
:mod:`consent.person_views`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from consent import views
from consent.adapters.sql import participants, purposes
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    CourseRow,
    EnrolmentRow,
    ParticipantRow,
    ResultRow,
    RevocationRow,
    SubmissionRow,
)
from consent.hetu import Hetu
from consent.model import Participant, Person
from consent.oppijanumero import Oppijanumero
from consent.person_views import (
    ExportedAuditEvent,
    ExportedConsent,
    ExportedEnrolment,
    ExportedResult,
    ExportedRevocation,
    ExportedSubmission,
    PersonExport,
    SignedForOther,
)
from consent.ports import PiiCipher, Sealed
from consent.views import MASK


class PersonExportReader:
    """Reads one person's export inside a session: nine statements whatever they hold."""

    def __init__(self, cipher: PiiCipher) -> None:
        self._cipher = cipher

    def read(self, session: Session, who: Hetu | Oppijanumero) -> PersonExport:
        """Everything held about the person of a hetu or an oppijanumero, as participant and
        as signer (a signer is found by hetu only: one signs with bank ID)."""
        hetu = who.reveal() if isinstance(who, Hetu) else None
        indexes = [] if hetu is None else self._cipher.blind_indexes(hetu, purposes.HETU)
        row = participants.find_row(session, self._cipher, who)
        pid = None if row is None else row.id
        consents = self._consents(session, pid)
        signed = self._signed_for_others(session, indexes, pid)
        results = self._results(session, pid)
        submissions = self._submissions(session, [r.id for r in results])
        enrolments = self._enrolments(session, pid)
        person = self._person(row, signed)
        if person is None:
            return PersonExport(None, None)
        subjects = _subjects(pid, consents, signed, submissions, enrolments)
        return PersonExport(
            person=person,
            participant_id=pid,
            consents=tuple(c for c, _ in consents),
            signed_for_others=tuple(s for s, _ in signed),
            results=tuple(results),
            submissions=tuple(submissions),
            revocations=self._revocations(session, [c.id for c, _ in consents]),
            enrolments=tuple(enrolments),
            audit=self._audit(session, subjects),
        )

    def _person(
        self, row: ParticipantRow | None, signed: list[tuple[SignedForOther, Person]]
    ) -> Participant | None:
        """Who the export is of: as a participant row holds them, else as they signed."""
        if row is not None:
            return participants.person(self._cipher, row)
        if signed:
            return signed[0][1]
        return None

    def _consents(
        self, session: Session, pid: int | None
    ) -> list[tuple[ExportedConsent, ConsentRow]]:
        if pid is None:
            return []
        query = select(ConsentRow).where(ConsentRow.participant_id == pid).order_by(ConsentRow.id)
        return [(self._consent(row, pid), row) for row in session.execute(query).scalars()]

    def _consent(self, row: ConsentRow, pid: int) -> ExportedConsent:
        signer = self._signer(row)
        other = signer is not None and row.signer_relation != "self"
        if signer is None and row.signer_relation == "guardian":
            return self._named_guardian(row)
        return ExportedConsent(
            id=row.id,
            course_code=row.course_code,
            state=row.state,
            reason=row.reason,
            document_id=row.document_id,
            signed_at=row.signed_at,
            received_at=row.created_at,
            signer_relation=row.signer_relation,
            signer_name=_name(signer) if signer is not None and other else None,
            signer_hetu=_masked(signer.hetu) if signer is not None and other else None,
        )

    def _signer(self, row: ConsentRow) -> Person | None:
        """Who signed, if a person with a hetu (a guardian staff knew by name only has none)."""
        opened = self._opened_signer(row)
        if opened is None or "hetu" not in opened:
            return None
        return Person(Hetu(opened["hetu"]), opened["first_names"], opened["last_name"])

    def _opened_signer(self, row: ConsentRow) -> dict[str, str] | None:
        if row.signer_key_id is None or row.signer_sealed is None:
            return None
        sealed = Sealed(row.signer_key_id, row.signer_sealed)
        opened: dict[str, str] = json.loads(self._cipher.open(sealed, purposes.SIGNER))
        return opened

    def _named_guardian(self, row: ConsentRow) -> ExportedConsent:
        """A staff-recorded consent signed by a guardian known by name only."""
        opened = self._opened_signer(row) or {}
        name = f"{opened.get('first_names', '')} {opened.get('last_name', '')}".strip()
        return ExportedConsent(
            id=row.id,
            course_code=row.course_code,
            state=row.state,
            reason=row.reason,
            document_id=row.document_id,
            signed_at=row.signed_at,
            received_at=row.created_at,
            signer_relation=row.signer_relation,
            signer_name=name or None,
            signer_hetu=None,
        )

    def _signed_for_others(
        self, session: Session, indexes: Sequence[str], pid: int | None
    ) -> list[tuple[SignedForOther, Person]]:
        """The consents the person signed for someone else, with the signer as they signed."""
        query = (
            select(ConsentRow, ParticipantRow)
            .join(ParticipantRow, ParticipantRow.id == ConsentRow.participant_id)
            .where(ConsentRow.signer_index.in_(indexes))
            .order_by(ConsentRow.id)
        )
        found = []
        for consent, child_row in session.execute(query):
            signer = self._signer(consent)
            if consent.participant_id == pid or signer is None:
                continue
            child = participants.person(self._cipher, child_row)
            shown = SignedForOther(
                consent_id=consent.id,
                course_code=consent.course_code,
                state=consent.state,
                document_id=consent.document_id,
                signed_at=consent.signed_at,
                participant_name=_name(child),
                participant_hetu=views.shown(child).hetu,
            )
            found.append((shown, signer))
        return found

    def _results(self, session: Session, pid: int | None) -> list[ExportedResult]:
        if pid is None:
            return []
        query = (
            select(ResultRow, CourseRow)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(ResultRow.participant_id == pid)
            .order_by(ResultRow.id)
        )
        return [
            ExportedResult(
                id=result.id,
                course_code=course.code,
                course_name=course.name_fi,
                grade=result.grade or None,
                graded_on=result.graded_on,
                ended_on=result.ended_on,
                status=result.status,
                part_grades=dict(result.part_grades or {}),
                binding=result.binding,
                removed_at=result.removed_at,
            )
            for result, course in session.execute(query)
        ]

    def _submissions(self, session: Session, result_ids: list[int]) -> list[ExportedSubmission]:
        query = (
            select(SubmissionRow, CourseRow.code)
            .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(SubmissionRow.result_id.in_(result_ids))
            .order_by(SubmissionRow.id)
        )
        return [
            ExportedSubmission(
                id=sub.id,
                result_id=sub.result_id,
                course_code=code,
                state=sub.state,
                oid=sub.oid,
                versionumero=sub.versionumero,
                sent_at=sub.sent_at,
                last_status=sub.last_status,
                last_error_keys=tuple(str(k) for k in sub.last_error_keys or ()),
                attention=sub.attention,
                created_at=sub.created_at,
            )
            for sub, code in session.execute(query)
        ]

    def _revocations(
        self, session: Session, consent_ids: list[int]
    ) -> tuple[ExportedRevocation, ...]:
        query = (
            select(RevocationRow)
            .where(RevocationRow.consent_id.in_(consent_ids))
            .order_by(RevocationRow.id)
        )
        return tuple(
            ExportedRevocation(r.consent_id, r.registered_at, r.source, r.notified_on)
            for r in session.execute(query).scalars()
        )

    def _enrolments(self, session: Session, pid: int | None) -> list[ExportedEnrolment]:
        """The enrolments the person is the participant or the signer of; the contact (the
        signer's) only where they sign, the signed form in either case."""
        if pid is None:
            return []
        query = (
            select(EnrolmentRow)
            .where(or_(EnrolmentRow.participant_id == pid, EnrolmentRow.signer_id == pid))
            .order_by(EnrolmentRow.id)
        )
        return [self._enrolment(row, pid) for row in session.execute(query).scalars()]

    def _enrolment(self, row: EnrolmentRow, pid: int) -> ExportedEnrolment:
        signs = row.signer_id == pid
        role = "participant" if not signs else "signer"
        if signs and row.participant_id == pid:
            role = "participant_and_signer"
        contact = None
        if signs:
            sealed = Sealed(row.contact_key_id, row.contact_sealed)
            contact = json.loads(self._cipher.open(sealed, purposes.CONTACT))
        pdf = None
        if row.pdf_key_id is not None and row.pdf_sealed is not None:
            sealed = Sealed(row.pdf_key_id, row.pdf_sealed)
            pdf = self._cipher.open_bytes(sealed, purposes.SIGNED_PDF)
        return ExportedEnrolment(
            id=row.id,
            course_code=row.course_code,
            role=role,
            state=row.state,
            outcome_at=row.outcome_at,
            outcome_reason=row.outcome_reason,
            contact=contact,
            signed_pdf=pdf,
        )

    def _audit(
        self, session: Session, subjects: list[tuple[str, int]]
    ) -> tuple[ExportedAuditEvent, ...]:
        if not subjects:
            return ()
        query = (
            select(AuditRow)
            .where(tuple_(AuditRow.subject_type, AuditRow.subject_id).in_(subjects))
            .order_by(AuditRow.id)
        )
        return tuple(
            ExportedAuditEvent(
                a.id,
                a.occurred_at,
                a.actor,
                a.action,
                a.subject_type,
                a.subject_id,
                a.details or {},
            )
            for a in session.execute(query).scalars()
        )


def _subjects(
    pid: int | None,
    consents: list[tuple[ExportedConsent, ConsentRow]],
    signed: list[tuple[SignedForOther, Person]],
    submissions: list[ExportedSubmission],
    enrolments: list[ExportedEnrolment],
) -> list[tuple[str, int]]:
    """The audit subjects that are about the person: themself, their consents, the consents
    they signed, their KOSKI records and their enrolments."""
    subjects = [("participant", pid)] if pid is not None else []
    subjects += [("consent", c.id) for c, _ in consents]
    subjects += [("consent", s.consent_id) for s, _ in signed]
    subjects += [("submission", s.id) for s in submissions]
    subjects += [("enrolment", e.id) for e in enrolments]
    return subjects


def _name(person: Participant) -> str:
    return f"{person.first_names} {person.last_name}".strip()


def _masked(hetu: Hetu) -> str:
    """The hetu with its date of birth hidden, as lists show it."""
    return MASK + hetu.reveal()[6:]
