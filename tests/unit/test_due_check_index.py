"""The partial index behind reconciliation's scan names the states the scan asks for."""

from __future__ import annotations

import re

from consent.adapters.sql.tables import LIVE_WITH_OID
from consent.reconciliation import LIVE


def test_the_due_check_index_covers_exactly_the_live_states_reconciliation_scans() -> None:
    listed = re.search(r"state IN \(([^)]*)\)", LIVE_WITH_OID)
    assert listed is not None
    named = {name.strip(" '") for name in listed.group(1).split(",")}
    assert named == {state.value for state in LIVE}
    assert LIVE_WITH_OID.endswith("AND oid IS NOT NULL")
