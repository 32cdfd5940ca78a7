"""RQ jobs: thin, importable functions whose only arguments are row ids.

Each builds its dependencies in the work horse (nothing connects before the fork) and
calls one use case. Failures are not caught here: they reach RQ's retry and failed
registry, while the ledger row records what happened.
"""

from __future__ import annotations

import logging

from consent import services
from workers.bootstrap import dependencies

log = logging.getLogger("vst.worker")


def bind_consent(inbox_id: int) -> str:
    """Bind stored delivery ``inbox_id`` to the consent ledger."""
    deps = dependencies()
    outcome = services.bind_consent(
        inbox_id, deps.ledger, deps.clock, deps.settings.allow_temporary_hetu
    )
    log.info("consent.bound inbox_id=%s outcome=%s", inbox_id, outcome)
    return outcome


def sweep() -> dict[str, int]:
    """Re-queue deliveries whose binding job vanished; schedules the next sweep first."""
    deps = dependencies()
    deps.queue.schedule_sweep(deps.clock())
    counts = services.sweep_deliveries(deps.ledger, deps.queue, deps.clock)
    log.info("sweep.done %s", " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return counts
