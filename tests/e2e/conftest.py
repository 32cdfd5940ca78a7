"""Fixtures the e2e tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser
from sqlalchemy import Engine

from tests.e2e.chromium import chromium
from tests.e2e.stack import procfile_web


@pytest.fixture
def web(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[str, Engine]]:
    """The Procfile's ``web`` on a free port, with a migrated SQLite ledger and the test Redis
    (emptied); its base URL and the ledger."""
    with procfile_web(monkeypatch, tmp_path) as served:
        yield served


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the browser tests."""
    with chromium() as launched:
        yield launched
