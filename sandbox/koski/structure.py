"""Structural checks, KOSKI's first: the JSON schema of the accepted shape and the koodistot.

Every failure becomes one item of a ``badRequest.validation.jsonSchema`` error, in the
``{path, value, error: {errorType}}`` form KOSKI's scala-schema produces.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from sandbox.koski.errors import KoskiError, KoskiFailure, bad_request, schema_error

# KOSKI's koodisto lahdejarjestelma (a sample of vendors' codes) and the local stack's own code,
# which the project sends by default and only this sandbox knows (real KOSKI: tuntematonKoodi).
SOURCE_SYSTEMS: Final = frozenset(
    {"winnova", "primus", "peppi", "hellewi", "kursor", "eepos", "sivisverkko", "studyo", "pyramus"}
    | {"vst-consent-sandbox"}
)

_ERROR_TYPES: Final = {
    "required": "missingProperty",
    "additionalProperties": "unexpectedProperty",
    "type": "unexpectedType",
    "minLength": "emptyString",
    "pattern": "regularExpressionMismatch",
    "format": "dateFormatMismatch",
    "anyOf": "notAnyOf",
    "enum": "enumValueMismatch",
    "const": "enumValueMismatch",
    "exclusiveMinimum": "smallerThanOrEqualToExclusiveMinimumValue",
    "minItems": "lessThanMinimumNumberOfItems",
    "maxItems": "moreThanMaximumNumberOfItems",
    "minProperties": "lessThanMinimumNumberOfItems",
}

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return False
        dt.date.fromisoformat(value)
    return True


@cache
def _validator() -> Draft202012Validator:
    text = resources.files(__package__).joinpath("oppija.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text), format_checker=_FORMATS)


def check_structure(document: Any) -> None:
    """Raise the jsonSchema error if ``document`` is not an oppija of this record type."""
    problems = [_describe(e) for e in _validator().iter_errors(document)]
    if not problems:
        problems = list(_koodisto_problems(document))
    if problems:
        raise KoskiFailure(jsonschema_error(problems))


def jsonschema_error(problems: list[dict[str, Any]]) -> KoskiError:
    """The single 400 error KOSKI reports for every schema problem at once."""
    return bad_request("validation.jsonSchema", problems)


def _describe(error: ValidationError) -> dict[str, Any]:
    path = ".".join(str(p) for p in error.absolute_path)
    keyword = str(error.validator)
    error_type = _ERROR_TYPES.get(keyword, "otherViolation")
    if keyword == "required" and isinstance(error.instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        missing = next((p for p in wanted if p not in error.instance), "")
        return schema_error(_join(path, missing), None, error_type)
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = next((k for k in error.instance if k not in known), "")
        return schema_error(_join(path, extra), error.instance.get(extra), error_type)
    value = error.instance if isinstance(error.instance, str | int | float | bool) else None
    return schema_error(path, value, error_type)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


Check = Callable[[str], bool]


def _exactly(*codes: str) -> Check:
    return lambda code: code in codes


def _matching(pattern: str) -> Check:
    return lambda code: re.fullmatch(pattern, code) is not None


def _koodisto_problems(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every koodi whose koodisto or value this record type does not allow."""
    for index, oo in enumerate(document["opiskeluoikeudet"]):
        base = f"opiskeluoikeudet.{index}"
        yield from _koodi(
            oo["tyyppi"],
            f"{base}.tyyppi",
            {"opiskeluoikeudentyyppi": _exactly("vapaansivistystyonkoulutus")},
        )
        source = oo.get("lähdejärjestelmänId", {}).get("lähdejärjestelmä")
        if source is not None:
            yield from _koodi(
                source,
                f"{base}.lähdejärjestelmänId.lähdejärjestelmä",
                {"lahdejarjestelma": SOURCE_SYSTEMS.__contains__},
            )
        for j, jakso in enumerate(oo["tila"]["opiskeluoikeusjaksot"]):
            yield from _jakso_tila(jakso["tila"], f"{base}.tila.opiskeluoikeusjaksot.{j}.tila")
        for s, pts in enumerate(oo["suoritukset"]):
            yield from _top_level_koodit(pts, f"{base}.suoritukset.{s}")


