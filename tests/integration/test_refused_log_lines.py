"""Through the real web process (the Procfile's gunicorn and app): a line that would carry a
hetu is refused, the refusal is written in its place and counted on ``/metrics``, and the
process's other lines are written as ever."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import redis
import requests

from consent.hetu import HETU_PATTERN, carries_a_hetu
from tests.e2e.stack import procfile_web
from tests.hetus import make_hetu
from tests.net import exchange

HETU = make_hetu(dt.date(1990, 3, 4))


def test_a_request_line_quoting_a_hetu_is_refused_in_the_log_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> None:
    with procfile_web(monkeypatch, tmp_path) as (base, _engine):
        # Two parts, not three: gunicorn logs "Invalid HTTP request line: 'GET /…'".
        answer = exchange(base, f"GET /staff/{HETU}\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 400 ")
        forged = requests.post(
            f"{base}/webhooks/signing",
            data=b"{}",
            headers={"Content-Type": "application/json", "webhook-id": "msg_1"},
            timeout=10,
        )
        assert forged.status_code == 401
        metrics = requests.get(f"{base}/metrics", timeout=10).text
    refused = 'code="hetu_in_message",level="warning",logger="gunicorn.error"'
    assert f"vst_log_lines_refused_total{{{refused}}} 1.0" in metrics
    assert metrics.count("vst_log_lines_refused_total{") == 1  # nothing else was refused
    log = (tmp_path / "web.log").read_text()
    assert "[WARNING] log.refused code=hetu_in_message" in log
    assert "Invalid HTTP request line" not in log
    assert '"event": "webhook.rejected status=401 reason=' in log  # our own lines as ever
    assert "Booting worker with pid" in log  # and gunicorn's
    assert HETU not in log.upper()
    assert not carries_a_hetu(log)
    assert not HETU_PATTERN.search(metrics)
