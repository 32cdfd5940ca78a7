"""The local stack: embedded broker, migrations, then every Procfile process under honcho."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import redis

from consent.adapters.broker import EmbeddedBroker, broker_url
from consent.adapters.sql.migrate import upgrade
from consent.bootstrap import bootstrap
from consent.config import Settings

BROKER_START_TIMEOUT = 30.0


def run(settings: Settings, procfile: str, port: int) -> int:
    """Start everything, wait for Ctrl-C or SIGTERM, then stop everything in reverse order."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(bootstrap(settings).engine)
    print("vst-consent: database migrated", flush=True)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    web = f"http://127.0.0.1:{port}"  # the signing connector posts to web, wherever it listens
    env.setdefault("SIGNING_CONNECTOR_WEBHOOK_URL", f"{web}/webhooks/signing")
    env.setdefault("SIGNING_RETURN_URL", f"{web}/signing/return")
    broker = None if settings.redis_url else _start_broker_process(settings, env)
    try:
        env["REDIS_URL"] = broker_url(settings)
        return _run_honcho(procfile, port, env)
    finally:
        if broker is not None:  # stopped last, so workers can finish their jobs first
            broker.terminate()
            broker.wait(timeout=30)
            print("vst-consent: embedded Valkey stopped", flush=True)


def _start_broker_process(settings: Settings, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Run the embedded broker in its own session, so Ctrl-C reaches it only through us."""
    command = [sys.executable, "-m", "cli.main", "broker"]
    process = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603 - fixed argv
    client = bootstrap(settings).broker
    deadline = time.monotonic() + BROKER_START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(
        "vst-consent: the embedded Valkey server did not start; see var/valkey/valkey.log"
    )


def _run_honcho(procfile: str, port: int, env: dict[str, str]) -> int:
    """Run the Procfile; honcho gives the first process (web) ``port`` as $PORT.

    A stop we were asked for (Ctrl-C, SIGTERM) that ends every process is a clean exit, 0;
    a process that died on its own makes honcho stop the rest and its status is returned.
    """
    command = [sys.executable, "-m", "honcho", "start", "--procfile", procfile, "--port", str(port)]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - fixed argv, no shell
    stop_requested = threading.Event()

    def forward_sigterm(_signum: int, _frame: FrameType | None) -> None:
        stop_requested.set()
        process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward_sigterm)
    while True:
        try:
            status = process.wait()
        except KeyboardInterrupt:  # honcho got the same SIGINT and is stopping its children
            stop_requested.set()
            continue
        return 0 if stop_requested.is_set() else status


def run_broker(settings: Settings) -> int:
    """Run only the embedded broker until SIGINT or SIGTERM, then stop it cleanly."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    broker = EmbeddedBroker(settings.data_dir / "valkey", settings.embedded_redis_port)
    print(f"vst-consent: embedded Valkey at {broker.start()}", flush=True)
    try:
        stop.wait()
    finally:
        broker.stop()
    return 0
