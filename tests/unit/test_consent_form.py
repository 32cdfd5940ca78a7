"""The built-in consent form: what it promises the signer about storing, revoking, removing."""

from __future__ import annotations

import pytest

from consent.adapters.consent_form import ConsentForm
from tests.unit.test_signing_connector import enrolment


@pytest.fixture
def words() -> str:
    return ConsentForm("Esimerkin kansalaisopisto", None).text(enrolment(), "Eräretkeily")


def test_the_form_promises_that_no_failed_result_or_part_is_ever_stored(words: str) -> None:
    assert "Hylättyä\nsuoritusta tai hylättyä osaa ei tallenneta." in words
    assert "vain sen hyväksytysti suoritetut osat" in words


def test_the_form_sends_a_revocation_to_oph_through_oma_opintopolku_or_on_paper(
    words: str,
) -> None:
    assert "Opetushallitukselle Oma Opintopolku -palvelussa" in words
    assert "paperisella lomakkeella" in words
    assert "milloin tahansa" not in words  # not after the record was shared (suoritusjako)


def test_the_form_says_a_record_is_removed_on_request_only_if_it_has_not_been_used(
    words: str,
) -> None:
    flat = " ".join(words.split())
    assert "poistaa tallennetun suorituksen vain, jos sitä ei ole vielä käytetty" in flat
    assert "osaamisen tunnustamiseen, työnhaussa tai etuuden hakemisessa" in flat


def test_the_form_names_the_organiser_the_course_and_who_signs(words: str) -> None:
    assert "Järjestäjä: Esimerkin kansalaisopisto" in words
    assert "Koulutus: Eräretkeily (eratauko-2026)" in words
    assert "Allekirjoittaja: osallistuja itse." in words


def test_every_letter_of_the_form_fits_the_pdfs_latin_1_font(words: str) -> None:
    words.encode("latin-1")  # a letter outside it would print as "?"
