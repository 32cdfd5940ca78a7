"""Loopback helpers for tests that start servers."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def exchange(base: str, data: bytes) -> bytes:
    """Send ``data`` as raw bytes on a fresh connection to ``base`` (``http://host:port``);
    everything the server sent until it closed."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=30) as client:
        client.sendall(data)
        client.shutdown(socket.SHUT_WR)
        while chunk := client.recv(65536):
            received += chunk
    return received
