"""The built-in Swedish consent form, chosen for a Swedish course: the same promises as the
Finnish one (what is stored, that nothing failed is, how to revoke, when a record can be
removed), in Finland-Swedish administrative words, naming the course in Swedish."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from consent.adapters.consent_form import ConsentForm
from consent.hetu import Hetu
from consent.model import Person
from tests.courses import course
from tests.hetus import make_hetu
from tests.unit.test_signing_connector import enrolment

SWEDISH = course(language="SV")  # named "Grunderna i bildkonst" in Swedish
FORM = ConsentForm("Esimerkin kansalaisopisto", None)


@pytest.fixture
def words() -> str:
    return " ".join(FORM.text_for_course(enrolment(), SWEDISH).split())


def test_a_swedish_course_gets_the_swedish_form_naming_the_course_in_swedish(words: str) -> None:
    assert words.startswith("SAMTYCKE TILL REGISTRERING AV STUDIEPRESTATION I KOSKI-TJÄNSTEN")
    assert "Utbildning: Grunderna i bildkonst (eratauko-2026)" in words
    assert "Anordnare: Esimerkin kansalaisopisto" in words
    assert "Undertecknare: deltagaren själv." in words
    assert "Allekirjoittaja" not in words


def test_the_swedish_form_stores_only_passed_work_and_says_what_is_stored(words: str) -> None:
    assert "En underkänd prestation eller en underkänd del registreras inte." in words
    assert "endast de delar av den som har avlagts med godkänt resultat" in words
    assert (
        "deltagarens namn och personbeteckning, utbildningens namn, studiehelhet, omfattning, "
        "deltagarens slutdatum och bedömning" in words
    )


def test_the_swedish_form_sends_a_revocation_to_the_national_agency(words: str) -> None:
    assert "återkallas hos Utbildningsstyrelsen i tjänsten Min Studieinfo" in words
    assert "med en pappersblankett" in words
    assert "anordnaren registrerar den inte på nytt" in words
    assert "när som helst" not in words  # not after the record was shared


def test_the_swedish_form_removes_a_record_on_request_only_if_unused(words: str) -> None:
    assert "radera en registrerad prestation endast om den ännu inte har använts" in words
    assert "erkännande av tidigare förvärvat kunnande, vid jobbsökning" in words


def test_a_guardian_signs_the_swedish_form_as_vardnadshavare() -> None:
    minor = Person(Hetu(make_hetu(dt.date(2012, 3, 4))), "Elsa", "Berg")
    guardian = Person(Hetu(make_hetu(dt.date(1980, 1, 1))), "Maj", "Berg")
    minor_enrolment = dataclasses.replace(enrolment(), participant=minor, signer=guardian)
    words = FORM.text_for_course(minor_enrolment, SWEDISH)
    assert "Undertecknare: Maj Berg, vårdnadshavare för den minderåriga deltagaren." in words


def test_a_finnish_or_english_course_gets_the_finnish_form() -> None:
    for language in ("FI", "EN"):
        words = FORM.text_for_course(enrolment(), course(language=language))
        assert words.startswith("SUOSTUMUS OPINTOSUORITUKSEN TALLENTAMISEEN")
        assert "Koulutus: Kuvallisen ilmaisun perusteet" in words


def test_a_swedish_course_without_a_swedish_name_is_named_in_finnish() -> None:
    unnamed = course(language="SV", name={"fi": "Kuvallisen ilmaisun perusteet"})
    words = FORM.text_for_course(enrolment(), unnamed)
    assert "Utbildning: Kuvallisen ilmaisun perusteet" in words
    assert words.startswith("SAMTYCKE")


def test_the_organisers_own_form_serves_every_course_with_its_finnish_name(
    tmp_path: Path,
) -> None:
    own = tmp_path / "oma.txt"
    own.write_text("Oma lomake: {course_name}. {signer_line}", encoding="utf-8")
    words = ConsentForm("Opisto", own).text_for_course(enrolment(), SWEDISH)
    assert words == "Oma lomake: Kuvallisen ilmaisun perusteet. Allekirjoittaja: osallistuja itse."


def test_every_letter_of_the_swedish_form_fits_the_pdfs_latin_1_font(words: str) -> None:
    words.encode("latin-1")  # a letter outside it would print as "?"


def test_the_swedish_form_renders_as_a_pdf() -> None:
    assert FORM.for_course(enrolment(), SWEDISH).startswith(b"%PDF-")
