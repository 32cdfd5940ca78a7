"""POST /webhooks/signing against the real database (SQLite and PostgreSQL) and Redis."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import CONSENT_QUEUE, queue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import upgrade
from consent.config import Settings
from consent.hetu import HETU_PATTERN
from tests.conftest import POSTGRES_URL
from tests.fakes import RecordingQueue
from tests.hetus import make_hetu
from tests.signing import (
    body_of,
    ed25519_pair,
    event,
    hmac_secret,
    person,
    sign_v1,
    sign_v1a,
    signed_headers,
)
from tests.sql_ledger import SqlLedgerForTests
from web.app import create_app
from web.intake.signature import verify

NOW = dt.datetime(2026, 9, 1, 8, 15, 30, tzinfo=dt.UTC)
SECRET, OLD_SECRET = hmac_secret(), hmac_secret()
PRIVATE, PUBLIC = ed25519_pair()
ADULT = person(dt.date(1990, 5, 5))
GUARDIAN = person(dt.date(1980, 2, 2), "Maija")
MINOR = person(dt.date(2011, 4, 4), "Onni")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _settings() -> Settings:
    return Settings.from_env({"SIGNING_WEBHOOK_KEYS": f"{SECRET} {OLD_SECRET} {PUBLIC}"})


@pytest.fixture
def client(engine: Engine, redis_client: redis.Redis, clock: Clock) -> Iterator[FlaskClient]:
    app = create_app(_settings(), engine=engine, broker=redis_client, clock=clock)
    with app.test_client() as test_client:
        yield test_client


def post(
    client: FlaskClient,
    document: dict[str, Any] | bytes,
    *,
    webhook_id: str = "msg_1",
    timestamp: int | None = None,
    secret: str | None = SECRET,
    signature: str | None = None,
    content_type: str = "application/json",
) -> TestResponse:
    body = document if isinstance(document, bytes) else body_of(document)
    ts = int(NOW.timestamp()) if timestamp is None else timestamp
    if signature is None:
        signature = (
            sign_v1(secret, webhook_id, ts, body)
            if secret
            else sign_v1a(PRIVATE, webhook_id, ts, body)
        )
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": signature,
    }
    return client.post("/webhooks/signing", data=body, headers=headers, content_type=content_type)


def inbox_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        count: int = connection.execute(text("SELECT count(*) FROM webhook_inbox")).scalar_one()
        return count


def queued_jobs(redis_client: redis.Redis) -> list[Any]:
    found = []
    for job in queue(CONSENT_QUEUE, redis_client).get_jobs():
        data = redis_client.hget(f"rq:job:{job.id}", "data")
        assert isinstance(data, bytes)
        found.append(json.loads(zlib.decompress(data)))
    return found


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert body["status"] == status
    assert not HETU_PATTERN.search(response.get_data(as_text=True))
    return body


def test_a_valid_adult_consent_is_stored_queued_and_accepted(
    client: FlaskClient, engine: Engine, redis_client: redis.Redis
) -> None:
    response = post(client, event(ADULT, ADULT))
    assert response.status_code == 202
    assert response.get_json() == {"status": "accepted", "inbox_id": 1}
    assert inbox_rows(engine) == 1
    assert queued_jobs(redis_client) == [["workers.jobs.bind_deliveries", None, [], {}]]


def test_a_valid_guardian_consent_for_a_minor_is_accepted(
    client: FlaskClient, engine: Engine
) -> None:
    assert post(client, event(MINOR, GUARDIAN)).status_code == 202
    assert inbox_rows(engine) == 1


def test_a_minor_signing_alone_is_accepted_for_binding_to_reject(client: FlaskClient) -> None:
    # Who may sign is the binding job's decision (stored as a rejected consent), not a 4xx.
    assert post(client, event(MINOR, MINOR)).status_code == 202


def test_an_ed25519_signature_from_a_trusted_key_is_accepted(client: FlaskClient) -> None:
    assert post(client, event(ADULT, ADULT), secret=None).status_code == 202


def test_a_signature_by_the_previous_key_is_accepted_during_rotation(client: FlaskClient) -> None:
    assert post(client, event(ADULT, ADULT), secret=OLD_SECRET).status_code == 202


@pytest.mark.parametrize("later", [dt.timedelta(hours=1), dt.timedelta(days=7)])
def test_a_replay_of_a_webhook_id_later_answers_200_and_changes_nothing(
    client: FlaskClient,
    engine: Engine,
    redis_client: redis.Redis,
    clock: Clock,
    later: dt.timedelta,
) -> None:
    assert post(client, event(ADULT, ADULT)).status_code == 202
    clock.now = NOW + later  # the sender retries with a fresh timestamp and signature
    again = post(client, event(ADULT, ADULT), timestamp=int(clock.now.timestamp()))
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate", "inbox_id": 1}
    assert inbox_rows(engine) == 1
    assert len(queued_jobs(redis_client)) == 1


@pytest.mark.parametrize("skew", [-301, 301, -86400, 86400])
def test_stale_and_future_timestamps_are_unauthorised(
    client: FlaskClient, engine: Engine, skew: int
) -> None:
    body = assert_problem(
        post(client, event(ADULT, ADULT), timestamp=int(NOW.timestamp()) + skew), 401
    )
    assert body["detail"] == "The request could not be authenticated."
    assert inbox_rows(engine) == 0


def test_a_tampered_body_is_unauthorised(client: FlaskClient, engine: Engine) -> None:
    good = body_of(event(ADULT, ADULT))
    signature = sign_v1(SECRET, "msg_1", int(NOW.timestamp()), good)
    tampered = good.replace(b"knoppi", b"kneppi")
    assert_problem(post(client, tampered, signature=signature), 401)
    assert inbox_rows(engine) == 0


def test_an_unknown_key_is_unauthorised(client: FlaskClient, engine: Engine) -> None:
    assert_problem(post(client, event(ADULT, ADULT), secret=hmac_secret()), 401)
    assert inbox_rows(engine) == 0


def test_missing_signature_headers_are_unauthorised(client: FlaskClient, engine: Engine) -> None:
    response = client.post(
        "/webhooks/signing", data=body_of(event(ADULT, ADULT)), content_type="application/json"
    )
    assert_problem(response, 401)
    assert inbox_rows(engine) == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "application/xml",
        "",
    ],
)
def test_wrong_content_types_are_unsupported(
    client: FlaskClient, engine: Engine, content_type: str
) -> None:
    assert_problem(post(client, event(ADULT, ADULT), content_type=content_type), 415)
    assert inbox_rows(engine) == 0


def test_json_with_an_explicit_utf8_charset_is_accepted(client: FlaskClient) -> None:
    assert (
        post(
            client, event(ADULT, ADULT), content_type="application/json; charset=UTF-8"
        ).status_code
        == 202
    )


def test_an_oversized_body_is_too_large(client: FlaskClient, engine: Engine) -> None:
    huge = event(ADULT, ADULT)
    huge["padding"] = "x" * 70_000
    assert_problem(post(client, huge), 413)
    assert inbox_rows(engine) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"type": "consent.signed", "type": "consent.cancelled"}',
        b'{"n": NaN}',
        b'{"n": Infinity}',
        b"\xff\xfe{}",
        b"[" * 5000 + b"]" * 5000,
        b"",
    ],
)
def test_a_signed_body_that_is_not_strict_json_is_a_bad_request(
    client: FlaskClient, engine: Engine, body: bytes
) -> None:
    assert_problem(post(client, body), 400)
    assert inbox_rows(engine) == 0


def _with(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    *parents, last = path.split(".")
    target: Any = changed
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return changed


VALID = event(ADULT, ADULT)


@pytest.mark.parametrize(
    ("document", "field", "reason"),
    [
        (_with(VALID, "data.extra", 1), "data.(unknown property 6)", "is not allowed"),
        (_with(VALID, "surprise", True), "(unknown property 4)", "is not allowed"),
        (_with(VALID, "data.signer", ...), "data.signer", "is required"),
        (_with(VALID, "data.participant.hetu", ...), "data.participant.hetu", "is required"),
        (_with(VALID, "type", "consent.revoked"), "type", "is not one of the allowed values"),
        (
            _with(VALID, "timestamp", "2026-02-30T08:00:00Z"),
            "timestamp",
            "is not a valid date-time",
        ),
        (
            _with(VALID, "timestamp", "2026-09-01 08:00"),
            "timestamp",
            "is not a valid date-time",
        ),
        (
            _with(VALID, "data.participant.hetu", "12345"),
            "data.participant.hetu",
            "has an invalid format",
        ),
        (_with(VALID, "data.course_code", "x" * 65), "data.course_code", "has an invalid format"),
        (
            _with(VALID, "data.participant.first_names", "x" * 201),
            "data.participant.first_names",
            "is too long",
        ),
        (
            _with(VALID, "data.participant.last_name", 7),
            "data.participant.last_name",
            "has the wrong type",
        ),
    ],
)
def test_schema_violations_name_the_field_and_change_nothing(
    client: FlaskClient, engine: Engine, document: dict[str, Any], field: str, reason: str
) -> None:
    body = assert_problem(post(client, document), 400)
    assert {"field": field, "reason": reason} in body["errors"]
    assert inbox_rows(engine) == 0


def test_a_hetu_with_a_wrong_check_character_is_a_bad_request(
    client: FlaskClient, engine: Engine
) -> None:
    good = make_hetu(dt.date(1990, 5, 5))
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = assert_problem(post(client, _with(VALID, "data.signer.hetu", wrong)), 400)
    assert body["errors"] == [{"field": "data.signer.hetu", "reason": "wrong check character"}]
    assert inbox_rows(engine) == 0


def test_other_methods_get_problem_details(client: FlaskClient) -> None:
    response = client.get("/webhooks/signing")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_an_unreachable_database_answers_503_with_retry_after(
    redis_client: redis.Redis, clock: Clock
) -> None:
    dead = make_engine(
        "postgresql://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    app = create_app(_settings(), engine=dead, broker=redis_client, clock=clock)
    response = post(app.test_client(), event(ADULT, ADULT))
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "30"
    assert queued_jobs(redis_client) == []


def test_a_broker_outage_after_the_commit_still_acknowledges(
    engine: Engine, redis_client: redis.Redis, clock: Clock
) -> None:
    failing = RecordingQueue(fail_with=redis.ConnectionError("broker down"))
    app = create_app(_settings(), engine=engine, broker=redis_client, queue=failing, clock=clock)
    assert post(app.test_client(), event(ADULT, ADULT)).status_code == 202
    assert inbox_rows(engine) == 1  # the sweeper will queue it


def test_a_pooled_connection_that_died_is_replaced_without_failing_the_delivery(
    postgres_database: str, redis_client: redis.Redis, clock: Clock
) -> None:
    engine = make_engine(postgres_database, pool_pre_ping=False)  # as the intake's own pool
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    client = create_app(_settings(), engine=engine, broker=redis_client, clock=clock).test_client()
    assert post(client, event(ADULT, ADULT), webhook_id="msg_1").status_code == 202
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:  # as a database restart does
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [postgres_database.rpartition("/")[2]],
        )
    assert post(client, event(GUARDIAN, GUARDIAN), webhook_id="msg_2").status_code == 202
    assert inbox_rows(engine) == 2
    assert len(queued_jobs(redis_client)) == 1  # one drain binds both
    engine.dispose()


# Any text a header can carry (HTTP cannot carry CR or LF in a value).
header_values = st.one_of(
    st.none(), st.text(st.characters(exclude_characters="\r\n"), max_size=200)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    webhook_id=header_values,
    timestamp=header_values,
    signature=header_values,
    content_type=st.sampled_from(
        ["application/json", "text/plain", "", "application/json; charset=utf-8"]
    ),
    body=st.binary(max_size=2000),
)
def test_anything_unsigned_never_errors_and_never_changes_the_ledger(
    client: FlaskClient,
    engine: Engine,
    webhook_id: str | None,
    timestamp: str | None,
    signature: str | None,
    content_type: str,
    body: bytes,
) -> None:
    headers = {
        name: value.encode("utf-8", "replace").decode("latin-1")
        for name, value in (
            ("webhook-id", webhook_id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        )
        if value is not None
    }
    response = client.post(
        "/webhooks/signing", data=body, headers=headers, content_type=content_type
    )
    assert response.status_code in (401, 413, 415)
    assert response.mimetype == "application/problem+json"
    assert inbox_rows(engine) == 0


def test_a_stored_delivery_replayed_as_is_a_week_later_answers_200(
    client: FlaskClient, engine: Engine, clock: Clock
) -> None:
    original = event(ADULT, ADULT)
    assert post(client, original).status_code == 202
    clock.now = NOW + dt.timedelta(days=7)  # the very same request, old timestamp and all
    again = post(client, original)
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate", "inbox_id": 1}
    assert inbox_rows(engine) == 1


def test_an_old_signed_delivery_never_stored_is_still_unauthorised(
    client: FlaskClient, engine: Engine, clock: Clock
) -> None:
    clock.now = NOW + dt.timedelta(hours=1)
    assert_problem(post(client, event(ADULT, ADULT)), 401)
    assert inbox_rows(engine) == 0


def test_a_forged_replay_of_a_stored_id_is_unauthorised(client: FlaskClient, clock: Clock) -> None:
    assert post(client, event(ADULT, ADULT)).status_code == 202
    clock.now = NOW + dt.timedelta(hours=1)
    assert_problem(post(client, event(ADULT, ADULT), secret=hmac_secret()), 401)


def _chunked(
    client: FlaskClient, body: bytes, webhook_id: str = "msg_chunked", signed: bytes = b""
) -> TestResponse:
    """A POST signed over ``signed`` (the body by default) without Content-Length, as a
    WSGI server hands on a chunked body (gunicorn sets ``wsgi.input_terminated``)."""
    ts = int(NOW.timestamp())
    headers = {
        **signed_headers(SECRET, webhook_id, ts, signed or body),
        "Transfer-Encoding": "chunked",
    }
    return client.post(
        "/webhooks/signing",
        input_stream=io.BytesIO(body),
        headers=headers,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_64_kib_is_refused_with_413_and_stores_nothing(
    client: FlaskClient, engine: Engine
) -> None:
    # Its first 64 KiB alone are a valid, signed event: only the whole body may count.
    head = body_of(event(ADULT, ADULT))
    body = head + b" " * (64 * 1024 - len(head)) + b"\n"
    assert_problem(_chunked(client, body, signed=body[: 64 * 1024]), 413)
    assert inbox_rows(engine) == 0


def test_a_body_shorter_than_its_declared_length_is_a_bad_request_and_stores_nothing(
    client: FlaskClient, engine: Engine
) -> None:
    # The client declared more than it sent (its connection ended early): what arrived is
    # not the body it meant, even where a trusted key signed exactly those bytes.
    body = body_of(event(ADULT, ADULT))
    headers = signed_headers(SECRET, "msg_short", int(NOW.timestamp()), body)
    answer = client.post(
        "/webhooks/signing",
        input_stream=io.BytesIO(body),
        headers=headers,
        content_type="application/json",
        # gunicorn marks every body terminated, so Werkzeug reads to its end rather than
        # to the declared length, and only the length tells that bytes are missing.
        environ_overrides={"CONTENT_LENGTH": str(len(body) + 100), "wsgi.input_terminated": True},
    )
    assert_problem(answer, 400)
    assert inbox_rows(engine) == 0


def test_a_chunked_body_of_exactly_64_kib_is_accepted(client: FlaskClient, engine: Engine) -> None:
    head = body_of(event(ADULT, ADULT))
    assert _chunked(client, head + b" " * (64 * 1024 - len(head))).status_code == 202
    assert inbox_rows(engine) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks//signing",
        "//webhooks/signing",
        "/webhooks///signing",
        "/webhooks/signing/",
        "/webhooks/signing//",
        "/webhooks//signing/",
        "/webhooks/",
        "/webhooks",
        "/webhooks/./signing",
    ],
)
@pytest.mark.parametrize("method", ["POST", "GET", "PUT"])
def test_no_variant_of_the_webhook_path_answers_a_redirect(
    client: FlaskClient, engine: Engine, path: str, method: str
) -> None:
    body = body_of(event(ADULT, ADULT))
    ts = int(NOW.timestamp())
    headers = signed_headers(SECRET, "msg_path", ts, body)
    response = client.open(
        path, method=method, data=body, headers=headers, content_type="application/json"
    )
    assert not 300 <= response.status_code < 400
    assert "Location" not in response.headers
    assert_problem(response, response.status_code)
    assert inbox_rows(engine) == 0


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("timestamp", "0001-01-01T00:00:00+01:00"),
        ("timestamp", "9999-12-31T23:59:59-01:00"),
        ("data.signed_at", "0001-01-01T00:30:00+02:00"),
        ("data.signed_at", "9999-12-31T23:00:00-12:00"),
    ],
)
def test_a_signed_instant_outside_the_representable_range_is_a_bad_request(
    client: FlaskClient, engine: Engine, path: str, value: str
) -> None:
    body = assert_problem(post(client, _with(VALID, path, value)), 400)
    assert body["errors"] == [{"field": path, "reason": "is out of range"}]
    assert inbox_rows(engine) == 0


HOSTILE_SIGNED_BODIES = [
    body_of(VALID)[:-1] + b', "n": 1' + b"0" * 5000 + b"}",
    body_of(VALID)[:-1] + b', "n": 1e400}',
    body_of(VALID).replace(b'"Aino"', b'"Aino\\ud800"'),
    body_of(VALID).replace(b'"doc-1"', b'"doc-\\udfff"'),
    body_of(VALID).replace(b'"type"', b'"ty\\ud800pe"'),
    body_of(VALID).replace(b'"Aino"', b'"Ai\\u0000no"'),
    body_of(VALID).replace(b'"doc-1"', b'"doc\\u00001"'),
    b"[" * 100_000 + b"]" * 100_000,
    b"[" * 900 + b"]" * 900,
    b'{"a": ' * 500 + b"1" + b"}" * 500,
    b"[" + b"0," * 30_000 + b"0]",
    b'"' + "\U0010ffff".encode() * 10_000 + b'"',
    body_of(_with(VALID, "data.participant.first_names", ["Aino"])),
    body_of(_with(VALID, "data", [])),
    body_of(_with(VALID, "timestamp", 1_700_000_000)),
    b"null",
    b"12345",
]


@pytest.mark.parametrize("body", HOSTILE_SIGNED_BODIES, ids=range(len(HOSTILE_SIGNED_BODIES)))
def test_a_hostile_body_with_a_valid_signature_is_a_bad_request_and_stores_nothing(
    client: FlaskClient, engine: Engine, body: bytes
) -> None:
    assert len(body) <= 64 * 1024 or body.startswith(b"[")
    response = post(client, body)
    assert response.status_code in (400, 413)
    assert_problem(response, response.status_code)
    assert inbox_rows(engine) == 0


def test_a_signed_event_with_odd_but_valid_unicode_in_a_name_is_accepted(
    client: FlaskClient, engine: Engine
) -> None:
    odd = _with(VALID, "data.participant.first_names", "A\u202eino\ufeff\U0001f600\u0301")
    assert post(client, odd).status_code == 202
    assert inbox_rows(engine) == 1


def test_an_unknown_property_named_like_a_hetu_is_named_without_quoting_it(
    client: FlaskClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    hetu = make_hetu(dt.date(1985, 3, 3))
    document = _with(VALID, f"data.participant.{hetu}", 1)
    document["Aino Virtanen"] = True
    with caplog.at_level("WARNING"):
        body = assert_problem(post(client, document), 400)
    answer = json.dumps(body)
    assert hetu not in answer
    assert "Aino Virtanen" not in answer
    assert {"field": "data.participant.(unknown property 4)", "reason": "is not allowed"} in body[
        "errors"
    ]
    assert {"field": "(unknown property 4)", "reason": "is not allowed"} in body["errors"]
    assert hetu not in caplog.text
    assert "Aino Virtanen" not in caplog.text
    assert "fields=" in caplog.text
    assert inbox_rows(engine) == 0


def _sign_text(secret: str, signed: bytes) -> str:
    """A ``v1`` entry over exactly ``signed`` (``sign_v1`` takes the timestamp as a number)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("timestamp", [f"0{int(NOW.timestamp())}", f"00{int(NOW.timestamp())}"])
