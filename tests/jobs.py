"""Importable job functions for worker tests (RQ jobs are module-level functions)."""

from __future__ import annotations

import os

from rq import get_current_job


def remember(row_id: int) -> int:
    """Record that a job with ``row_id`` ran, in the broker it came from."""
    job = get_current_job()
    assert job is not None
    job.connection.rpush("test:ran", row_id)
    return row_id


def process_id(_row_id: int) -> int:
    """The id of the process that ran the job."""
    return os.getpid()


def wait_for_release(row_id: int) -> int:
    """Say this job started (``test:started``), then run until the test pushes to
    ``test:release``, ten minutes at most: a job a test can watch while it runs."""
    job = get_current_job()
    assert job is not None
    job.connection.rpush("test:started", job.id)
    job.connection.blpop(["test:release"], timeout=600)
    return row_id
