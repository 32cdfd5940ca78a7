"""Course definitions for tests."""

from __future__ import annotations

from typing import Any

from consent.courses import Course, parse_course

OPPILAITOS = "1.2.246.562.10.31915273374"
COURSE_FORM = {
    "code": "eratauko-2026",
    "name.fi": "Erätauko ohjaajakoulutus",
    "opintokokonaisuus": "1138",
    "laajuus_op": "1,5",
    "end_date": "2026-11-20",
    "oppilaitos_oid": OPPILAITOS,
    "language": "FI",
    "grading_scale": "hyvaksytty-hylatty",
    "confirmer.name": "Reija Rehtori",
    "confirmer.title": "rehtori",
}
"""A course as the staff pages' course form sends it: 1.5 op, pass/fail, no parts."""


def course_doc(**changes: Any) -> dict[str, Any]:
    """A course document as staff send it: 1.5 op in two parts, pass/fail."""
    doc: dict[str, Any] = {
        "code": "knoppi-2026-syksy",
        "name": {"fi": "Kuvallisen ilmaisun perusteet", "sv": "Grunderna i bildkonst"},
        "opintokokonaisuus": "1138",
        "laajuus_op": 1.5,
        "end_date": "2026-12-15",
        "oppilaitos_oid": OPPILAITOS,
        "language": "FI",
        "grading_scale": "hyvaksytty-hylatty",
        "confirmer": {"name": "Reija Rehtori", "title": "rehtori"},
        "parts": [
            {
                "code": "KP-1",
                "name": "Piirustus",
                "description": "Piirustuksen perusteet",
                "laajuus_op": 1.0,
            },
            {"code": "KP-2", "name": "Maalaus", "laajuus_op": 0.5},
        ],
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


def course(**changes: Any) -> Course:
    """The parsed course."""
    return parse_course(course_doc(**changes))
