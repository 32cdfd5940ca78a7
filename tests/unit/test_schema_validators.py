"""The fast validator (jsonschema-rs) and the reporting one (jsonschema) agree on every
document: what one accepts the other accepts, so the fast yes never lets through something
the schema refuses."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from importlib import resources
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import fast_validator, schema_problems, validator
from tests.courses import course_doc
from tests.hetus import make_hetu
from tests.signing import event, person

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# Values near the rules' edges: dates, times, codes and hetu-like strings.
EDGY = st.sampled_from(
    [
        "2026-09-01T08:15:00Z",
        "2026-09-01T08:15:00+02:00",
        "2026-09-01T08:15:00",
        "2026-02-30T08:15:00Z",
        "2026-09-01",
        "2026-13-01",
        "01.09.2026",
        "",
        "a" * 300,
        "1138",
        "113",
        "knoppi-2026",
        "-bad",
        "010190-123A",
        0,
        -1,
        1.5,
        1e400,
    ]
)
ADULT = person(dt.date(1990, 1, 1), "Aino", "Virtanen")


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``document``."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> Any:
    """``document`` with a few values replaced, removed or added."""
    changed = copy.deepcopy(document)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(changed)))
        if not path:
            return draw(JSON | EDGY)
        *parents, last = path
        holder = changed
        for step in parents:
            holder = holder[step]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            holder[last] = draw(JSON | EDGY)
        elif action == "remove" and isinstance(holder, dict):
            del holder[last]
        elif isinstance(holder, dict):
            holder[draw(st.text(max_size=8))] = draw(JSON | EDGY)
    return changed


def _agree(name: str, document: Any) -> None:
    fast = fast_validator(name).is_valid(document)
    full = not list(validator(name).iter_errors(document))
    assert fast == full
    assert (schema_problems(name, document) == []) == full


@settings(max_examples=400)
@given(mutated(event(ADULT, ADULT)))
def test_both_validators_judge_consent_events_alike(document: Any) -> None:
    _agree("consent_event", document)


@settings(max_examples=400)
@given(mutated(course_doc()))
def test_both_validators_judge_courses_alike(document: Any) -> None:
    _agree("course", document)


def test_the_unmutated_documents_are_valid() -> None:
    assert fast_validator("consent_event").is_valid(event(ADULT, ADULT))
    assert fast_validator("course").is_valid(course_doc())


def _declared_names(node: Any) -> set[str]:
    """Every property name a schema document declares, at any depth."""
    if isinstance(node, list):
        return set().union(*(_declared_names(n) for n in node))
    if not isinstance(node, dict):
        return set()
    own = set(node.get("properties", {})) if isinstance(node.get("properties"), dict) else set()
    return own.union(*(_declared_names(v) for v in node.values()))


def _schema_document(name: str) -> Any:
    return json.loads(resources.files("schemas").joinpath(f"{name}.schema.json").read_text())


def _safe_step(step: str, declared: set[str]) -> bool:
    """A step of a reported field that names nothing the document chose."""
    return (
        step in declared
        or step.isdigit()
        or step in ("(key)", "(body)", "?")
        or re.fullmatch(r"\(unknown property \d+\)", step) is not None
    )


def test_an_unknown_property_is_named_by_its_position_never_by_its_name() -> None:
    hetu = make_hetu(dt.date(1985, 3, 3))
    document = event(ADULT, ADULT)
    document["data"]["participant"][hetu] = "x"
    document["Aino Virtanen"] = 1
    problems = schema_problems("consent_event", document)
    assert {
        "field": "data.participant.(unknown property 4)",
        "reason": "is not allowed",
    } in problems
    assert {"field": "(unknown property 4)", "reason": "is not allowed"} in problems
    assert hetu not in json.dumps(problems)
    assert "Aino Virtanen" not in json.dumps(problems)


@settings(max_examples=300)
@given(mutated(event(ADULT, ADULT)))
def test_no_reported_event_field_names_a_key_the_document_chose(document: Any) -> None:
    declared = _declared_names(_schema_document("consent_event"))
    for problem in schema_problems("consent_event", document):
        assert all(_safe_step(step, declared) for step in problem["field"].split(".")), problem


@settings(max_examples=300)
@given(mutated(course_doc()))
def test_no_reported_course_field_names_a_key_the_document_chose(document: Any) -> None:
    declared = _declared_names(_schema_document("course"))
    for problem in schema_problems("course", document):
        assert all(_safe_step(step, declared) for step in problem["field"].split(".")), problem
