"""A throw-away PgBouncer in front of a benchmark's PostgreSQL database (session pooling).

Each RQ work horse opens its own database connection, so without a pooler every job starts
a PostgreSQL backend. PgBouncer hands horses backends that are already running. Session
pooling keeps every connection's semantics (psycopg's prepared statements included); a
backend goes back to the pool, after ``DISCARD ALL``, when its horse ends.

Needs the ``pgbouncer`` program (Debian: ``apt-get install pgbouncer``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.servers import free_port

SETTINGS = """\
[databases]
* = host={host} port={port} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = any
pool_mode = session
server_reset_query = DISCARD ALL
default_pool_size = 20
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
"""


@contextmanager
def pgbouncer(database_url: str) -> Iterator[str]:
    """``database_url`` (``postgresql://user@host:port/name``) as reached through a new
    PgBouncer, which is stopped when the block ends."""
    program = shutil.which("pgbouncer")
    if program is None:
        raise SystemExit("--pgbouncer needs the pgbouncer program: apt-get install pgbouncer")
    url, listen = make_url(database_url), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "pgbouncer.ini"
        values = {"host": url.host, "port": url.port or 5432, "user": url.username}
        settings.write_text(SETTINGS.format(listen=listen, **values))
        Path(tmp).chmod(0o755)  # it drops root for an unprivileged user, who must read it
        settings.chmod(0o644)
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
        log = Path(tmp) / "pgbouncer.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [program, *as_user, str(settings)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        pooled = url.set(host="127.0.0.1", port=listen).render_as_string(hide_password=False)
        try:
            _wait_until_up(pooled, process, log)
            yield pooled
        finally:
            process.terminate()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if process.poll() is not None:
                raise SystemExit(f"pgbouncer did not start: {log.read_text()[-500:]}") from None
            time.sleep(0.1)
    raise SystemExit("pgbouncer did not start within 10 s")
