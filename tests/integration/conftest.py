"""Fixtures the integration tests share beyond those of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.client import Pipeline

from consent.config import Settings
from tests.koski_server import PASSWORD, USER, running_sandbox


@pytest.fixture
def koski_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings (local defaults otherwise) for a KOSKI sandbox of the test's own, served on
    loopback until the test ends."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        yield Settings.from_env(
            {"KOSKI_URL": koski.url, "KOSKI_USERNAME": USER, "KOSKI_PASSWORD": PASSWORD}
        )


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The Redis pipelines sent while the test runs, one entry a round trip (how many commands
    it carried)."""
    sent: list[int] = []
    execute = Pipeline.execute

    def counted(pipe: Pipeline, raise_on_error: bool = True) -> list[object]:
        sent.append(len(pipe.command_stack))
        return execute(pipe, raise_on_error)

    monkeypatch.setattr(Pipeline, "execute", counted)
    return sent
