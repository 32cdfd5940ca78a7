"""``GET /api/openapi.json``: the OpenAPI 3.1 document of the staff API and the webhook.

The document (``schemas/staff_api.openapi.json``) takes the course and consent event
schemas from the very files the endpoints validate with, so it cannot drift from them.
It is public: it describes the API and holds no data.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("openapi", __name__)
_EMBEDDED = {"Course": "course.schema.json", "ConsentEvent": "consent_event.schema.json"}


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document, with the JSON Schemas it refers to as components."""
    files = resources.files("schemas")
    spec: dict[str, Any] = json.loads(files.joinpath("staff_api.openapi.json").read_text("utf-8"))
    components = spec["components"]["schemas"]
    for name, filename in _EMBEDDED.items():
        schema = json.loads(files.joinpath(filename).read_text("utf-8"))
        for definition, body in schema.pop("$defs", {}).items():
            components[f"{name}.{definition}"] = _rebased(body, name)
        components[name] = _rebased(
            {k: v for k, v in schema.items() if k not in ("$schema", "$id")}, name
        )
    return spec


def _rebased(schema: Any, name: str) -> Any:
    """``#/$defs/x`` of schema ``name`` becomes ``#/components/schemas/name.x``."""
    if isinstance(schema, dict):
        return {
            key: (
                value.replace("#/$defs/", f"#/components/schemas/{name}.")
                if key == "$ref" and isinstance(value, str)
                else _rebased(value, name)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebased(item, name) for item in schema]
    return schema


@bp.get("/api/openapi.json")
def openapi() -> ResponseReturnValue:
    """The document, for clients and for schemathesis."""
    return jsonify(document())
