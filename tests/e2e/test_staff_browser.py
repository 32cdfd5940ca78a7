"""A new staff member in a real browser (Debian's Chromium, headless, driven by Playwright):
logs in, defines a course, uploads its results, sees which records reached the KOSKI sandbox
and why the others did not, and invalidates one. Screenshots of each page are saved."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.e2e.chromium import shot
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from web.app import create_app
from workers.worker import build_worker

STAFF_PASSWORD = "Erätauko-2026-salasana"
COURSE_CODE = "eratauko-2026-syksy"
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")
NO_CONSENT = person(dt.date(1975, 6, 6), "Eero", "Esimerkki")
FAILED = person(dt.date(1988, 8, 8), "Liisa", "Laine")


@pytest.fixture
def site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[str, RunningSandbox]]:
    """The web app served on loopback, a KOSKI sandbox, and a staff account."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        SqlStaffAccounts(engine, utc_now).create("sanna.staff", STAFF_PASSWORD, Role.STAFF)
        app = create_app()
        for member, signer, webhook_id in (
            (ADULT, ADULT, "msg_adult"),
            (MINOR, GUARDIAN, "msg_minor"),
            (FAILED, FAILED, "msg_failed"),
        ):
            document = event(member, signer, course=COURSE_CODE, document_id=webhook_id)
            assert post_signed(app.test_client(), document, webhook_id) == 202
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", koski
        finally:
            server.shutdown()
            thread.join()


def work() -> None:
    """What the worker process does meanwhile: bind consents and results, send to KOSKI."""
    build_worker(Settings.from_env()).work(burst=True)


def results_file(tmp_path: Path) -> Path:
    path = tmp_path / "eratauko-tulokset.csv"
    lines = ["hetu,grade,graded_on,first_names,last_name"]
    for member, grade in (
        (ADULT, "hyväksytty"),
        (MINOR, "hyväksytty"),
        (NO_CONSENT, "hyväksytty"),
        (FAILED, "hylätty"),
    ):
        lines.append(
            f"{member['hetu']},{grade},2026-11-19,{member['first_names']},{member['last_name']}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def define_course(page: Page) -> None:
    page.get_by_role("link", name="Uusi kurssi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uusi kurssi")
    page.get_by_label("Kurssin tunnus").fill(COURSE_CODE)
    page.get_by_label("Nimi suomeksi").fill("Erätauko ohjaajakoulutus")
    page.get_by_label("Opintokokonaisuus (ePerusteet-koodi)").fill("1138")
    page.get_by_label("Kurssin laajuus (op)").fill("1,5")
    page.get_by_label("Päättymispäivä").fill("2026-11-20")
    page.get_by_label("Oppilaitoksen OID").fill("1.2.246.562.10.31915273374")
    page.get_by_label("Arviointiasteikko").select_option("hyvaksytty-hylatty")
    page.get_by_label("Vahvistajan nimi").fill("Reija Rehtori")
    shot(page, "2-kurssin-tiedot-puuttuvat")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("alert")).to_contain_text("Korjaa merkityt kentät")  # no title yet
    expect(page.locator("#f-confirmer-title-error")).to_have_text("on pakollinen")
    page.get_by_label("Vahvistajan titteli").fill("rehtori")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("status")).to_contain_text("Kurssi tallennettu.")


def test_a_new_staff_member_grades_a_course_and_sees_why_each_record_was_sent_or_not(
    site: tuple[str, RunningSandbox], browser: Browser, tmp_path: Path
) -> None:
    url, koski = site
    page = browser.new_page(locale="fi-FI")
    page.goto(f"{url}/staff/")
    expect(page).to_have_url(f"{url}/staff/login?next=/staff/")
    page.get_by_label("Käyttäjätunnus").fill("sanna.staff")
    page.get_by_label("Salasana").fill(STAFF_PASSWORD)
    shot(page, "1-kirjautuminen")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huomioitavat")  # the front page
    page.get_by_role("navigation").get_by_role("link", name="Kurssit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kurssit")

    define_course(page)
    results = page.get_by_role("region", name="Tuo arvosanat")
    results.get_by_label("Tulostiedosto").set_input_files(results_file(tmp_path))
    results.get_by_role("button", name="Tarkista tiedosto").click()
    expect(page.locator(".counts")).to_contain_text("4 uusia")
    shot(page, "3-tuonnin-tarkistus")
    page.get_by_role("button", name="Vahvista tuonti").click()
    expect(page.get_by_role("status")).to_contain_text("Tuotu: 4 uutta tai muuttunutta")

    work()
    page.reload()
    rows = page.locator("table.status tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator('tr[data-state="sent"]')).to_have_count(2)
    expect(page.locator('tr[data-state="not_eligible"]')).to_have_count(2)
    not_sent = page.locator('tr[data-state="not_eligible"] td.koski')
    expect(not_sent).to_contain_text(["ei suostumusta", "ei hyväksytty"])
    expect(page.locator("table.status")).to_contain_text("huoltaja allekirjoittanut")
    expect(page.locator("table.status")).to_contain_text("allekirjoittanut itse")
    assert ADULT["hetu"] not in page.content()  # masked until one person is asked for
    shot(page, "4-kurssin-tila")
    assert len(koski.stored()) == 2

    page.get_by_label("Henkilötunnus").fill(ADULT["hetu"])
    page.get_by_role("button", name="Hae", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Aino Virtanen")
    page.get_by_role("link", name="Mitätöi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitätöi KOSKIin lähetetty suoritus")
    page.get_by_label("väärä henkilö").check()
    shot(page, "5-mitatointi")
    page.get_by_role("button", name="Vahvista mitätöinti").click()
    expect(page.get_by_role("status")).to_contain_text("Suoritus mitätöity KOSKIssa.")
    expect(page.locator('tr[data-state="invalidated"]')).to_have_count(1)
    expect(page.locator('tr[data-state="sent"]')).to_have_count(1)
    shot(page, "6-mitatoity")
    assert len(koski.stored()) == 1  # KOSKI deleted the invalidated record
