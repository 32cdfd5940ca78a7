"""The Visma Sign sandbox process's composition root (``gunicorn 'cli.vismasign_sandbox:app()'``).

It knows the client identifier and secret the connector is configured with
(``VISMASIGN_CLIENT_ID``, ``VISMASIGN_SECRET``) and keeps its state in
``<data dir>/vismasign-sandbox.db``.
"""

from __future__ import annotations

from flask import Flask

from consent.adapters.logs import configure_logging
from consent.config import Settings
from sandbox.vismasign.app import create_app


def app(settings: Settings | None = None) -> Flask:
    """The sandbox app for this environment."""
    settings = settings or Settings.from_env()
    configure_logging()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    signing = settings.signing
    return create_app(
        settings.data_dir / "vismasign-sandbox.db",
        {signing.vismasign_client_id: signing.vismasign_secret},
    )
