"""The KOSKI sandbox over HTTP: auth, media type, identification, versions, mitätöinti,
revocation, duplicates, fault injection, and state that survives a restart."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sandbox.koski.app import create_app
from tests.hetus import make_hetu
from tests.koski_docs import changed, example, interrupted, jakso, oo, passed, pts

TODAY = dt.date(2026, 11, 23)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox").decode()}
JSON = "application/json; charset=UTF-8"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "koski.db"


@pytest.fixture
def koski(database: Path) -> FlaskClient:
    return create_app(database, {"sandbox": "sandbox"}, today=lambda: TODAY).test_client()


def put(
    client: FlaskClient,
    document: Any,
    content_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    return client.put(
        "/koski/api/oppija",
        data=json.dumps(document),
        content_type=content_type,
        headers=AUTH if headers is None else headers,
    )


def keys(response: TestResponse) -> list[str]:
    return [e["key"] for e in response.get_json()]


def saved(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.get_json()
    first: dict[str, Any] = response.get_json()["opiskeluoikeudet"][0]
    return first


def test_without_credentials_the_answer_is_401(koski: FlaskClient) -> None:
    response = put(koski, passed(), headers={})
    assert response.status_code == 401
    assert keys(response) == ["unauthorized.notAuthenticated"]
    wrong = {"Authorization": "Basic " + base64.b64encode(b"sandbox:wrong").decode()}
    assert keys(put(koski, passed(), headers=wrong)) == ["unauthorized.loginFail"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "text/plain; charset=UTF-8", "application/json; charset=latin-1"],
)
def test_a_body_not_declared_as_utf8_json_is_refused_with_415(
    koski: FlaskClient, content_type: str
) -> None:
    response = put(koski, passed(), content_type=content_type)
    assert response.status_code == 415
    assert keys(response) == ["unsupportedMediaType.jsonOnly"]


def test_broken_json_is_a_format_error(koski: FlaskClient) -> None:
    response = koski.put("/koski/api/oppija", data=b"{nope", content_type=JSON, headers=AUTH)
    assert (response.status_code, keys(response)) == (400, ["badRequest.format.json"])


def test_a_service_user_must_send_a_lahdejarjestelmanid(koski: FlaskClient) -> None:
    response = put(koski, changed(passed(), **{"lähdejärjestelmänId": None}))
    assert (response.status_code, keys(response)) == (403, ["forbidden.lähdejärjestelmäIdPuuttuu"])


@pytest.mark.parametrize(
    ("hetu", "message"),
    [
        ("231158-467S", "Virheellinen tarkistusmerkki"),
        (make_hetu(dt.date(1990, 1, 1), 950), "Keinotekoinen henkilötunnus"),
        ("231158467R", "Virheellinen muoto hetulla"),
    ],
)
def test_hetus_are_checked_as_koski_checks_them(
    koski: FlaskClient, hetu: str, message: str
) -> None:
    document = passed()
    document["henkilö"]["hetu"] = hetu
    response = put(koski, document)
    assert response.status_code == 400
    assert response.get_json() == [
        {"key": "badRequest.validation.henkilötiedot.hetu", "message": message}
    ]


def test_create_then_resend_unchanged_keeps_the_version_and_a_change_bumps_it(
    koski: FlaskClient,
) -> None:
    first = saved(put(koski, passed()))
    assert first["versionumero"] == 1
    assert first["oid"].startswith("1.2.246.562.15.")
    assert saved(put(koski, passed())) == first
    renamed = passed()
    pts(renamed)["osasuoritukset"][0]["koulutusmoduuli"]["kuvaus"] = {"fi": "Sienestys"}
    second = saved(put(koski, renamed))
    assert (second["oid"], second["versionumero"]) == (first["oid"], 2)
    assert (
        koski.get(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH).get_json()[
            "versionumero"
        ]
        == 2
    )


def test_an_update_by_an_unknown_oid_is_404(koski: FlaskClient) -> None:
    response = put(koski, changed(passed(), oid="1.2.246.562.15.12345678901"))
    assert (response.status_code, keys(response)) == (
        404,
        ["notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"],
    )


def test_a_stale_versionumero_is_a_conflict(koski: FlaskClient) -> None:
    first = saved(put(koski, passed()))
    response = put(koski, changed(passed(), oid=first["oid"], versionumero=7))
    assert (response.status_code, keys(response)) == (409, ["conflict.versionumero"])
    assert (
        saved(put(koski, changed(passed(), oid=first["oid"], versionumero=1)))["versionumero"] == 1
    )


def test_g9_a_second_study_right_for_the_same_course_and_day_is_a_conflict(
    koski: FlaskClient,
) -> None:
    saved(put(koski, passed()))
    other_id = passed()
    oo(other_id)["lähdejärjestelmänId"]["id"] = "win-999999"
    response = put(koski, other_id)
    assert (response.status_code, keys(response)) == (409, ["conflict.exists"])
    pts(other_id)["koulutusmoduuli"]["opintokokonaisuus"]["koodiarvo"] = "1139"
    assert (
        saved(put(koski, other_id))["versionumero"] == 1
    )  # another course on the same day is fine


def test_rule_errors_come_back_as_koski_errors(koski: FlaskClient) -> None:
    document = passed()
    del pts(document)["vahvistus"]
    response = put(koski, document)
    assert response.status_code == 400
    assert keys(response) == [
        "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus"
    ]


def test_changing_the_oppilaitos_is_refused(koski: FlaskClient) -> None:
    first = saved(put(koski, passed()))
    moved = changed(passed(), oid=first["oid"], oppilaitos={"oid": "1.2.246.562.10.78513447389"})
    assert keys(put(koski, moved)) == ["badRequest.validation.organisaatio.oppilaitoksenVaihto"]


def test_mitatointi_deletes_and_the_same_id_then_creates_a_new_record(koski: FlaskClient) -> None:
    first = saved(put(koski, passed()))
    assert saved(put(koski, example("mitatointi")))["oid"] == first["oid"]
    response = koski.get(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH)
    assert (response.status_code, keys(response)) == (
        404,
        ["notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"],
    )
    again = saved(put(koski, passed()))
    assert again["oid"] != first["oid"]
    assert again["versionumero"] == 1


def test_a_new_record_cannot_be_sent_already_invalidated(koski: FlaskClient) -> None:
    response = put(koski, example("mitatointi"))
    assert keys(response) == [
        "badRequest.validation.tila.uudenOpiskeluoikeudenTallennusMitäöitynäEiSallittu"
    ]


def test_a_mitatointi_cannot_be_dated_in_the_future(koski: FlaskClient) -> None:
    saved(put(koski, passed()))
    future = passed()
    oo(future)["tila"]["opiskeluoikeusjaksot"].append(jakso("2026-12-24", "mitatoity"))
    assert keys(put(koski, future)) == ["badRequest.validation.tila.mitätöintiTulevaisuudessa"]


def test_delete_is_a_mitatointi_too(koski: FlaskClient) -> None:
    first = saved(put(koski, passed()))
    assert (
        koski.delete(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH).status_code == 200
    )
    assert (
        koski.delete(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH).status_code == 404
    )
    assert saved(put(koski, passed()))["oid"] != first["oid"]


def test_after_a_citizen_revokes_consent_the_record_is_gone_and_cannot_be_resent(
    koski: FlaskClient,
) -> None:
    first = saved(put(koski, passed()))
    assert (
        koski.post(
            f"/koski/api/opiskeluoikeus/suostumuksenperuutus/{first['oid']}", headers=AUTH
        ).status_code
        == 200
    )
    assert koski.get(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH).status_code == 404
    response = put(koski, passed())
    assert (response.status_code, keys(response)) == (403, ["forbidden.suostumusPeruttu"])
    assert keys(put(koski, changed(passed(), oid=first["oid"]))) == ["forbidden.suostumusPeruttu"]


def test_the_state_survives_a_restart(database: Path, koski: FlaskClient) -> None:
    first = saved(put(koski, passed()))
    restarted = create_app(database, {"sandbox": "sandbox"}, today=lambda: TODAY).test_client()
    assert (
        restarted.get(f"/koski/api/opiskeluoikeus/{first['oid']}", headers=AUTH).status_code == 200
    )
    assert saved(put(restarted, passed())) == first


def test_planned_faults_fail_the_next_calls_in_order(koski: FlaskClient) -> None:
    plan = koski.put(
        "/koski/sandbox/faults", json={"faults": ["unavailable", "lost"]}, headers=AUTH
    )
    assert plan.get_json() == {"faults": ["unavailable", "lost"]}
    assert put(koski, passed()).status_code == 503
    assert (
        koski.get("/koski/sandbox/opiskeluoikeudet", headers=AUTH).get_json()["opiskeluoikeudet"]
        == []
    )
    assert put(koski, passed()).status_code == 504  # stored, answer lost
    stored = koski.get("/koski/sandbox/opiskeluoikeudet", headers=AUTH).get_json()[
        "opiskeluoikeudet"
    ]
    assert len(stored) == 1
    assert saved(put(koski, passed()))["oid"] == stored[0]["oid"]  # the retry updates, no duplicate


def test_unknown_faults_are_refused(koski: FlaskClient) -> None:
    response = koski.put("/koski/sandbox/faults", json={"faults": ["explode"]}, headers=AUTH)
    assert response.status_code == 400


def test_the_interrupted_example_is_accepted(koski: FlaskClient) -> None:
    assert saved(put(koski, interrupted()))["versionumero"] == 1
