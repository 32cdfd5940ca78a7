"""The worker running the signing connector is killed (SIGKILL: the worker, the work horse if
the job runs in one, and its scheduler) while it waits for Visma Sign: once while inviting,
once while checking a signed document. Started again, it loses nothing and duplicates
nothing: one invitation, one event, one consent."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
import requests

from cli.main import main
from consent.adapters.queues import SIGNING_QUEUE, queue
from tests.e2e.connector_stack import ADULT, COURSE, ConnectorStack, connector_stack
from tests.processes import start_worker, stop

SLOW = 8.0  # seconds the sandbox holds the call during which the worker dies
RECOVERY = 60.0


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.2)


def kill_mid_call(stack: ConnectorStack, broker: redis.Redis) -> None:
    """Start a worker, let it reach the held Visma Sign call, kill it with all its processes.

    A fresh worker runs the first job of a kind itself (see MeasuredWorker), so the call may
    be in the worker or in a work horse: the whole process group goes."""
    requests.put(f"{stack.visma.url}/sandbox/faults", json={"slow": [SLOW]}, timeout=10)
    started = queue(SIGNING_QUEUE, broker).started_job_registry
    worker = start_worker()
    try:
        wait_until(lambda: bool(started.get_job_ids()), 30, "a signing job under way")
        time.sleep(1.5)  # inside the held call now
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker)


def test_a_killed_connector_resumes_with_one_invitation_one_event_and_one_consent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> None:
    with connector_stack(tmp_path, monkeypatch) as stack:
        enrolment = tmp_path / "osallistujat.csv"
        enrolment.write_text(f"hetu,first_names,last_name\n{ADULT['hetu']},Aino,Virtanen\n")
        assert main(["signing", "enrol", COURSE, str(enrolment)]) == 0

        kill_mid_call(stack, redis_client)  # dies creating the document
        worker = start_worker()
        try:
            invited = "SELECT COUNT(*) FROM enrolments WHERE state = 'invited'"
            wait_until(lambda: stack.count(invited) == 1, RECOVERY, "the invitation")
        finally:
            stop(worker)
        invitations = [i for d in stack.visma.documents() for i in d["invitations"]]
        assert len(invitations) == 1  # the killed call may leave an empty document, no more
        [document] = [d for d in stack.visma.documents() if d["invitations"]]
        assert stack.visma.sign(invitations[0]["uuid"], ADULT["hetu"]).status_code == 200

        assert stack.returned(document["uuid"]) == 200
        kill_mid_call(stack, redis_client)  # dies asking Visma Sign for the document's status
        worker = start_worker()
        try:
            wait_until(lambda: stack.consents() == [("valid", "self")], RECOVERY, "the consent")
            stack.returned(document["uuid"])  # the browser comes back once more
            time.sleep(2)
        finally:
            stop(worker)
        assert stack.count("SELECT COUNT(*) FROM webhook_inbox") == 1
        assert stack.count("SELECT COUNT(*) FROM enrolments WHERE pdf_sealed IS NOT NULL") == 1
        assert stack.consents() == [("valid", "self")]
