"""Liveness and readiness endpoints for process managers and load balancers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)

ReadinessCheck = Callable[[], str | None]
"""Returns None when its dependency is ready, else a short non-secret reason."""


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is alive and serving; checks nothing else."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready for traffic: every dependency answers (database, migrations, broker)."""
    checks: dict[str, ReadinessCheck] = current_app.extensions["vst.readiness"]
    failures = {name: reason for name, check in checks.items() if (reason := check()) is not None}
    if failures:
        return jsonify(status="unavailable", failures=failures), 503
    return jsonify(status="ok", checks=sorted(checks))
