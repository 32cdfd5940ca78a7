"""``GET /signing/return``: where the signer's browser lands after Visma Sign (its
``returnUrl``). Anyone can call it, so it is only a hint: it asks the connector to check the
document now, and the connector believes nothing but Visma Sign's own authenticated answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from flask import Blueprint, Response, current_app, request

bp = Blueprint("signing_return", __name__)
log = logging.getLogger("vst.signing_return")
_DOCUMENT: Final = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_THANKS: Final = (
    '<!doctype html><html lang="fi"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Kiitos</title><main><h1>Kiitos!</h1>"
    "<p>Allekirjoituksesi tila tarkistetaan nyt. Voit sulkea tämän ikkunan.</p></main>"
)


@dataclass(frozen=True)
class SigningReturn:
    """What the return page needs: find the enrolment, and ask for a check now."""

    find: Callable[[str], int | None]
    check_soon: Callable[[int], None]


@bp.get("/signing/return")
def signing_return() -> Response:
    """Thank the signer; ask for a check of the document they came back from, if we know it."""
    document = request.args.get("document", "")
    hooks: SigningReturn = current_app.extensions["vst.signing_return"]
    enrolment_id = hooks.find(document) if _DOCUMENT.match(document) else None
    if enrolment_id is not None:
        hooks.check_soon(enrolment_id)
        log.info("signing.returned enrolment_id=%s", enrolment_id)
    # The same page either way: it tells nobody whether a document exists.
    return Response(_THANKS, mimetype="text/html", headers={"Cache-Control": "no-store"})
