"""Hostile course documents, through the staff API and the CLI: a 4xx naming what is wrong,
never a 500, and nothing stored (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.courses import OPPILAITOS, course_doc
from tests.unit.test_config import PRODUCTION
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
CODE = "knoppi-2026-syksy"
VALID = json.dumps(course_doc())


def _replaced(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


HOSTILE = {
    "an integer of 4,301 digits": (_replaced('"laajuus_op": 1.5', '"laajuus_op": ' + "1" * 4301)),
    "a lone surrogate": _replaced('"fi": "Kuvallisen', '"fi": "\\ud800Kuvallisen'),
    "a NUL in a name": _replaced('"fi": "Kuvallisen', '"fi": "\\u0000Kuvallisen'),
    "100,000 nested brackets": _replaced('"parts": [', '"parts": ' + "[" * 100_000),
    "an extent of 1e400": _replaced('"laajuus_op": 1.5', '"laajuus_op": 1e400'),
    "an extent of 1e300": _replaced('"laajuus_op": 1.5', '"laajuus_op": 1e300'),
    "a NUL in the code": json.dumps(course_doc(code="a\x00b")),
    "a NUL in the confirmer": json.dumps(course_doc(confirmer={"name": "Reija\x00", "title": "r"})),
}
"""Bodies that are not strict JSON, or hold what no course can: refused as a whole."""

BAD_FIELDS = {
    "an end date in year 1": ({"end_date": "0001-01-01"}, "end_date"),
    "an end date in year 9999": ({"end_date": "9999-12-31"}, "end_date"),
    "a newline after the code of the description": (
        {"opintokokonaisuus": "1138\n"},
        "opintokokonaisuus",
    ),
    "a newline after the institution": ({"oppilaitos_oid": OPPILAITOS + "\n"}, "oppilaitos_oid"),
    "a newline after a name": ({"name": {"fi": "Kuvallisen ilmaisun perusteet\n"}}, "name.fi"),
}
"""Strict JSON with a field KOSKI cannot take (a year it records no course in, a trailing
newline, which Python's ``$`` lets through): refused, naming the field."""


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    """The staff API on the real ledger and Redis, sending to a KOSKI sandbox."""
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


@pytest.fixture
def staff(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('s', Role.STAFF)}"}


def _courses(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM courses")).scalar_one())


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_course_body_is_a_400_problem_and_stores_nothing(
    api: FlaskClient, engine: Engine, staff: dict[str, str], body: str
) -> None:
    response = api.put(
        f"/api/courses/{CODE}", data=body, content_type="application/json", headers=staff
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert response.json["errors"]
    assert all(error["field"] for error in response.json["errors"])
    assert _courses(engine) == 0


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_a_course_with_a_field_koski_cannot_take_is_refused_naming_it(
    api: FlaskClient,
    engine: Engine,
    staff: dict[str, str],
    changes: dict[str, object],
    field: str,
) -> None:
    response = api.put(f"/api/courses/{CODE}", json=course_doc(**changes), headers=staff)
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert field in [e["field"] for e in response.json["errors"]]
    assert _courses(engine) == 0


def _import(engine: Engine, path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "courses", "import", str(path)],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": engine.url.render_as_string(hide_password=False)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "body",
    [HOSTILE["100,000 nested brackets"], HOSTILE["a lone surrogate"], HOSTILE["a NUL in a name"]],
    ids=["100,000 nested brackets", "a lone surrogate", "a NUL in a name"],
)
def test_the_cli_refuses_a_hostile_course_file_without_a_traceback(
    engine: Engine, tmp_path: Path, body: str
) -> None:
    path = tmp_path / "course.json"
    path.write_text(body, encoding="utf-8")
    result = _import(engine, path)
    assert result.returncode == 1
    assert "course not saved" in result.stderr
    assert "Traceback" not in result.stderr
    assert _courses(engine) == 0
