"""Request ids: a hetu-shaped id a client offers is never used, and ours contain none."""

from __future__ import annotations

import datetime as dt
import math
import string

import pytest
import structlog
from flask import Flask

from consent.hetu import HETU_SHAPE
from tests.hetus import make_hetu
from web.app import _bind_request_id

HETU = make_hetu(dt.date(1990, 1, 1))


def _bound_id(offered: str | None) -> str:
    """The request id bound for a request that offered ``offered`` as X-Request-Id."""
    app = Flask(__name__)
    headers = {} if offered is None else {"X-Request-Id": offered}
    with app.test_request_context("/", headers=headers):
        _bind_request_id()
        return str(structlog.contextvars.get_contextvars()["request_id"])


@pytest.mark.parametrize(
    "offered",
    [HETU, HETU.lower(), f"id{HETU}z", f"job{HETU.lower()}x", f"7{HETU}7", f"req-{HETU}-1"],
    ids=[
        "alone",
        "lower-case",
        "glued to letters",
        "lower-case glued",
        "glued to digits",
        "inside",
    ],
)
def test_an_offered_request_id_shaped_like_a_hetu_anywhere_is_replaced(offered: str) -> None:
    bound = _bound_id(offered)
    assert bound != offered
    assert not HETU_SHAPE.search(bound)
    assert HETU[:6] not in bound


def test_a_sane_offered_request_id_is_kept() -> None:
    assert _bound_id("proxy-req-42") == "proxy-req-42"


def test_our_own_request_ids_are_letters_only_so_never_hetu_shaped() -> None:
    ids = {_bound_id(None) for _ in range(2000)}
    assert len(ids) == 2000
    for request_id in ids:
        assert set(request_id) <= set(string.ascii_lowercase)
        assert len(request_id) * math.log2(26) >= 112
        assert not HETU_SHAPE.search(request_id)