def _top_level_koodit(pts: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
    module = pts["koulutusmoduuli"]
    yield from _koodi(
        pts["tyyppi"],
        f"{path}.tyyppi",
        {"suorituksentyyppi": _exactly("vstvapaatavoitteinenkoulutus")},
    )
    yield from _koodi(
        module["tunniste"], f"{path}.koulutusmoduuli.tunniste", {"koulutus": _exactly("099999")}
    )
    if "opintokokonaisuus" in module:
        yield from _koodi(
            module["opintokokonaisuus"],
            f"{path}.koulutusmoduuli.opintokokonaisuus",
            {"opintokokonaisuudet": _matching(r"\d{1,6}")},
        )
    if "laajuus" in module:
        yield from _laajuus(module["laajuus"], f"{path}.koulutusmoduuli.laajuus")
    yield from _koodi(
        pts["suorituskieli"], f"{path}.suorituskieli", {"kieli": _matching(r"[A-Z]{2}|98|99")}
    )
    paikkakunta = pts.get("vahvistus", {}).get("paikkakunta")
    if paikkakunta is not None:
        yield from _koodi(
            paikkakunta, f"{path}.vahvistus.paikkakunta", {"kunta": _matching(r"\d{3}")}
        )
    for o, os_ in enumerate(pts.get("osasuoritukset", [])):
        yield from _osasuoritus_koodit(os_, f"{path}.osasuoritukset.{o}")


_GRADES: Final = {
    "arviointiasteikkovstvapaatavoitteinen": _exactly(*(str(n) for n in range(1, 11))),
    "arviointiasteikkovst": _exactly("Hyväksytty", "Hylätty"),
}


def _osasuoritus_koodit(os_: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
    yield from _koodi(
        os_["tyyppi"],
        f"{path}.tyyppi",
        {"suorituksentyyppi": _exactly("vstvapaatavoitteisenkoulutuksenosasuoritus")},
    )
    yield from _laajuus(os_["koulutusmoduuli"]["laajuus"], f"{path}.koulutusmoduuli.laajuus")
    for a, arviointi in enumerate(os_.get("arviointi", [])):
        yield from _koodi(arviointi["arvosana"], f"{path}.arviointi.{a}.arvosana", _GRADES)
    for o, child in enumerate(os_.get("osasuoritukset", [])):
        yield from _osasuoritus_koodit(child, f"{path}.osasuoritukset.{o}")


def _laajuus(laajuus: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
    yield from _koodi(
        laajuus["yksikkö"], f"{path}.yksikkö", {"opintojenlaajuusyksikko": _exactly("2")}
    )


_JAKSO_STATES: Final = ("hyvaksytystisuoritettu", "keskeytynyt", "mitatoity")


def _jakso_tila(koodi: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
    """V4: only the three terminal states; anything else fails the jakso class (notAnyOf)."""
    if koodi["koodistoUri"] != "koskiopiskeluoikeudentila":
        yield schema_error(f"{path}.koodistoUri", koodi["koodistoUri"], "enumValueMismatch")
    elif koodi["koodiarvo"] not in _JAKSO_STATES:
        yield schema_error(path, koodi["koodiarvo"], "notAnyOf")


def _koodi(koodi: dict[str, Any], path: str, allowed: dict[str, Check]) -> Iterator[dict[str, Any]]:
    check = allowed.get(koodi["koodistoUri"])
    if check is None:
        yield schema_error(f"{path}.koodistoUri", koodi["koodistoUri"], "enumValueMismatch")
    elif not check(koodi["koodiarvo"]):
        yield schema_error(f"{path}.koodiarvo", koodi["koodiarvo"], "tuntematonKoodi")
