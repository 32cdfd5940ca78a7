"""The ``vst-consent`` command as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redis

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import head_revision, is_current
from consent.config import SANDBOX_SOURCE_SYSTEM, Settings
from consent.hetu import HETU_PATTERN
from consent.published_secrets import DEV_CONNECTOR_PUBLIC
from tests.conftest import REDIS_URL
from tests.integration.test_duplicates import FIRST, SECOND, held_elsewhere
from tests.integration.test_grading import ADULT
from tests.integration.test_unknown_courses import signed
from tests.unit.test_config import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env={**clean, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_creates_the_local_database_at_the_newest_revision(tmp_path: Path) -> None:
    result = _run("migrate", VST_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'vst-consent.db'}")
    assert f"database at revision {head_revision(engine)}" in result.stdout
    assert is_current(engine)
    assert _run("migrate", VST_DATA_DIR=str(tmp_path)).returncode == 0  # idempotent


def test_check_config_summarises_without_showing_secrets() -> None:
    result = _run("check-config", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "mode: production" in result.stdout
    for secret in (
        PRODUCTION["KOSKI_PASSWORD"],
        PRODUCTION["PII_KEY"].split(":")[1],
        "vst@db.internal",
    ):
        assert secret not in result.stdout


def test_a_production_start_without_a_secret_stops_and_names_it() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "PII_KEY"}
    result = _run("check-config", **env)
    assert result.returncode == 2
    assert "PII_KEY must be set when VST_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_production_start_without_a_source_system_code_stops_and_names_it() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "KOSKI_SOURCE_SYSTEM"}
    result = _run("check-config", **env)
    assert result.returncode == 2
    assert "KOSKI_SOURCE_SYSTEM must be set when VST_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_names_the_source_system_code_every_record_carries() -> None:
    assert "(source system primus)" in _run("check-config", **PRODUCTION).stdout
    assert f"(source system {SANDBOX_SOURCE_SYSTEM})" in _run("check-config").stdout


def test_check_config_refuses_a_published_key_in_production_and_names_only_the_variable() -> None:
    keys = f"{PRODUCTION['SIGNING_WEBHOOK_KEYS']} {DEV_CONNECTOR_PUBLIC}"
    result = _run("check-config", **{**PRODUCTION, "SIGNING_WEBHOOK_KEYS": keys})
    assert result.returncode == 2
    assert "SIGNING_WEBHOOK_KEYS holds a published key" in result.stderr
    assert DEV_CONNECTOR_PUBLIC.removeprefix("whpk_") not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_short_password_a_taken_account_name_and_a_held_token_name_are_refused(
    tmp_path: Path,
) -> None:
    data = {"VST_DATA_DIR": str(tmp_path)}
    assert _run("migrate", **data).returncode == 0
    create = ("staff", "account-create", "aino", "--password-stdin")
    short = _run(*create, stdin="lyhyt\n", **data)
    assert (short.returncode, short.stderr) == (1, "a password needs at least 12 characters\n")
    assert _run(*create, stdin="pitkä-ja-hyvä-salasana\n", **data).returncode == 0
    taken = _run(*create, stdin="toinen-hyvä-salasana\n", **data)
    assert (taken.returncode, taken.stderr) == (1, "an account named 'aino' exists\n")
    change = _run("staff", "account-password", "aino", "--password-stdin", stdin="lyhyt\n", **data)
    assert (change.returncode, change.stderr) == (1, "a password needs at least 12 characters\n")
    assert _run("staff", "token-create", "aino", **data).returncode == 0
    again = _run("staff", "token-create", "aino", **data)
    assert (again.returncode, again.stderr) == (1, "a token named 'aino' exists; revoke it first\n")


def test_consents_unknown_lists_consents_for_courses_not_defined_yet_masked(
    tmp_path: Path,
) -> None:
    assert _run("migrate", VST_DATA_DIR=str(tmp_path)).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'vst-consent.db'}")
    signed(engine, AesGcmCipher(Settings.from_env({}).pii_keys), "kevat-2027")
    listed = _run("consents", "unknown", VST_DATA_DIR=str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert "kevat-2027" in listed.stdout
    assert "2026-09-01" in listed.stdout
    assert not HETU_PATTERN.search(listed.stdout)
    as_json = _run("consents", "unknown", "--json", VST_DATA_DIR=str(tmp_path))
    [consent] = json.loads(as_json.stdout)
    assert (consent["course_code"], consent["state"]) == ("kevat-2027", "valid")


def test_results_import_warns_of_a_row_koski_would_refuse_as_a_duplicate(
    tmp_path: Path, redis_client: redis.Redis
) -> None:
    assert _run("migrate", VST_DATA_DIR=str(tmp_path)).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'vst-consent.db'}")
    held_elsewhere(engine, AesGcmCipher(Settings.from_env({}).pii_keys))
    rows = tmp_path / "tulokset.csv"
    rows.write_text(f"hetu,grade,graded_on\n{ADULT['hetu']},hyväksytty,2026-11-18\n")
    imported = _run(
        "results", "import", FIRST, str(rows), VST_DATA_DIR=str(tmp_path), REDIS_URL=REDIS_URL
    )
    assert imported.returncode == 0, imported.stderr
    assert "imported: 1 new or changed, 0 unchanged" in imported.stdout
    assert f"warning: row 1: the person's record of course {SECOND} in KOSKI" in imported.stdout
    assert not HETU_PATTERN.search(imported.stdout)
