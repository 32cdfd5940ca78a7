"""The staff web pages over the real ledger: login, CSRF, courses, the grading sync with its
preview, the status page and its search, and the actions, each by role."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import submission_range, submission_range_job
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.submissions import SqlSubmissions
from consent.adapters.sql.tables import AuditRow, RevocationRow
from consent.config import Settings
from consent.hetu import HETU_PATTERN, Hetu
from consent.model import SubmissionState
from consent.results import ImportedResult, ResultStatus
from consent.staff import Role
from consent.submissions import SubmissionChange
from tests.courses import COURSE_FORM, course
from tests.koski_server import PASSWORD, USER, running_sandbox
from tests.signing import body_of, event, hmac_secret, person, signed_headers
from tests.status import status_rows
from web.app import create_app

SECRET = hmac_secret()
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
STRANGER = person(dt.date(1985, 3, 3), "Eero", "Esimerkki")
GOOD_PASSWORD = "pitkä-ja-hyvä-salasana"


@pytest.fixture
def app_client(engine: Engine, redis_client: redis.Redis, tmp_path: Path) -> Iterator[FlaskClient]:
    """The web app on the real ledger and Redis, with one account per role."""
    accounts = SqlStaffAccounts(engine, utc_now)
    for role in Role:
        accounts.create(role.value, GOOD_PASSWORD, role)
    with running_sandbox(tmp_path / "koski.db") as koski:
        settings = Settings.from_env(
            {
                "KOSKI_URL": koski.url,
                "KOSKI_USERNAME": USER,
                "KOSKI_PASSWORD": PASSWORD,
                "SIGNING_WEBHOOK_KEYS": SECRET,
            }
        )
        yield create_app(settings, engine=engine, broker=redis_client).test_client()


def token(client: FlaskClient, path: str = "/staff/login") -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def login(client: FlaskClient, role: Role = Role.STAFF) -> None:
    data = {"csrf_token": token(client), "username": role.value, "password": GOOD_PASSWORD}
    assert client.post("/staff/login", data=data).status_code == 302


def post(client: FlaskClient, path: str, data: Mapping[str, object], page: str) -> str:
    """Submit a form as the browser does (with the token of the page it is on); the answer."""
    response = client.post(path, data={"csrf_token": token(client, page), **data})
    return f"{response.status_code} {response.headers.get('Location', '')}\n{response.text}"


def create_course(client: FlaskClient) -> None:
    answer = post(client, "/staff/courses/new", COURSE_FORM, "/staff/courses/new")
    assert answer.startswith("302 /staff/courses/eratauko-2026")


def consent(
    client: FlaskClient,
    engine: Engine,
    member: dict[str, str],
    webhook_id: str,
    course: str = "eratauko-2026",
) -> None:
    """The signing service posts a consent and a worker binds it."""
    body = body_of(event(member, member, course=course))
    now = int(dt.datetime.now(dt.UTC).timestamp())
    headers = signed_headers(SECRET, webhook_id, now, body)
    response = client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )
    assert response.status_code == 202
    ledger = SqlLedger(engine, AesGcmCipher(Settings.from_env({}).pii_keys), utc_now)
    binding.bind_consent(response.json["inbox_id"], ledger, utc_now)  # type: ignore[index]  # JSON


def upload(client: FlaskClient, csv_text: str) -> str:
    page = "/staff/courses/eratauko-2026"
    data = {"file": (BytesIO(csv_text.encode()), "tulokset.csv")}
    return post(client, f"{page}/results", data, page)


def store_of(engine: Engine) -> SqlCourses:
    return SqlCourses(engine, utc_now)


def status_of(engine: Engine) -> list[dict[str, Any]]:
    return status_rows(
        SqlStatus(engine, AesGcmCipher(Settings.from_env({}).pii_keys)), "eratauko-2026"
    )


def test_every_page_asks_a_stranger_to_log_in(app_client: FlaskClient) -> None:
    for path in ("/staff/courses", "/staff/courses/new", "/staff/courses/x"):
        response = app_client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/staff/login?next={path}"


def test_a_wrong_password_is_refused_and_a_right_one_opens_a_session(
    app_client: FlaskClient,
) -> None:
    data = {"csrf_token": token(app_client), "username": "staff", "password": "not-the-password"}
    refused = app_client.post("/staff/login", data=data)
    assert refused.status_code == 401
    assert "Väärä käyttäjätunnus tai salasana." in refused.text
    assert app_client.get("/staff/courses").status_code == 302
    data |= {"password": GOOD_PASSWORD, "next": "//evil.example/"}
    accepted = app_client.post("/staff/login", data=data)
    assert accepted.headers.get("Location") == "/staff/courses", accepted.text[:600]
    assert "HttpOnly" in accepted.headers["Set-Cookie"]
    assert "SameSite=Lax" in accepted.headers["Set-Cookie"]
    assert app_client.get("/staff/courses").status_code == 200


def test_a_disabled_account_loses_its_session(app_client: FlaskClient, engine: Engine) -> None:
    login(app_client)
    SqlStaffAccounts(engine, utc_now).disable("staff")
    assert app_client.get("/staff/courses").status_code == 302


def test_a_form_without_its_csrf_token_changes_nothing(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    response = app_client.post("/staff/courses/new", data=COURSE_FORM)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Lomake vanheni" in response.text
    assert store_of(engine).find_course("eratauko-2026") is None


def test_a_course_form_names_every_problem_next_to_its_field_and_saves_nothing(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    bad = COURSE_FORM | {
        "opintokokonaisuus": "12",
        "laajuus_op": "puolitoista",
        "confirmer.name": "",
    }
    bad |= {"parts.0.code": "A", "parts.0.name": "Osa A"}  # no extent
    answer = post(app_client, "/staff/courses/new", bad, "/staff/courses/new")
    assert answer.startswith("400 ")
    errors = dict(re.findall(r'class="error" id="f-([^"]+)-error">([^<]+)<', answer))
    assert errors == {
        "opintokokonaisuus": "on väärää muotoa",
        "laajuus_op": "ei ole oikeaa muotoa (luku tai teksti)",
        "confirmer-name": "on pakollinen",
        "parts-0-laajuus_op": "on pakollinen",
    }
    assert 'aria-invalid="true"' in answer
    assert 'value="puolitoista"' in answer  # what was typed stays, to be corrected
    assert store_of(engine).find_course("eratauko-2026") is None


def test_parts_that_do_not_add_up_to_the_course_are_refused(app_client: FlaskClient) -> None:
    login(app_client)
    parts = {"parts.0.code": "A", "parts.0.name": "Osa A", "parts.0.laajuus_op": "1"}
    answer = post(app_client, "/staff/courses/new", COURSE_FORM | parts, "/staff/courses/new")
    assert answer.startswith("400 ")
    assert "osien laajuudet (1 op) eivät vastaa kurssin laajuutta (1,5 op)" in answer


def test_staff_define_and_edit_a_course(app_client: FlaskClient, engine: Engine) -> None:
    login(app_client)
    create_course(app_client)
    course = store_of(engine).find_course("eratauko-2026")
    assert course is not None
    assert course.laajuus_op == Decimal("1.5")
    assert course.effective_parts[0].name == "Erätauko ohjaajakoulutus"
    listing = app_client.get("/staff/courses").text
    assert "Erätauko ohjaajakoulutus" in listing
    assert "1,5 op" in listing
    edit = "/staff/courses/eratauko-2026/edit"
    assert 'value="1,5"' in app_client.get(edit).text
    answer = post(app_client, edit, COURSE_FORM | {"name.sv": "Andningspaus"}, edit)
    assert answer.startswith("302 ")
    changed = store_of(engine).find_course("eratauko-2026")
    assert changed is not None
    assert changed.name == {"fi": "Erätauko ohjaajakoulutus", "sv": "Andningspaus"}


def test_a_results_file_with_errors_is_shown_row_by_row_and_imports_nothing(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    csv_text = (
        "hetu,grade,graded_on\n"
        f"{ADULT['hetu']},hyväksytty,2026-11-19\n"
        "010190-123X,hyväksytty,2026-11-19\n"  # a wrong check character
        f"{STRANGER['hetu']},kiitettävä,2026-11-19\n"
    )
    answer = upload(app_client, csv_text)
    assert answer.startswith("400 ")
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", answer)
    assert rows == [("2", "hetu"), ("3", "grade")]  # data rows, as the CLI and API count them
    assert "tarkistusmerkki on väärä" in answer
    assert "pitää olla hyväksytty tai hylätty" in answer
    assert not HETU_PATTERN.search(answer)  # never echoes a hetu, even a broken one
    assert status_of(engine) == []


def test_a_checked_file_shows_what_it_would_change_and_imports_only_when_confirmed(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    csv_text = (
        "hetu,grade,graded_on,first_names,last_name\n"
        f"{ADULT['hetu']},hyväksytty,2026-11-19,Aino,Virtanen\n"
        f"{STRANGER['hetu']},hylätty,2026-11-19,Eero,Esimerkki\n"
    )
    answer = upload(app_client, csv_text)
    assert answer.startswith("200 ")
    assert "<strong>2</strong> uusia" in answer
    assert status_of(engine) == []  # nothing yet
    found = re.search(r'action="(/staff/courses/eratauko-2026/results/[^"]+)"', answer)
    assert found is not None
    confirmed = post(app_client, found.group(1), {}, "/staff/courses/eratauko-2026")
    assert confirmed.startswith("302 /staff/courses/eratauko-2026")
    assert len(status_of(engine)) == 2
    page = app_client.get("/staff/courses/eratauko-2026").text
    assert "Tuotu: 2 uutta tai muuttunutta, 0 ennallaan." in page
    again = post(app_client, found.group(1), {}, "/staff/courses/eratauko-2026")
    assert again.startswith("302 ")  # the held file is gone: nothing imported twice
    assert "Lataa se uudelleen" in app_client.get("/staff/courses/eratauko-2026").text
    second = upload(app_client, csv_text)
    assert "<strong>2</strong> ennallaan" in second


def test_the_status_page_masks_hetus_and_a_search_shows_one_person(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    upload_and_confirm(app_client, [ADULT, STRANGER])
    page = app_client.get("/staff/courses/eratauko-2026").text
    assert not HETU_PATTERN.search(page)
    assert "Virtanen" not in page
    assert "ei suostumusta" in page
    course_page = "/staff/courses/eratauko-2026"
    found = post(app_client, f"{course_page}/person", {"hetu": ADULT["hetu"]}, course_page)
    assert ADULT["hetu"] in found
    assert "Aino Virtanen" in found
    assert STRANGER["hetu"][-4:] not in found
    bad = post(app_client, f"{course_page}/person", {"hetu": "123"}, course_page)
    assert bad.startswith("400 ")
    assert "Henkilötunnus ei kelpaa." in bad


def test_a_consent_with_no_result_yet_is_on_the_course_page_for_the_trainer_to_assess(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    page = app_client.get("/staff/courses/eratauko-2026").text
    assert 'data-state="no_result"' in page
    assert "ei vielä arvioitu: tuo osallistujan arvosana" in page
    assert "allekirjoittanut itse" in page
    assert "allekirjoitettu kurssin päättymisen jälkeen" not in page  # signed 1.9., ends 20.11.
    assert ADULT["hetu"][-4:] in page
    assert "Virtanen" not in page


def test_consents_for_a_course_not_defined_yet_are_listed_on_the_course_list_in_finnish(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client, Role.VIEWER)
    consent(app_client, engine, ADULT, "msg_adult", course="kevat-2027")
    page = app_client.get("/staff/courses").text
    assert "Suostumukset kursseille, joita ei ole vielä määritelty" in page
    assert "kevat-2027" in page
    assert "1.9.2026" in page  # when it was signed
    assert ADULT["hetu"][-4:] in page
    assert not HETU_PATTERN.search(page)
    assert "Virtanen" not in page


def test_a_duplicate_of_another_courses_record_is_warned_of_at_import_and_named_in_status(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    cipher = AesGcmCipher(Settings.from_env({}).pii_keys)
    results = SqlResults(engine, cipher, utc_now)
    other = course(code="eratauko-2026-b", end_date=COURSE_FORM["end_date"])  # the same day
    store_of(engine).save_course(other, "test")
    consent(app_client, engine, ADULT, "msg_b", course=other.code)
    graded = ImportedResult(
        1,
        Hetu(ADULT["hetu"]),
        None,
        None,
        "hyväksytty",
        dt.date(2026, 11, 19),
        ResultStatus.COMPLETED,
        {},
    )
    [other_result], _ = results.store_results(other.code, [graded], "test")
    with results.binding() as tx:
        _, other_id = grading.bind_result(tx, other_result, "winnova")
    assert other_id is not None
    sent = SubmissionChange(state=SubmissionState.SENT, oid="1.2.246.562.15.00000000002")
    SqlSubmissions(engine, cipher, utc_now).change(other_id, sent, "test")
    consent(app_client, engine, ADULT, "msg_adult")
    line = f"{ADULT['hetu']},hyväksytty,2026-11-19,Aino,Virtanen"
    preview = upload(app_client, "hetu,grade,graded_on,first_names,last_name\n" + line)
    assert "sama opintokokonaisuus ja päivä kuin kurssilla eratauko-2026-b" in preview
    upload_and_confirm(app_client, [ADULT])
    [row] = status_of(engine)
    with results.binding() as tx:
        _, refused_id = grading.bind_result(tx, row["result_id"], "winnova")
    assert refused_id is not None
    refused = SubmissionChange(
        state=SubmissionState.FAILED, last_status=409, last_error_keys=("conflict.exists",)
    )
    SqlSubmissions(engine, cipher, utc_now).change(refused_id, refused, "test")
    page = app_client.get("/staff/courses/eratauko-2026").text
    assert "saman henkilön suorituksella kurssilla eratauko-2026-b" in page


def upload_and_confirm(client: FlaskClient, members: list[dict[str, str]]) -> None:
    lines = [
        f"{m['hetu']},hyväksytty,2026-11-19,{m['first_names']},{m['last_name']}" for m in members
    ]
    answer = upload(client, "hetu,grade,graded_on,first_names,last_name\n" + "\n".join(lines))
    found = re.search(r'action="(/staff/courses/eratauko-2026/results/[^"]+)"', answer)
    assert found is not None
    post(client, found.group(1), {}, "/staff/courses/eratauko-2026")


def test_a_revocation_needs_the_day_oph_told_and_is_audited_with_the_staff_member(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    with Session(engine) as session:
        consent_id = session.execute(text("SELECT id FROM consents")).scalar_one()
    page = f"/staff/consents/{consent_id}/revoke"
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused = post(app_client, page, {"notified_on": future}, page)
    assert refused.startswith("400 ")
    assert "ei tulevaisuudessa" in refused
    done = post(
        app_client,
        page,
        {"notified_on": "2026-11-02", "back": "/staff/courses/eratauko-2026"},
        page,
    )
    assert done.startswith("302 /staff/courses/eratauko-2026")
    with Session(engine) as session:
        revocation = session.execute(select(RevocationRow)).scalar_one()
        audit = session.execute(
            select(AuditRow).where(AuditRow.action == "consent.revoked")
        ).scalar_one()
    assert revocation.notified_on == dt.date(2026, 11, 2)
    assert audit.actor == "staff:staff"
    assert audit.details == {"source": "staff", "notified_on": "2026-11-02"}


def test_a_parked_submission_can_be_retried_once_and_the_retry_is_audited(
    app_client: FlaskClient, engine: Engine, redis_client: redis.Redis
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    upload_and_confirm(app_client, [ADULT])
    cipher = AesGcmCipher(Settings.from_env({}).pii_keys)
    [result_id] = [r["result_id"] for r in status_of(engine)]
    with SqlResults(engine, cipher, utc_now).binding() as tx:
        _, submission_id = grading.bind_result(tx, result_id, "winnova")
    assert submission_id is not None
    parked = SubmissionChange(state=SubmissionState.PARKED, attempts=8)
    SqlSubmissions(engine, cipher, utc_now).change(submission_id, parked, "test")
    page = "/staff/courses/eratauko-2026"
    assert "Yritä uudelleen" in app_client.get(page).text
    answer = post(app_client, f"/staff/submissions/{submission_id}/retry", {"back": page}, page)
    assert answer.startswith(f"302 {page}")
    [row] = status_of(engine)
    assert (row["submission"]["state"], row["submission"]["attempts"]) == ("pending", 0)
    first, _ = submission_range(submission_id)
    assert redis_client.exists(f"rq:job:{submission_range_job(first)}")
    again = post(app_client, f"/staff/submissions/{submission_id}/retry", {"back": page}, page)
    assert "Tätä siirtoa ei voi yrittää uudelleen." in app_client.get(page).text, again


def test_a_viewer_sees_status_but_cannot_change_anything(app_client: FlaskClient) -> None:
    login(app_client, Role.STAFF)
    create_course(app_client)
    app_client.post("/staff/logout", data={"csrf_token": token(app_client, "/staff/courses")})
    login(app_client, Role.VIEWER)
    page = app_client.get("/staff/courses/eratauko-2026").text
    assert "Tuo arvosanat" not in page
    assert app_client.get("/staff/courses/new").status_code == 403
    answer = post(app_client, "/staff/courses/new", COURSE_FORM, "/staff/courses")
    assert answer.startswith("403 ")


def test_only_an_operator_is_shown_the_job_dashboard(app_client: FlaskClient) -> None:
    login(app_client, Role.STAFF)
    assert "rq-dashboard" not in app_client.get("/staff/courses").text
    app_client.post("/staff/logout", data={"csrf_token": token(app_client, "/staff/courses")})
    login(app_client, Role.OPERATOR)
    assert 'href="http://127.0.0.1:9181/rq/"' in app_client.get("/staff/courses").text


def test_hostile_form_fields_get_a_clear_answer_never_a_500(app_client: FlaskClient) -> None:
    login(app_client)
    for extra in (
        {"parts.x.code": "A"},
        {"parts.99999999.code": "A"},
        {"laajuus_op": "nan"},
        {"laajuus_op": "1e400"},
        {"end_date": "2026-02-30"},
        {"code": "../../etc"},
    ):
        answer = post(app_client, "/staff/courses/new", COURSE_FORM | extra, "/staff/courses/new")
        assert answer[:3] in ("302", "400"), (extra, answer[:300])


def test_staff_invite_a_course_to_sign_and_see_where_each_signing_stands(
    app_client: FlaskClient, redis_client: redis.Redis
) -> None:
    login(app_client)
    create_course(app_client)
    page = "/staff/courses/eratauko-2026"
    minor = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
    bad = f"hetu,first_names,last_name\n{minor['hetu']},Onni,Korhonen\n"
    data = {"file": (BytesIO(bad.encode()), "osallistujat.csv")}
    refused = post(app_client, f"{page}/enrolments", data, page)
    assert refused.startswith("400 ")
    assert "tarvitaan alle 18-vuotiaalle osallistujalle" in refused
    assert "Ketään ei ole vielä kutsuttu" in app_client.get(page).text
    good = (
        "hetu,first_names,last_name,email,guardian_hetu,guardian_first_names,guardian_last_name\n"
        f"{ADULT['hetu']},Aino,Virtanen,aino@example.fi,,,\n"
        f"{minor['hetu']},Onni,Korhonen,,{STRANGER['hetu']},Eero,Esimerkki\n"
    )
    data = {"file": (BytesIO(good.encode()), "osallistujat.csv")}
    preview = post(app_client, f"{page}/enrolments", data, page)
    assert preview.startswith("200 ")
    assert not redis_client.exists("rq:job:invite-1")  # checked, not yet enrolled
    confirm = re.search(rf'action="({page}/enrolments/[^"]+)"', preview)
    assert confirm is not None
    assert post(app_client, confirm.group(1), {}, page).startswith(f"302 {page}")
    shown = app_client.get(page).text
    assert "Kutsuttu 2 uutta; 0 oli kutsuttu jo aiemmin." in shown
    row = r'<tr data-state="(new)">\s*<th scope="row">[^<]+</th>\s*<td>([^<]+)</td>'
    states = re.findall(row, shown)
    assert states == [("new", "osallistuja itse"), ("new", "huoltaja")]
    assert not HETU_PATTERN.search(shown)
    assert redis_client.exists("rq:job:invite-1", "rq:job:invite-2") == 2
