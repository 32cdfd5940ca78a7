"""The KOSKI sandbox process's composition root (``gunicorn 'cli.koski_sandbox:app()'``).

It knows the service user that vst-consent is configured with (``KOSKI_USERNAME`` and
``KOSKI_PASSWORD``) and keeps its state in ``<data dir>/koski-sandbox.db``.
"""

from __future__ import annotations

from flask import Flask

from consent.adapters.logs import configure_logging
from consent.config import Settings
from sandbox.koski.app import create_app


def app(settings: Settings | None = None) -> Flask:
    """The sandbox app for this environment."""
    settings = settings or Settings.from_env()
    configure_logging()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return create_app(
        settings.data_dir / "koski-sandbox.db",
        {settings.koski_username: settings.koski_password},
        accept_synthetic_hetus=settings.allow_temporary_hetu,
    )
