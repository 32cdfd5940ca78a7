"""What has no lasting purpose, and when it goes: the retention rules, as values with no I/O.

The ledger keeps what a person's consent and what KOSKI hang on: every consent in whatever
state, the signed events in the inbox, the signed consent forms (PDFs), and each result that
has a submission row (whatever its state, with or without an oid), with everything about it.
The rest is held only while it may still be needed, and goes :data:`DEFAULT_DAYS` (the
setting ``RETENTION_DAYS``) after the course ended:

- **A result** of a person who never gave a valid consent for its course: no consent row
  at all, or one that is *rejected* (signed by someone who may not consent for them),
  *cancelled* (declined, or the invitation expired) or *withdrawn* (cancelled after signing,
  before anything was sent). A *valid* or *revoked* consent was a valid consent given: its
  results stay. A result with a submission row stays whatever its consent says. "Ended"
  is the later of the course's end date and the result's own ``ended_on``, so neither is
  cut short.
- **An enrolment** (the signing invitation: the signer's sealed contact details and the
  signing link) whose signing ended without a signature (declined, cancelled or expired)
  and whose outcome the connector has posted, of a person with no valid consent for that
  course, once the course ended, or, for a course not defined here, once the invitation
  expired. An enrolment still under way is left to the connector; a signed one holds the
  signed form and stays.
- **A participant** (sealed hetu and names) that nothing refers to any more: no consent, no
  result, no enrolment as the participant or as the signer. It has no purpose either; one
  touched within :data:`IN_FLIGHT` is left, as work under way may be about to refer to it.
- **A pending import** (an uploaded results file held for the staff's confirmation, which
  may name anyone) once it expired, a day after its upload, whoever it names.

Nothing is purged that a later event cannot do without: a consent arriving for a purged
result's participant is bound as ever (the participant is created again) and finds no result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Final

from consent.enrolments import EnrolmentState
from consent.model import ConsentState

DEFAULT_DAYS: Final = 90
MOST_DAYS: Final = 3650  # ten years: a longer setting is surely a mistake
IN_FLIGHT: Final = dt.timedelta(days=1)

# The consent states of a person who never gave a valid consent (beside having no consent
# row at all). Listed, not derived: a state added later keeps its data until it is judged.
NO_VALID_CONSENT: Final = frozenset(
    {ConsentState.REJECTED, ConsentState.CANCELLED, ConsentState.WITHDRAWN}
)
# The enrolment states in which signing ended without a signature.
ENDED_UNSIGNED: Final = frozenset({EnrolmentState.CANCELLED})


@dataclass(frozen=True)
class RetentionLimits:
    """Where the line falls on one run: a course (or a result's own end) that ended on or
    before ``ended_on_or_before`` is past it; an enrolment of a course not defined here is
    past it once its invitation expired before ``expired_before``; a participant untouched
    since before ``untouched_before`` may go if nothing refers to it."""

    now: dt.datetime
    ended_on_or_before: dt.date
    expired_before: dt.datetime
    untouched_before: dt.datetime
    no_valid_consent: frozenset[ConsentState] = NO_VALID_CONSENT
    ended_unsigned: frozenset[EnrolmentState] = ENDED_UNSIGNED


def limits(now: dt.datetime, days: int) -> RetentionLimits:
    """The limits of a run at ``now`` keeping data ``days`` after its course ended: data
    of a course that ended ``days`` days ago or more goes, a day less and it stays."""
    ended = now.astimezone(dt.UTC).date() - dt.timedelta(days=days)
    midnight_after = dt.datetime.combine(ended + dt.timedelta(days=1), dt.time(), dt.UTC)
    return RetentionLimits(now, ended, midnight_after, now - IN_FLIGHT)


@dataclass(frozen=True)
class Purged:
    """How many of each kind a run deleted (or, in a dry run, would delete): counts only."""

    results: int = 0
    enrolments: int = 0
    participants: int = 0
    pending_imports: int = 0

    def counts(self) -> dict[str, int]:
        """Each kind's count by name, in a fixed order (for the audit and the command)."""
        return asdict(self)
