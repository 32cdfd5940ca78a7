"""The baseline: a bare Flask endpoint that answers 202 without doing any work."""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue

app = Flask(__name__)


@app.post("/webhooks/signing")
def receive() -> ResponseReturnValue:
    """Read the body, as any endpoint must, and accept it."""
    request.get_data()
    return {"status": "accepted"}, 202
