"""The privacy scan the e2e tests run over logs, Redis and command output finds what it must."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

from tests.hetus import NOT_HETUS, make_hetu
from tests.privacy import People, leaks, pdf_text, personal_data_in

AINO = People.of([make_hetu(dt.date(1990, 1, 2))], ["Aino Kielo", "Virtaskoski"])
EERO = People.of([make_hetu(dt.date(2001, 3, 4))], ["Eero", "Mallikas"])
EVERYONE = AINO | EERO
[AINO_HETU] = AINO.hetus
[EERO_HETU] = EERO.hetus


def test_a_known_hetu_is_found_in_any_case_glued_or_not() -> None:
    assert personal_data_in(f"job{AINO_HETU.lower()}x", EVERYONE) == ["a hetu", "a known hetu"]
    assert personal_data_in(f"value={EERO_HETU}", EVERYONE) == ["a hetu", "a known hetu"]


def test_any_hetu_is_found_even_one_the_test_did_not_know() -> None:
    stranger = make_hetu(dt.date(1975, 5, 6))
    assert personal_data_in(f"KOSKI said {stranger}", EVERYONE) == ["a hetu"]


def test_a_known_name_is_found_in_any_case() -> None:
    assert personal_data_in("signer: VIRTASKOSKI", EVERYONE) == ["a known name"]


def test_what_is_allowed_is_not_found_but_anyone_else_is() -> None:
    own = f"{AINO_HETU} Aino Kielo Virtaskoski"
    assert personal_data_in(own, EVERYONE, allowed=AINO) == []
    assert personal_data_in(f"{own} {EERO_HETU}", EVERYONE, allowed=AINO) == [
        "a hetu",
        "a known hetu",
    ]


def test_our_ids_and_timestamps_are_no_finding() -> None:
    assert leaks({"logs": "\n".join(NOT_HETUS)}, EVERYONE) == {}


def test_leaks_names_the_places_and_counts_never_the_values() -> None:
    found = leaks({"logs": "ok", "Redis": f"x {AINO_HETU}", "output": "Eero"}, EVERYONE)
    assert found == {"Redis": 2, "output": 1}


def test_a_pdfs_compressed_text_is_read() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(text=f"Henkilötunnus {EERO_HETU}, Mallikas")
    document = bytes(pdf.output())
    assert EERO_HETU.encode() not in document  # compressed: a search of the bytes misses it
    assert personal_data_in(pdf_text(document), EVERYONE) == [
        "a hetu",
        "a known hetu",
        "a known name",
    ]
