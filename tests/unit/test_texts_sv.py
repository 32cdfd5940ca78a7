"""The staff pages in Swedish: every Finnish label, reason and pattern has its Swedish twin
with the same placeholders, so a Swedish page never shows a half-Finnish line or breaks on a
``{placeholder}`` the Swedish text lacks."""

from __future__ import annotations

import string

import pytest
from flask import Flask, g

from web.staff_pages import texts


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_finnish_label_has_a_swedish_one() -> None:
    missing = sorted(key for key in texts.FI if not texts.SV.get(key))
    assert missing == []


def test_no_swedish_label_without_a_finnish_one() -> None:
    assert sorted(set(texts.SV) - set(texts.FI)) == []


def test_swedish_labels_keep_every_placeholder_of_the_finnish_ones() -> None:
    differing = [
        key
        for key, finnish in texts.FI.items()
        if key in texts.SV and _placeholders(texts.SV[key]) != _placeholders(finnish)
    ]
    assert differing == []


def test_every_finnish_reason_has_a_swedish_one() -> None:
    assert sorted(set(texts.REASONS_FI) - set(texts.REASONS_SV)) == []


def test_every_worded_pattern_and_field_has_swedish_with_the_same_placeholders() -> None:
    for finnish_table, swedish in (
        (texts._PATTERNS_FI, texts._PATTERNS_SV),
        (texts._FIELDS_FI, texts._FIELDS_SV),
    ):
        for pattern, finnish in finnish_table:
            assert pattern.pattern in swedish, pattern.pattern
            assert _placeholders(swedish[pattern.pattern]) == _placeholders(finnish)


def test_a_page_drawn_in_swedish_words_labels_reasons_and_fields_in_swedish() -> None:
    with Flask(__name__).app_context():
        g.language = "sv"
        assert texts.text("logout") == "Logga ut"
        assert texts.reason("is required") == "är obligatoriskt"
        assert texts.reason("same person as row 7") == "samma person som på rad 7"
        assert texts.field_label("column 3") == "kolumn 3"
        assert (
            texts.reason("part extents add up to 1.50 op, not the course's 2.0 op")
            == "delarnas omfattning (1,5 sp) motsvarar inte kursens omfattning (2 sp)"
        )


def test_outside_a_page_and_for_an_unknown_language_the_words_are_finnish() -> None:
    assert texts.text("logout") == "Kirjaudu ulos"
    with Flask(__name__).app_context():
        g.language = "xx"
        assert texts.text("logout") == "Kirjaudu ulos"
        assert texts.reason("is required") == "on pakollinen"


def test_a_label_that_exists_only_in_finnish_shows_in_finnish_on_a_swedish_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(texts.FI, "only_in_finnish", "vain suomeksi")
    assert texts.text("only_in_finnish", "sv") == "vain suomeksi"
