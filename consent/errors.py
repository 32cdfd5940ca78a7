"""Exceptions raised by the domain core.

Every message here is safe to log: none carries a hetu, a name or a secret. Where a
caller needs to know *why*, the exception has a machine-readable ``reason``.
"""


class ConsentError(Exception):
    """Base class for every error the domain core raises on purpose."""


class ConfigurationError(ConsentError):
    """The environment does not describe a process that may start.

    The message names the variable to fix and never echoes its value.
    """


class InvalidHetu(ConsentError):
    """A henkilötunnus failed validation.

    ``reason`` is one of the ``HETU_*`` constants in :mod:`consent.hetu`; the number
    itself is never part of the message.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid henkilötunnus: {reason}")
        self.reason = reason


class TamperedCiphertext(ConsentError):
    """Stored personal data failed authentication and was not decrypted.

    Raised when the ciphertext, its key id or its purpose was altered, or when the key
    that sealed it is no longer configured.
    """


class LedgerContention(ConsentError):
    """The database refused one step for a reason of the moment: a lock it could not get, a
    deadlock, a concurrent insert of the same key, a lost connection. The same step may
    succeed when tried again, so it says nothing about the data it was given (and names
    none of it: only the driver's error class)."""


class InvalidEvent(ConsentError):
    """A consent event names something that does not exist (a hetu with a wrong check character).

    ``field`` is the dotted path of the offending member and ``reason`` a short phrase;
    neither quotes the value.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class EventSchemaViolation(ConsentError):
    """A consent event is JSON but breaks ``schemas/consent_event``.

    ``problems`` name each field and the rule it broke (``field`` and ``reason``); neither
    quotes the event.
    """

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(f"{len(problems)} schema problem(s)")
        self.problems = problems


class InvalidCourse(ConsentError):
    """A course definition breaks a rule (extents that do not add up, a repeated part code)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class OppilaitosLocked(InvalidCourse):
    """A course's oppilaitos cannot change while KOSKI holds records of it: KOSKI refuses
    such an update (``badRequest.validation.organisaatio.oppilaitoksenVaihto``)."""

    def __init__(self) -> None:
        super().__init__(
            "oppilaitos_oid",
            "cannot change while KOSKI holds records of the course: keep the oppilaitos, or"
            " define a new course for the other oppilaitos",
        )


class UnknownCourse(ConsentError):
    """No course with this code is defined."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no course with code {code[:64]!r}")
        self.code = code


class NotFound(ConsentError):
    """No such row (a consent or submission id staff named)."""


class BatchFailed(ConsentError):
    """Some rows of a batch job failed; the others were done.

    ``errors`` maps each failed row's id to the type of what it raised (never a message,
    which could quote data); ``done`` maps each row done to what it came to (a state or
    binding), so that the job can still report them. The work is idempotent: the whole
    batch may run again.
    """

    failed = "row(s) not done"

    def __init__(self, errors: dict[int, str], done: dict[int, str] | None = None) -> None:
        listed = ", ".join(f"{row_id} {kind}" for row_id, kind in errors.items())
        super().__init__(f"{len(errors)} {self.failed}: {listed}")
        self.errors = errors
        self.done = done or {}


class BindingFailed(BatchFailed):
    """Some results of a binding batch could not be bound; the others were."""

    failed = "result(s) not bound"


class SendingFailed(BatchFailed):
    """Some submissions of a range could not be sent or judged; the others were."""

    failed = "submission(s) not sent"


class UnreadableAnswer(ConsentError):
    """KOSKI answered 200 (stored) without naming the record's oid and versionumero.

    The job fails and runs again: the same lähdejärjestelmänId updates that very record.
    """


class NothingToSend(ConsentError):
    """A payload was asked for a result whose record carries nothing (``reason``, a binding
    code such as ``not_passed``): binding keeps such a result from being sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the result's record carries nothing: {reason}")
        self.reason = reason


