"""Fixtures the integration tests share beyond those of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
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
    """The Redis round trips made while the test runs, one entry each: how many commands it
    carried (a pipeline's count, or 1 for a command sent on its own)."""
    sent: list[int] = []
    execute = Pipeline.execute
    execute_command: Callable[..., Any] = redis.Redis.execute_command

    def counted(pipe: Pipeline, raise_on_error: bool = True) -> list[object]:
        sent.append(len(pipe.command_stack))
        return execute(pipe, raise_on_error)

    def counted_command(client: redis.Redis, *args: Any, **options: Any) -> Any:
        sent.append(1)  # a pipeline has its own execute_command, which only buffers
        return execute_command(client, *args, **options)

    monkeypatch.setattr(Pipeline, "execute", counted)
    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    return sent
