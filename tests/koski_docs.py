"""KOSKI documents for sandbox and payload tests: the reference examples and variations."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "fixtures" / "koski-examples"


def example(name: str) -> dict[str, Any]:
    """One of the reference payloads KOSKI accepts (KOSKI's own mock people)."""
    document: dict[str, Any] = json.loads(
        (EXAMPLES / f"vst-vapaatavoitteinen-{name}.json").read_text()
    )
    return document


def passed() -> dict[str, Any]:
    """A hyväksytysti suoritettu study right, as KOSKI's example."""
    return example("hyvaksytysti-suoritettu")


def interrupted() -> dict[str, Any]:
    """A keskeytynyt study right."""
    return example("keskeytynyt")


def oo(document: dict[str, Any]) -> dict[str, Any]:
    """The first opiskeluoikeus of a document."""
    first: dict[str, Any] = document["opiskeluoikeudet"][0]
    return first


def pts(document: dict[str, Any]) -> dict[str, Any]:
    """The päätason suoritus of the first opiskeluoikeus."""
    suoritus: dict[str, Any] = oo(document)["suoritukset"][0]
    return suoritus


def changed(document: dict[str, Any], **members: Any) -> dict[str, Any]:
    """A deep copy of the document's first opiskeluoikeus with members replaced (None removes)."""
    copied = copy.deepcopy(document)
    for key, value in members.items():
        if value is None:
            oo(copied).pop(key, None)
        else:
            oo(copied)[key] = value
    return copied


def jakso(alku: str, tila: str) -> dict[str, Any]:
    """An opiskeluoikeusjakso."""
    return {"alku": alku, "tila": {"koodiarvo": tila, "koodistoUri": "koskiopiskeluoikeudentila"}}
