"""What may grow with the ledger, timed once on a filled one: a course's status as staff read
it, and one sweeper pass, each with the SQL statements it ran.

The submission benchmark runs these after each scale, so a step whose cost grows with the
number of rows shows as figures that grow faster than the scale does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine

from consent.bootstrap import bootstrap
from consent.config import Settings
from tests.integration.test_status import counted_statements
from workers.sweeper import sweep


def _timed(engine: Engine, step: Callable[[], object]) -> tuple[float, int]:
    """Seconds ``step`` took, and how many statements it ran."""
    with counted_statements(engine) as statements:
        started = time.perf_counter()
        step()
        seconds = time.perf_counter() - started
    return seconds, len(statements)


def probe(settings: Settings, course_code: str, rows: int) -> list[str]:
    """Lines saying what the course's status (``rows`` participants) and a sweep cost."""
    services = bootstrap(settings)
    try:
        _timed(services.engine, lambda: services.status.course_status(course_code))  # warm
        status_s, status_n = _timed(
            services.engine, lambda: services.status.course_status(course_code)
        )
        sweep_s, sweep_n = _timed(services.engine, lambda: sweep(services))
    finally:
        services.release_connections()
        services.engine.dispose()
    return [
        f"course status ({rows} participants): {1000 * status_s:.0f} ms in {status_n} "
        f"statements = {1e6 * status_s / rows:.0f} µs per participant",
        f"one sweeper pass (nothing due): {1000 * sweep_s:.1f} ms in {sweep_n} statements",
    ]
