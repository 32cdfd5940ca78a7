"""Load generator, run as its own process: POST signed consent events, print latencies as JSON.

Usage: python benchmarks/load.py URL SECRET REQUESTS CONCURRENCY
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu(n: int) -> str:
    """A generated hetu for someone born in 1980 (individual numbers 002-899)."""
    born = dt.date(1980, 1, 1) + dt.timedelta(days=n % 3650)
    individual = 2 + n % 898
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}-{digits[6:]}{CHECK[int(digits) % 31]}"


def signed_request(n: int, secret: bytes) -> tuple[bytes, dict[str, str]]:
    person_hetu = hetu(n)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    member = {"hetu": person_hetu, "first_names": "Testi", "last_name": "Henkilö"}
    event = {
        "type": "consent.signed",
        "timestamp": now,
        "data": {
            "document_id": f"doc-{n}",
            "course_code": "bench-course",
            "participant": member,
            "signer": member,
            "signed_at": now,
        },
    }
    body = json.dumps(event, ensure_ascii=False).encode()
    webhook_id, timestamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
    mac = hmac.new(secret, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
    return body, headers


def main() -> None:
    url, secret_text, total, concurrency = (
        sys.argv[1],
        sys.argv[2],
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    secret = base64.b64decode(secret_text.removeprefix("whsec_"))
    target = urlsplit(url)
    prepared = [signed_request(n, secret) for n in range(total)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    cursor = iter(range(total))

    def worker() -> None:
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                return
            body, headers = prepared[n]
            started = time.perf_counter()
            connection = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port, timeout=30
            )
            connection.request("POST", target.path, body=body, headers=headers)
            status = connection.getresponse().status
            connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "latencies": latencies, "statuses": statuses}))


if __name__ == "__main__":
    main()
