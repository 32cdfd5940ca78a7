"""Each sealed column's purpose, authenticated with its value so values cannot swap columns."""

from typing import Final

HETU: Final = "participant.hetu"
NAMES: Final = "participant.names"
SIGNER: Final = "consent.signer"
INBOX_BODY: Final = "webhook_inbox.body"
PENDING_IMPORT: Final = "pending_import.content"
CONTACT: Final = "enrolment.contact"
SIGNED_PDF: Final = "enrolment.signed_pdf"
CONSENT_PDF: Final = "consent.pdf"  # a staff-recorded consent's scanned form
OID: Final = "participant.oid"  # an oppijanumero, for a person without a hetu
BIRTH_DATE: Final = "participant.birth_date"  # an oid person's, as staff recorded it
