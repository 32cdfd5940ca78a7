"""Route pieces the API and the staff pages share."""

from __future__ import annotations

from typing import Final

# A row id in an address: a BIGINT at most, so a longer number is a 404, not a database error.
ROW_ID: Final = "int(max=9223372036854775807)"
