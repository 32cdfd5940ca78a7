"""The attention list as the staff pages' front page (SQLite, PostgreSQL): zero items says
so, items are grouped, counted, masked and linked; marking seen and retrying in bulk (all,
or a course's) go through a confirmation showing the count, for the staff role only, with
CSRF, audited per record."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent import binding
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.model import InboxDelivery
from consent.staff import Role
from consent.submissions import SubmissionChange
from tests.integration import test_grading, test_send_again
from tests.integration.test_grading import ADULT, NOW, World
from tests.integration.test_retry import retried_by, states, three_stuck
from tests.integration.test_staff_pages import GOOD_PASSWORD, post, token
from tests.signing import body_of, event

world = test_grading.world
cipher = test_send_again.cipher
web = test_send_again.web
CODE = "knoppi-2026-syksy"


def log_in(web: FlaskClient, name: str = "staff") -> None:
    data = {"csrf_token": token(web), "username": name, "password": GOOD_PASSWORD}
    assert web.post("/staff/login", data=data).status_code == 302


def as_viewer(web: FlaskClient, engine: Engine) -> None:
    SqlStaffAccounts(engine, utc_now).create("katsoja", GOOD_PASSWORD, Role.VIEWER)
    log_in(web, "katsoja")


def test_the_front_page_says_in_words_that_nothing_needs_attention(web: FlaskClient) -> None:
    log_in(web)
    page = web.get("/staff/").text
    assert "<h1>Huomioitavat</h1>" in page
    assert "Mikään ei odota toimiasi" in page
    assert 'href="/staff/courses"' in page  # the course list stays in the navigation


def test_the_front_page_lists_groups_with_counts_masked_people_and_links(
    world: World, web: FlaskClient
) -> None:
    parked, failed, _ = three_stuck(world)
    said = SubmissionChange(last_error_message="Koodia ei löydy koodistosta")
    world.submissions.change(failed, said, "test")
    log_in(web)
    page = web.get("/staff/").text
    assert "2 asiaa odottaa toimia, joista 2 katsomatta." in page
    assert "Koodia ei löydy koodistosta" in page  # KOSKI's own words beside its key
    assert "KOSKI hylkäsi (1)" in page
    assert "Pysäytetty, yritykset käytetty (1)" in page
    assert f'href="/staff/courses/{CODE}#submission-{failed}"' in page
    assert f'href="/staff/courses/{CODE}#submission-{parked}"' in page
    assert "******" + ADULT["hetu"][6:] in page
    assert ADULT["hetu"] not in page
    assert "Aino" not in page  # initials only
    assert "Yritä kaikkia uudelleen (2)" in page
    course_page = web.get(f"/staff/courses/{CODE}").text
    assert f'id="submission-{failed}"' in course_page  # where the link leads


def test_an_item_marked_seen_stays_listed_as_seen(world: World, web: FlaskClient) -> None:
    _, failed, _ = three_stuck(world)
    log_in(web)
    key = f"failed:{failed}"
    answer = post(web, "/staff/attention/seen", {"key": key}, "/staff/")
    assert answer.startswith("302 /staff/")
    page = web.get("/staff/").text
    assert "Merkitty nähdyksi" in page
    row = re.search(rf'<tr data-key="{key}" data-seen="seen">', page)
    assert row is not None
    assert "joista 1 katsomatta" in page
    gone = post(web, "/staff/attention/seen", {"key": "failed:999999"}, "/staff/")
    assert gone.startswith("302 /staff/")
    assert "Asia on jo korjattu tai muuttunut" in web.get("/staff/").text


def test_retry_all_shows_the_count_then_retries_as_many_audited_per_record(
    world: World, engine: Engine, web: FlaskClient, cipher: AesGcmCipher
) -> None:
    parked, failed, _ = three_stuck(world)
    log_in(web)
    confirmation = web.get("/staff/attention/retry").text
    assert "2 KOSKIn hylkäämää tai pysäytettyä siirtoa lähetetään uudelleen." in confirmation
    assert states(world) == ["parked", "failed", "sent"]  # showing changes nothing
    stale = post(web, "/staff/attention/retry", {"count": "5"}, "/staff/attention/retry")
    assert stale.startswith("409")  # confirmed another count: shown again, nothing done
    assert states(world) == ["parked", "failed", "sent"]
    done = post(web, "/staff/attention/retry", {"count": "2"}, "/staff/attention/retry")
    assert done.startswith("302 /staff/")
    assert "2 siirtoa lähetetään uudelleen." in web.get("/staff/").text
    assert states(world) == ["pending", "pending", "sent"]
    assert (
        retried_by(engine, cipher, parked) == retried_by(engine, cipher, failed) == ["staff:staff"]
    )


def test_a_course_is_retried_from_its_page_after_the_count(
    world: World, engine: Engine, web: FlaskClient, cipher: AesGcmCipher
) -> None:
    parked, failed, _ = three_stuck(world)
    log_in(web)
    assert "Yritä kurssin kaikkia uudelleen (2)" in web.get(f"/staff/courses/{CODE}").text
    path = f"/staff/courses/{CODE}/retry"
    assert "2 KOSKIn hylkäämää" in web.get(path).text
    done = post(web, path, {"count": "2"}, path)
    assert done.startswith(f"302 /staff/courses/{CODE}")
    assert states(world) == ["pending", "pending", "sent"]
    assert (
        retried_by(engine, cipher, parked) == retried_by(engine, cipher, failed) == ["staff:staff"]
    )
    assert "Ei uudelleen lähetettävää." in web.get(path).text
    assert web.get("/staff/courses/ei-ole/retry").status_code == 404


def test_a_viewer_sees_the_list_but_may_not_retry_or_mark_seen(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    _, failed, _ = three_stuck(world)
    as_viewer(web, engine)
    page = web.get("/staff/").text
    assert "KOSKI hylkäsi (1)" in page
    assert "Yritä kaikkia uudelleen" not in page
    assert "Merkitse nähdyksi" not in page
    assert web.get("/staff/attention/retry").status_code == 403
    answer = post(web, "/staff/attention/retry", {"count": "2"}, "/staff/")
    assert answer.startswith("403")
    answer = post(web, "/staff/attention/seen", {"key": f"failed:{failed}"}, "/staff/")
    assert answer.startswith("403")
    assert states(world) == ["parked", "failed", "sent"]


def test_a_bulk_retry_without_its_csrf_token_changes_nothing(
    world: World, web: FlaskClient
) -> None:
    three_stuck(world)
    log_in(web)
    answer = web.post("/staff/attention/retry", data={"count": "2"})
    assert answer.status_code == 400
    assert states(world) == ["parked", "failed", "sent"]


def test_the_front_page_is_in_swedish_for_a_swedish_page(web: FlaskClient) -> None:
    log_in(web)
    post(web, "/staff/language", {"language": "sv", "next": "/staff/"}, "/staff/")
    page = web.get("/staff/").text
    assert "<h1>Att åtgärda</h1>" in page
    assert "Inget väntar på åtgärd" in page


def test_an_unknown_course_links_to_the_new_course_form_with_its_code(
    world: World, web: FlaskClient
) -> None:
    consent = event(ADULT, ADULT, course="kevat-2027", document_id="u1")
    delivery = InboxDelivery(
        "signing", "u1", 1, "v1,x", "k", consent["type"], body_of(consent), NOW
    )
    binding.bind_consent(world.ledger.store_delivery(delivery).inbox_id, world.ledger, lambda: NOW)
    log_in(web)
    page = web.get("/staff/").text
    assert "Suostumukset kursseille, joita ei ole määritelty (1)" in page
    assert 'href="/staff/courses/new?code=kevat-2027"' in page
    assert 'value="kevat-2027"' in web.get("/staff/courses/new?code=kevat-2027").text
    assert 'value="&lt;b&gt;"' not in web.get("/staff/courses/new?code=<b>").text
