"""The web process's composition root: ``create_app()`` builds every adapter from settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask
from sqlalchemy import Engine, text

from consent.adapters.broker import broker_url, connect
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import is_current
from consent.config import Settings
from webhook import health


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    broker: redis.Redis | None = None,
    test_config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the Flask app; nothing connects until the first request."""
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    broker = broker or connect(broker_url(settings))
    app = Flask(__name__)
    app.config.update(test_config or {})
    app.extensions["vst.readiness"] = {
        "database": lambda: _database_problem(engine),
        "broker": lambda: _broker_problem(broker),
    }
    app.register_blueprint(health.bp)
    return app


def _database_problem(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None if is_current(engine) else "migrations pending"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the type says why
        return f"unreachable ({type(error).__name__})"


def _broker_problem(broker: redis.Redis) -> str | None:
    try:
        broker.ping()
    except redis.RedisError as error:
        return f"unreachable ({type(error).__name__})"
    return None
