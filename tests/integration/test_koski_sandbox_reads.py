"""Reading a study right back from the KOSKI sandbox, as reconciliation does: found while it
is stored, 404 once it is invalidated or the participant revoked their consent, and only
for a known service user."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.koski.app import create_app
from tests.koski_docs import passed

TODAY = dt.date(2026, 11, 23)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox").decode()}
NOT_FOUND = ["notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"]


@pytest.fixture
def koski(tmp_path: Path) -> FlaskClient:
    users = {"sandbox": "sandbox"}
    return create_app(tmp_path / "koski.db", users, today=lambda: TODAY).test_client()


def stored(koski: FlaskClient) -> dict[str, Any]:
    response = koski.put(
        "/koski/api/oppija",
        data=json.dumps(passed()),
        content_type="application/json; charset=UTF-8",
        headers=AUTH,
    )
    assert response.status_code == 200, response.get_json()
    first: dict[str, Any] = response.get_json()["opiskeluoikeudet"][0]
    return first


def read(koski: FlaskClient, oid: str, headers: dict[str, str] | None = None) -> Any:
    return koski.get(
        f"/koski/api/opiskeluoikeus/{oid}", headers=AUTH if headers is None else headers
    )


def test_a_stored_record_reads_back_with_its_oid_and_version(koski: FlaskClient) -> None:
    record = stored(koski)
    response = read(koski, record["oid"])
    assert response.status_code == 200
    body = response.get_json()
    assert (body["oid"], body["versionumero"]) == (record["oid"], 1)
    assert body["lähdejärjestelmänId"] == record["lähdejärjestelmänId"]


def test_a_read_needs_a_known_service_user(koski: FlaskClient) -> None:
    record = stored(koski)
    assert read(koski, record["oid"], headers={}).status_code == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"sandbox:wrong").decode()}
    assert read(koski, record["oid"], headers=wrong).status_code == 401


def test_an_unknown_record_is_404(koski: FlaskClient) -> None:
    response = read(koski, "1.2.246.562.15.00000000001")
    assert response.status_code == 404
    assert [e["key"] for e in response.get_json()] == NOT_FOUND


def test_after_the_participant_revokes_the_record_reads_as_404_and_a_resend_as_403(
    koski: FlaskClient,
) -> None:
    record = stored(koski)
    revoke = f"/koski/api/opiskeluoikeus/suostumuksenperuutus/{record['oid']}"
    assert koski.post(revoke, headers=AUTH).status_code == 200
    response = read(koski, record["oid"])
    assert (response.status_code, [e["key"] for e in response.get_json()]) == (404, NOT_FOUND)
    again = koski.put(
        "/koski/api/oppija",
        data=json.dumps(passed()),
        content_type="application/json; charset=UTF-8",
        headers=AUTH,
    )
    assert (again.status_code, again.get_json()[0]["key"]) == (403, "forbidden.suostumusPeruttu")


def test_an_invalidated_record_reads_as_404(koski: FlaskClient) -> None:
    record = stored(koski)
    assert (
        koski.delete(f"/koski/api/opiskeluoikeus/{record['oid']}", headers=AUTH).status_code == 200
    )
    assert read(koski, record["oid"]).status_code == 404