class CourseRejected(ConsentError):
    """A course document is not a course at all: not strict JSON, or against the course
    schema. ``problems`` name each field and why (``field`` and ``reason``), never a value."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("\n".join(f"{p['field']}: {p['reason']}" for p in problems))
        self.problems = problems


class NotInvalidatable(ConsentError):
    """Only a record that reached KOSKI can be invalidated (mitätöity): this one has no oid."""

    def __init__(self) -> None:
        super().__init__("only a record that reached KOSKI can be invalidated")


class UnknownInvalidationReason(ConsentError):
    """An invalidation's reason is not one of the codes staff may give
    (:data:`consent.grading.INVALIDATION_REASONS`)."""

    def __init__(self) -> None:
        super().__init__("unknown invalidation reason")


class NothingToRetry(ConsentError):
    """Only a parked or failed submission is sent again; this one is in another state."""

    def __init__(self, submission_id: int) -> None:
        super().__init__(f"submission {submission_id} is neither parked nor failed")
        self.submission_id = submission_id


class NotInvalidated(ConsentError):
    """Only an invalidated record is sent again as a new one; this one is in another state."""

    def __init__(self, submission_id: int) -> None:
        super().__init__(f"submission {submission_id} is not invalidated")
        self.submission_id = submission_id


class ConnectorOff(ConsentError):
    """The signing connector is not configured (``SIGNING_CONNECTOR_KEY``): nobody is enrolled."""

    def __init__(self) -> None:
        super().__init__("the signing connector is not configured")


class UploadExpired(ConsentError):
    """The results file checked a moment ago is no longer held (it expired, was imported
    already, or another member uploaded it)."""

    def __init__(self) -> None:
        super().__init__("the checked file is no longer held: upload it again")


class WeakPassword(ConsentError):
    """A new staff password is too short to be accepted (:data:`consent.staff.MIN_PASSWORD`)."""

    def __init__(self, least: int) -> None:
        super().__init__(f"a password needs at least {least} characters")


class AccountExists(ConsentError):
    """A staff account of that username exists already. The message names the account, as
    the staff member typed it for the command; it is no participant's data."""

    def __init__(self, username: str) -> None:
        super().__init__(f"an account named {username!r} exists")


class TokenExists(ConsentError):
    """A staff member holds a token of that name already: revoke it before making another."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a token named {name!r} exists; revoke it first")


class UnknownRemovalReason(ConsentError):
    """A result is removed for one of :data:`consent.staff_actions.people.REMOVAL_REASONS`,
    a code (free text could hold a name); this was none of them."""

    def __init__(self) -> None:
        super().__init__("a removal needs one of the reason codes")


class ResultBeingSent(ConsentError):
    """The result's record is being sent to KOSKI this moment; removing it now could leave
    KOSKI holding a record nobody looks at, so nothing was changed: try again shortly."""

    def __init__(self, result_id: int) -> None:
        super().__init__(f"result {result_id} is being sent to KOSKI; try again in a minute")
        self.result_id = result_id


class IdentifiedByHetu(ConsentError):
    """An oppijanumero was given: this ledger identifies people by hetu only, so nothing is
    found for one (the oppijanumero identities of issue 22 are not here yet)."""

    def __init__(self) -> None:
        super().__init__(
            "tämä rekisteri tunnistaa henkilöt henkilötunnuksella: oppijanumerolla ei löydy"
            " mitään / this ledger identifies people by hetu: nothing is found for an"
            " oppijanumero"
        )


class InvalidMailAddress(ConsentError):
    """A staff account's e-mail address must be one plain address (``name@example.fi``): no
    display name, no spaces, nothing that could become a header of the weekly e-mail."""

    def __init__(self) -> None:
        super().__init__("an e-mail address must look like name@example.fi")


class NoMailAddress(ConsentError):
    """The weekly e-mail was asked for an account that has no e-mail address to send it to."""

    def __init__(self) -> None:
        super().__init__("the account has no e-mail address: set one first")


class MailUnavailable(ConsentError):
    """The SMTP server could not be reached or refused the session (connection, TLS, login):
    nothing of the week's e-mail was taken, so the next sweep sends it again. ``reason`` is the
    failure's type, never the server's words (they may quote an address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the SMTP server was not available ({reason})")
        self.reason = reason


class InvalidOppijanumero(ConsentError):
    """An oppijanumero (KOSKI's person oid) failed validation.

    ``reason`` is one of the ``OID_*`` constants in :mod:`consent.oppijanumero`; the oid
    itself is never part of the message.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid oppijanumero: {reason}")
        self.reason = reason


class ConsentNotRecorded(ConsentError):
    """A consent staff tried to record breaks a rule (who may sign, its date, its form);
    nothing was recorded. ``field`` names the input at fault and ``reason`` says why in
    words that quote no value."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"consent not recorded: {field} {reason}")
        self.field, self.reason = field, reason
