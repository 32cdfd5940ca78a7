"""Schemathesis against the OpenAPI document the app serves (``GET /api/openapi.json``).

Every operation gets generated valid and invalid requests (bodies, path parameters,
headers) as a signed-in staff member, judged by every check schemathesis has (as
``--checks all``): no answer is a 500, each status, header and body is one the document
names, invalid requests are refused and valid ones are not (except the documented 422,
``benchmarks/schemathesis.toml`` says why), the token is enforced, and nothing posted to
the webhook without a valid signature is stored. ``benchmarks/fuzz.py`` runs the same
against gunicorn with ten thousand cases and more, stateful phase included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, AuthContext, AuthProvider, Case, GenerationMode
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from sqlalchemy import Engine, text

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.koski_server import PASSWORD, USER, running_sandbox
from web.app import create_app

Operation = APIOperation[Any, Any, Any, Any]
EXAMPLES = 25  # per operation and mode; benchmarks/fuzz.py runs ten thousand and more
CONFIG = Path(__file__).resolve().parents[2] / "benchmarks" / "schemathesis.toml"
load_all_checks()
# What --checks all selects: every registered check (each a function today; a class-based
# check would judge a whole run, which only the CLI in benchmarks/fuzz.py makes).
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]


@pytest.fixture
def staff_token(engine: Engine) -> str:
    return SqlStaffTokens(engine, utc_now).create("fuzz", Role.STAFF)


@pytest.fixture
def openapi_schema(
    engine: Engine, redis_client: redis.Redis, tmp_path: Path, staff_token: str
) -> Iterator[schemathesis.BaseSchema]:
    with running_sandbox(tmp_path / "koski.db") as koski:
        settings = Settings.from_env(
            {"KOSKI_URL": koski.url, "KOSKI_USERNAME": USER, "KOSKI_PASSWORD": PASSWORD}
        )
        app = create_app(settings, engine=engine, broker=redis_client)
        config = SchemathesisConfig.from_path(str(CONFIG))
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
        schema.auth().apply_to(path_regex="^/api/")(_bearer(staff_token))
        yield schema


def _bearer(token: str) -> type[AuthProvider[str]]:
    """The staff token as schemathesis's own auth, not a header laid over every case: a negative
    case that leaves the token out (to see it refused) is then sent without it, where a header
    added at the call would put it back and make the case valid."""

    class StaffToken:
        def get(self, case: Case[Operation], context: AuthContext, /) -> str:
            return token

        def set(self, case: Case[Operation], data: str, context: AuthContext, /) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    return StaffToken


def _stored_deliveries(engine: Engine) -> int:
    with engine.connect() as connection:
        query = text(
            "SELECT (SELECT COUNT(*) FROM webhook_inbox) + (SELECT COUNT(*) FROM consents)"
        )
        return int(connection.execute(query).scalar_one())


def _fuzz(operation: Operation, mode: GenerationMode, engine: Engine, token: str) -> int:
    """Run EXAMPLES generated requests against one operation; how many were made. Every valid
    request to the staff API carries the staff token, and one that does is never refused as
    unauthenticated."""
    calls = 0

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case: Case[Operation]) -> None:
        nonlocal calls
        response = case.call()
        case.validate_response(response, checks=ALL_CHECKS)
        staff_request = operation.path.startswith("/api/")
        carried = case.headers.get("Authorization") == f"Bearer {token}"
        assert carried or not (staff_request and mode is GenerationMode.POSITIVE), operation.label
        if carried:
            assert response.status_code != 401, operation.label
        assert _stored_deliveries(engine) == 0, operation.label
        calls += 1

    call()
    return calls


def test_the_fuzzing_judges_by_every_check_schemathesis_has() -> None:
    assert {check.__name__ for check in ALL_CHECKS} == set(CHECKS.get_all_names())


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_generated_requests_get_documented_answers_and_unsigned_ones_store_nothing(
    openapi_schema: schemathesis.BaseSchema,
    engine: Engine,
    staff_token: str,
    mode: GenerationMode,
) -> None:
    loaded = list(openapi_schema.get_all_operations())
    operations = [result.ok() for result in loaded if isinstance(result, Ok)]
    assert len(operations) == len(loaded) == 20  # every operation the document names
    calls = sum(_fuzz(operation, mode, engine, staff_token) for operation in operations)
    assert calls >= len(operations) * 10  # hypothesis may stop early on small input spaces
