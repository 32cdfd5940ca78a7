"""The words of the weekly attention e-mail, in Finnish and in Swedish.

Only counts and the link go in: the group names are the attention list's kinds in words,
never anything of an item. A language without words of its own falls back to Finnish.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

_GROUPS: Final[dict[str, dict[str, str]]] = {
    "fi": {
        "failed": "KOSKI hylkäsi tiedon",
        "parked": "KOSKI ei vastannut, uudelleenyritykset käytetty",
        "gone": "KOSKI ei enää pidä tietoa",
        "unsupported": "KOSKIssa oleva tieto, jota rekisteri ei enää tue",
        "rejected_consent": "hylätyt suostumukset",
        "unknown_course": "suostumukset tuntemattomalle kurssille",
        "waiting_for_end": "tulokset odottavat kurssin päättymistä",
        "unconfirmed_import": "vahvistamattomat tiedostot",
    },
    "sv": {
        "failed": "KOSKI avvisade uppgiften",
        "parked": "KOSKI svarade inte, nya försök förbrukade",
        "gone": "KOSKI har inte längre uppgiften",
        "unsupported": "uppgift i KOSKI som registret inte längre stöder",
        "rejected_consent": "avvisade samtycken",
        "unknown_course": "samtycken till en okänd kurs",
        "waiting_for_end": "resultat som väntar på att kursen slutar",
        "unconfirmed_import": "obekräftade filer",
    },
}
_SUBJECT: Final = {
    "fi": "vst-consent: {total} asiaa odottaa toimia",
    "sv": "vst-consent: {total} ärenden väntar på åtgärd",
}
_INTRO: Final = {
    "fi": "Huomiolistalla on tällä viikolla {total} asiaa, jotka odottavat toimia:",
    "sv": "På uppmärksamhetslistan finns denna vecka {total} ärenden som väntar på åtgärd:",
}
_TOTAL: Final = {"fi": "Yhteensä", "sv": "Totalt"}
_LINK: Final = {
    "fi": "Katso ja korjaa ne henkilöstön sivuilla:",
    "sv": "Se och åtgärda dem på personalens sidor:",
}
_FOOTER: Final = {
    "fi": (
        "Tämä viikoittainen viesti lähtee, koska tunnuksellesi on valittu se. Viestissä ei ole"
        " nimiä eikä henkilötunnuksia: ne näet vain kirjautuneena."
    ),
    "sv": (
        "Detta veckomeddelande skickas eftersom det har valts för ditt konto. Meddelandet"
        " innehåller inga namn eller personbeteckningar: dem ser du bara inloggad."
    ),
}


def _language(language: str) -> str:
    return language if language in _SUBJECT else "fi"


def subject(language: str, total: int) -> str:
    """The subject line: how many items wait."""
    return _SUBJECT[_language(language)].format(total=total)


def body(language: str, figures: Sequence[tuple[str, int]], total: int, link: str) -> str:
    """The plain-text body: the count of each group (by kind), the total and the link."""
    lang = _language(language)
    lines = [_INTRO[lang].format(total=total), ""]
    lines += [f"- {_GROUPS[lang].get(kind, kind)}: {count}" for kind, count in figures]
    lines += [f"{_TOTAL[lang]}: {total}", "", _LINK[lang], link, "", _FOOTER[lang], ""]
    return "\n".join(lines)