def test_a_timestamp_with_leading_zeros_is_unauthorised_since_the_row_could_not_keep_it(
    client: FlaskClient, engine: Engine, timestamp: str
) -> None:
    body = body_of(VALID)
    headers = {
        "webhook-id": "msg_zeros",
        "webhook-timestamp": timestamp,
        "webhook-signature": _sign_text(SECRET, f"msg_zeros.{timestamp}.".encode() + body),
    }
    response = client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )
    assert_problem(response, 401)
    assert inbox_rows(engine) == 0


def test_a_stored_deliverys_signature_re_verifies_from_its_row(
    client: FlaskClient, engine: Engine
) -> None:
    assert post(client, VALID, webhook_id="msg_row").status_code == 202
    query = text("SELECT id, webhook_id, webhook_timestamp, signature FROM webhook_inbox")
    with engine.connect() as connection:
        inbox_id, webhook_id, timestamp, signature = connection.execute(query).one()
    settings = _settings()
    ledger = SqlLedgerForTests(engine, AesGcmCipher(settings.pii_keys), lambda: NOW)
    body = ledger.delivery_body(inbox_id)
    columns = {
        "webhook-id": str(webhook_id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": str(signature),
    }
    verified = verify(lambda name: [columns[name]], body, settings.webhook_keys, float(timestamp))
    assert verified.webhook_id == "msg_row"


def test_a_minor_s_own_consent_signed_in_2099_is_refused_and_nothing_is_stored(
    client: FlaskClient, engine: Engine, redis_client: redis.Redis
) -> None:
    # Signed by the minor alone "in 2099", when the minor would be an adult: never valid.
    document = event(MINOR, MINOR)
    document["data"]["signed_at"] = "2099-01-01T00:00:00Z"
    body = assert_problem(post(client, document), 400)
    assert body["errors"] == [{"field": "data.signed_at", "reason": "is in the future"}]
    assert inbox_rows(engine) == 0
    assert queued_jobs(redis_client) == []


def test_a_signature_a_few_minutes_ahead_of_the_delivery_is_within_clock_skew(
    client: FlaskClient, engine: Engine
) -> None:
    document = event(ADULT, ADULT)
    document["data"]["signed_at"] = (NOW + dt.timedelta(minutes=4)).isoformat()
    assert post(client, document).status_code == 202
    document["data"]["signed_at"] = (NOW + dt.timedelta(minutes=6)).isoformat()
    assert post(client, document, webhook_id="msg_2").status_code == 400
    assert inbox_rows(engine) == 1


def test_an_event_timestamped_in_2099_is_refused_so_it_cannot_outrank_later_events(
    client: FlaskClient, engine: Engine
) -> None:
    # Stored, it would make every real event after it "older than the consent's state".
    document = event(ADULT, None, kind="consent.cancelled", at="2099-01-01T00:00:00Z")
    body = assert_problem(post(client, document), 400)
    assert body["errors"] == [{"field": "timestamp", "reason": "is in the future"}]
    assert inbox_rows(engine) == 0
