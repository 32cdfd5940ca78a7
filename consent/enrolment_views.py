"""What staff read about a course's signing: a typed row per enrolment, built for reading.

The signing connector's side of the read model (beside :mod:`consent.views`): an adapter
fills these from one query set; the API, the pages and the ``signing status`` command show
them. The participant is always masked, since a list never carries a full hetu or name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consent.enrolments import EnrolmentState
from consent.views import ShownParticipant


@dataclass(frozen=True)
class EnrolmentStatus:
    """Where one participant's signing stands: who signs, the link, the outcome."""

    enrolment_id: int
    participant: ShownParticipant  # masked
    guardian_signs: bool  # a guardian signs for a minor
    state: EnrolmentState
    signing_url: str | None
    outcome_reason: str | None  # why it was not signed (expired, cancelled, deleted)
    event_posted: bool  # the outcome went to the intake as a consent event
    signed_pdf: bool  # the signed consent form is kept

    @property
    def waiting(self) -> bool:
        """Whether the signer is invited and has yet to sign, so the link is worth showing."""
        return self.state is EnrolmentState.INVITED


def enrolment_json(row: EnrolmentStatus) -> dict[str, Any]:
    """The row as the staff API shows it, keys in this order."""
    return {
        "enrolment_id": row.enrolment_id,
        "participant": row.participant.hetu,
        "guardian_signs": row.guardian_signs,
        "state": row.state.value,
        "signing_url": row.signing_url,
        "outcome_reason": row.outcome_reason,
        "event_posted": row.event_posted,
        "signed_pdf": row.signed_pdf,
    }
