"""An organiser's week in a real browser (Debian's Chromium, headless, driven by Playwright),
as a new staff member would live it: defines a course with two parts, downloads its
enrolment template as XLSX and fills it, invites the participants to sign through Visma Sign
(the sandbox), downloads its results template as XLSX, fills it with a mistake the preview
reports, fixes it and saves it as LibreOffice does (semicolons, 1.12.2026, Windows-1252),
confirms; sees the front page's attention list fill as the worker meets a KOSKI (the
sandbox) that keeps failing and parks the records, marks one seen, follows one to its row,
retries all once KOSKI recovers and sees the list empty; downloads a signed form and the
course export as CSV and XLSX; switches the pages to Swedish. Screenshots of each step go
to ``var/screenshots/organiser-*.png``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import openpyxl
import pytest
import redis
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import Engine

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.e2e.chromium import shot
from tests.e2e.connector_stack import ConnectorStack, connector_stack
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import person
from workers.worker import build_worker

STAFF_PASSWORD: Final = "Kansalaisopisto-2026-salasana"
COURSE_CODE: Final = "akvarelli-2026-syksy"
COURSE_NAME: Final = "Akvarellimaalauksen peruskurssi"
ADULT = person(dt.date(1985, 3, 14), "Aada", "Ääpeli")
MINOR = person(dt.date(2010, 6, 1), "Stina", "Söderström")
GUARDIAN = person(dt.date(1978, 9, 9), "Björn", "Söderström")
UNSIGNED = person(dt.date(1992, 12, 24), "Eino", "Virtanen")
PAPER_FORM: Final = b"%PDF-1.4\n% a scanned, signed paper form\ntrailer\n<<>>\n%%EOF\n"
PARKED_SQL: Final = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'parked'"


@pytest.fixture
def stack(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    empty_engine: Engine,
) -> Iterator[tuple[ConnectorStack, RunningSandbox]]:
    """The web app on loopback with the signing connector on, the Visma Sign and KOSKI
    sandboxes, one retry a second after a failed KOSKI call, and a new staff account; on
    SQLite and on PostgreSQL."""
    database_url = empty_engine.url.render_as_string(hide_password=False)
    with running_sandbox(tmp_path / "koski.db") as koski:
        monkeypatch.setenv("KOSKI_URL", koski.url)
        monkeypatch.setenv("KOSKI_USERNAME", USER)
        monkeypatch.setenv("KOSKI_PASSWORD", PASSWORD)
        monkeypatch.setenv("KOSKI_RETRY_DELAYS", "1")  # two attempts, then parked for staff
        with connector_stack(tmp_path, monkeypatch, database_url) as running:
            SqlStaffAccounts(running.engine, utc_now).create(
                "uusi.kouluttaja", STAFF_PASSWORD, Role.STAFF
            )
            yield running, koski


def work() -> None:
    """What the worker process does meanwhile (with its scheduler, so a retry that is due
    is run): invitations, signing checks, binding, sending to KOSKI."""
    build_worker(Settings.from_env()).work(burst=True, with_scheduler=True)


def work_until_parked(stack: ConnectorStack, expected: int) -> int:
    """Let the worker run while KOSKI keeps failing until ``expected`` records are parked
    (each waits a second between its two attempts); how many are."""
    deadline = time.monotonic() + 120
    while (parked := stack.count(PARKED_SQL)) < expected and time.monotonic() < deadline:
        work()
        time.sleep(0.5)
    return parked


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/staff/")
    page.get_by_label("Käyttäjätunnus").fill("uusi.kouluttaja")
    page.get_by_label("Salasana").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huomioitavat")  # the front page
    expect(page.get_by_text("Mikään ei odota toimiasi: kaikki on kunnossa.")).to_be_visible()


def define_course(page: Page) -> None:
    """A 1–10 course of 1,5 op in two parts, ended on 1.12.2026."""
    page.get_by_role("link", name="Kurssit", exact=True).click()
    page.get_by_role("link", name="Uusi kurssi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uusi kurssi")
    page.get_by_label("Kurssin tunnus").fill(COURSE_CODE)
    page.get_by_label("Nimi suomeksi").fill(COURSE_NAME)
    page.get_by_label("Opintokokonaisuus (ePerusteet-koodi)").fill("1138")
    page.get_by_label("Kurssin laajuus (op)").fill("1,5")
    page.get_by_label("Päättymispäivä").fill("2026-12-01")
    page.get_by_label("Oppilaitoksen OID").fill("1.2.246.562.10.31915273374")
    page.get_by_label("Arviointiasteikko").select_option("1-10")
    page.get_by_label("Vahvistajan nimi").fill("Reija Rehtori")
    page.get_by_label("Vahvistajan titteli").fill("rehtori")
    for index, (code, name, extent) in enumerate(
        (("VARIT", "Värioppi", "0,5"), ("TEKNIIKKA", "Märkää märälle", "1"))
    ):
        page.locator(f"#f-parts-{index}-code").fill(code)
        page.locator(f"#f-parts-{index}-name").fill(name)
        page.locator(f"#f-parts-{index}-laajuus_op").fill(extent)
    shot(page, "organiser-01-uusi-kurssi")
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("status")).to_contain_text("Kurssi tallennettu.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(COURSE_NAME)


def download(page: Page, link: Locator, folder: Path) -> Path:
    """Click ``link`` and keep the file the browser downloads."""
    with page.expect_download() as downloading:
        link.click()
    path = folder / downloading.value.suggested_filename
    downloading.value.save_as(path)
    return path


def fill_enrolments(template: Path) -> Path:
    """The enrolment template filled in Excel: two adults by e-mail, a minor by her guardian."""
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for values in (
        {**ADULT, "email": "aada@example.fi"},
        {
            **MINOR,
            "guardian_hetu": GUARDIAN["hetu"],
            "guardian_first_names": GUARDIAN["first_names"],
            "guardian_last_name": GUARDIAN["last_name"],
            "guardian_email": "bjorn@example.fi",
        },
        {**UNSIGNED, "email": "eino@example.fi"},
    ):
        sheet.append([values.get(str(name)) for name in header])
    path = template.with_name("osallistujat-taytetty.xlsx")
    book.save(path)
    return path


def fill_results(template: Path, minor_grade: int) -> Path:
    """The results template filled in as a trainer does: a grade per person and per part,
    the day graded as a date cell."""
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    graded = dt.datetime(2026, 12, 1)
    for member, grade in ((ADULT, 9), (MINOR, minor_grade), (UNSIGNED, 7)):
        values: dict[str, object] = {
            **member,
            "grade": grade,
            "graded_on": graded,
            "part:VARIT": grade,
            "part:TEKNIIKKA": 8,
        }
        sheet.append([values.get(str(name)) for name in header])
    path = template.with_name("tulokset-taytetty.xlsx")
    book.save(path)
    return path


def saved_as_libreoffice_csv(workbook: Path) -> Path:
    """The workbook saved as LibreOffice Calc does on a Finnish desktop: "Text CSV" with
    semicolons, dates as 1.12.2026, in Windows-1252."""
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(
            [f"{v.day}.{v.month}.{v.year}" if isinstance(v, dt.datetime) else v for v in row]
        )
    path = workbook.with_suffix(".csv")
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path


def check_results(page: Page, path: Path) -> None:
    results = page.get_by_role("region", name="Tuo arvosanat")
    results.get_by_label("Tulostiedosto").set_input_files(path)
    results.get_by_role("button", name="Tarkista tiedosto").click()


def test_an_organiser_enrols_grades_from_spreadsheets_sees_koski_fail_and_recover_and_exports(
    stack: tuple[ConnectorStack, RunningSandbox], browser: Browser, tmp_path: Path
) -> None:
    running, koski = stack
    url = running.url
    context = browser.new_context(locale="fi-FI", accept_downloads=True)
    page = context.new_page()
    log_in(page, url)
    define_course(page)

    # Enrolment: the XLSX template, filled in Excel, checked before anyone is invited.
    signing = page.get_by_role("region", name="Suostumusten allekirjoitus")
    template = download(page, page.locator("#enrolments-template-xlsx"), tmp_path)
    assert template.suffix == ".xlsx"
    signing.get_by_label("Osallistujaluettelo").set_input_files(fill_enrolments(template))
    signing.get_by_role("button", name="Tarkista tiedosto").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tarkista osallistujaluettelo")
    expect(page.get_by_role("status")).to_contain_text("Tiedosto on kunnossa: 3 riviä.")
    preview = page.locator("table.enrolment-preview tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.nth(1)).to_contain_text("huoltaja")
    assert ADULT["hetu"] not in page.content()  # masked
    shot(page, "organiser-02-osallistujat-tarkistus")
    page.get_by_role("button", name="Vahvista ja kutsu").click()
    expect(page.get_by_role("status")).to_contain_text("Kutsuttu 3 uutta")

    work()  # invitations out through Visma Sign
    documents = running.visma.documents()
    assert len(documents) == 3
    for document, signer in zip(documents[:2], (ADULT, GUARDIAN), strict=True):
        signed = running.visma.sign(document["invitations"][0]["uuid"], signer["hetu"])
        assert signed.status_code in (200, 303)
        assert running.returned(document["uuid"]) == 200  # the signer's browser comes back
    work()  # outcomes learned, consents posted to our webhook and bound
    page.reload()
    expect(page.locator('table.signing tr[data-state="signed"]')).to_have_count(2)
    expect(page.locator('table.signing tr[data-state="invited"]')).to_have_count(1)

    # Results: the XLSX template with a grade off the 1–10 scale; the preview says where.
    template = download(page, page.locator("#results-template-xlsx"), tmp_path)
    header = [c.value for c in openpyxl.load_workbook(template).worksheets[0][1]]
    assert "part:VARIT" in header  # the course's own parts
    assert "part:TEKNIIKKA" in header
    wrong = fill_results(template, minor_grade=11)
    check_results(page, wrong)
    expect(page.get_by_role("alert")).to_contain_text("Tiedostossa on virheitä. Mitään ei tuotu.")
    problems = page.locator("table tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td").first).to_have_text("2")  # the sheet's row 3
    expect(problems.first).to_contain_text("pitää olla 1–10")
    shot(page, "organiser-03-tulokset-virhe", full_page=False)
    assert ADULT["hetu"] not in page.content()

    # Fixed, and saved as LibreOffice's CSV: semicolons, 1.12.2026, Windows-1252.
    fixed = saved_as_libreoffice_csv(fill_results(template, minor_grade=10))
    raw = fixed.read_bytes()
    assert "Ääpeli".encode("cp1252") in raw
    assert b";1.12.2026;" in raw
    page.get_by_role("link", name="Takaisin").click()
    check_results(page, fixed)
    expect(page.get_by_role("status")).to_contain_text("Tiedosto on kunnossa.")
    expect(page.locator(".counts")).to_contain_text("3 uusia")
    shot(page, "organiser-04-tulokset-tarkistus", full_page=False)
    elsewhere = context.new_page()  # a second tab, before confirming: the file waits
    elsewhere.goto(f"{url}/staff/")
    held = elsewhere.get_by_role("region", name="Vahvistamatta jääneet tuonnit (1)")
    expect(held).to_contain_text("tulokset")
    elsewhere.close()

    # KOSKI is down: each record is tried twice and parked for staff.
    koski.fail_next(*["unavailable"] * 4)
    page.get_by_role("button", name="Vahvista tuonti").click()
    expect(page.get_by_role("status")).to_contain_text("Tuotu: 3 uutta tai muuttunutta")
    assert work_until_parked(running, 2) == 2
    assert koski.pending_faults() == []
    page.reload()
    parked = page.locator('table.status tr[data-state="parked"]')
    expect(parked).to_have_count(2)
    expect(page.locator('table.status tr[data-state="not_eligible"]')).to_contain_text(
        "ei suostumusta"
    )
    shot(page, "organiser-05-koski-ei-vastaa")

    # The front page's attention list fills: both parked records, with where to fix them.
    page.get_by_role("link", name="Huomioitavat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huomioitavat")
    parked_group = page.get_by_role("region", name="Pysäytetty, yritykset käytetty (2)")
    expect(parked_group.locator("tbody tr")).to_have_count(2)
    expect(parked_group.locator("tbody tr").first).to_contain_text("Palvelu ei ole käytettävissä")
    expect(parked_group).to_contain_text(COURSE_CODE)
    expect(page.get_by_text("2 asiaa odottaa toimia, joista 2 katsomatta.")).to_be_visible()
    assert ADULT["hetu"] not in page.content()
    parked_group.locator("tbody tr").first.get_by_role("button", name="Merkitse nähdyksi").click()
    expect(page.get_by_role("status")).to_contain_text("Merkitty nähdyksi")
    expect(parked_group.locator("tbody tr")).to_have_count(2)  # seen, not gone until fixed
    expect(page.get_by_text("2 asiaa odottaa toimia, joista 1 katsomatta.")).to_be_visible()
    shot(page, "organiser-06-huomioitavat", full_page=False)
    parked_group.locator("tbody tr").first.get_by_role("link", name="Korjaa").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(COURSE_NAME)
    _, _, row_id = page.url.partition("#")
    assert row_id.startswith("submission-")  # the link leads to the participant's row
    expect(page.locator(f"#{row_id}")).to_have_attribute("data-state", "parked")
    expect(page.locator(f"#{row_id}")).to_contain_text("unavailable")
    page.get_by_role("link", name="Huomioitavat").click()

    # KOSKI is back: retry all, after a confirmation that says how many.
    page.get_by_role("link", name="Yritä kaikkia uudelleen (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lähetä uudelleen KOSKIin")
    expect(page.get_by_text("2 KOSKIn hylkäämää tai pysäytettyä siirtoa")).to_be_visible()
    shot(page, "organiser-07-yrita-kaikkia")
    page.get_by_role("button", name="Lähetä 2 uudelleen").click()
    expect(page.get_by_role("status")).to_contain_text("2 siirtoa lähetetään uudelleen.")
    work()
    page.reload()
    expect(page.get_by_text("Mikään ei odota toimiasi: kaikki on kunnossa.")).to_be_visible()
    assert len(koski.stored()) == 2
    shot(page, "organiser-08-ei-huomioitavaa")
    page.get_by_role("link", name="Kurssit", exact=True).click()
    page.get_by_role("link", name=COURSE_CODE).click()
    expect(page.locator('table.status tr[data-state="sent"]')).to_have_count(2)
    shot(page, "organiser-09-lahetetty")

    # Eino never signed in Visma Sign but brings the form signed on paper: staff record it.
    page.get_by_role("link", name="Kirjaa paperilla annettu suostumus").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kirjaa paperilla annettu")
    page.get_by_label("Henkilötunnus", exact=True).fill(UNSIGNED["hetu"])
    page.get_by_label("Etunimet", exact=True).fill(UNSIGNED["first_names"])
    page.get_by_label("Sukunimi", exact=True).fill(UNSIGNED["last_name"])
    page.get_by_label("Allekirjoituspäivä").fill("2.12.2026")
    scan = tmp_path / "einon-suostumus.pdf"
    scan.write_bytes(PAPER_FORM)
    page.get_by_label("Skannattu lomake (PDF)").set_input_files(scan)
    page.get_by_role("button", name="Kirjaa paperilla annettu suostumus").click()
    expect(page.get_by_role("status")).to_contain_text("Suostumus kirjattu.")
    eino = page.locator("table.status tbody tr", has_text=UNSIGNED["hetu"][-5:])
    expect(eino).to_contain_text("kirjattu paperilta")
    work()  # his result now has its consent: sent
    page.reload()
    expect(page.locator('table.status tr[data-state="sent"]')).to_have_count(3)
    assert len(koski.stored()) == 3
    scanned = download(page, eino.get_by_role("link", name="Lataa lomake"), tmp_path)
    assert scanned.read_bytes() == PAPER_FORM  # the scan as it was given, kept sealed

    # The signed form of the participant's row, and the course export.
    adult_row = page.locator("table.status tbody tr", has_text=ADULT["hetu"][-5:])
    pdf = download(page, adult_row.get_by_role("link", name="Lataa lomake"), tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    participants = page.get_by_role("region", name="Osallistujat")
    export = download(page, participants.get_by_role("link", name="CSV (Excel)"), tmp_path)
    table = csv.DictReader(io.StringIO(export.read_text("utf-8-sig")), delimiter=";")
    by_hetu = {row["Henkilötunnus"]: row for row in table}
    aada = by_hetu[f"******{ADULT['hetu'][-5:]}"]  # masked by default, as the page shows it
    assert (aada["Nimi"], aada["Arvosana"], aada["Arvioitu"]) == ("A. Ä.", "9", "1.12.2026")
    assert aada["KOSKI-tila"] == "lähetetty"
    assert aada["Opiskeluoikeuden OID"] in {str(record["oid"]) for record in koski.stored()}
    assert by_hetu[f"******{UNSIGNED['hetu'][-5:]}"]["KOSKI-tila"] == "lähetetty"
    workbook = download(page, participants.get_by_role("link", name="XLSX", exact=True), tmp_path)
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Henkilötunnus"
    [stina] = [row for row in rows[1:] if str(row[0]).endswith(MINOR["hetu"][-5:])]
    assert (stina[1], stina[5], stina[7]) == ("S. S.", "10", dt.datetime(2026, 12, 1))

    # Swedish pages, by the account's choice.
    page.get_by_label("Sivujen kieli").select_option("sv")
    page.get_by_role("button", name="Vaihda kieli").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Deltagare", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Importera vitsord")).to_be_visible()
    shot(page, "organiser-10-svenska", full_page=False)
    page.get_by_role("link", name="Att åtgärda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Att åtgärda")
    expect(page.get_by_text("Inget väntar på åtgärd: allt är i ordning.")).to_be_visible()
