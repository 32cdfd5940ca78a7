"""What each KOSKI answer means for a submission (DESIGN §3.4)."""

from __future__ import annotations

import pytest

from consent.koski_answers import KoskiAnswer, Verdict, judge


def error(status: int, key: str, message: object = "viesti") -> KoskiAnswer:
    return KoskiAnswer(status, [{"key": key, "message": message}])


@pytest.mark.parametrize(
    ("answer", "known_oid", "verdict"),
    [
        (KoskiAnswer(200, {"opiskeluoikeudet": []}), False, Verdict.STORED),
        (KoskiAnswer(None, None, "ReadTimeout"), False, Verdict.RETRY),
        (KoskiAnswer(503, None), False, Verdict.RETRY),
        (KoskiAnswer(502, "<html>bad gateway</html>"), True, Verdict.RETRY),
        (KoskiAnswer(429, None), False, Verdict.RETRY),
        (error(409, "conflict.versionumero"), True, Verdict.RETRY),
        (error(409, "conflict.samanaikainenPäivitys"), True, Verdict.RETRY),
        (error(409, "conflict.exists"), False, Verdict.REJECTED),
        (error(403, "forbidden.suostumusPeruttu"), True, Verdict.REVOKED),
        (error(404, "notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"), True, Verdict.DELETED),
        (error(404, "notFound.oppijaaEiLöydy"), False, Verdict.REJECTED),
        (error(400, "badRequest.validation.tila.montaPäättävääTilaa"), False, Verdict.REJECTED),
        (error(401, "unauthorized.loginFail"), False, Verdict.REJECTED),
        (error(415, "unsupportedMediaType.jsonOnly"), False, Verdict.REJECTED),
    ],
)
def test_each_answer_has_its_verdict(
    answer: KoskiAnswer, known_oid: bool, verdict: Verdict
) -> None:
    assert judge(answer, known_oid).verdict is verdict


def test_keys_are_kept_and_schema_messages_lose_their_values() -> None:
    answer = error(
        400,
        "badRequest.validation.jsonSchema",
        [
            {
                "path": "henkilö.hetu",
                "value": "010101A123N",
                "error": {"errorType": "regularExpressionMismatch"},
            }
        ],
    )
    judgement = judge(answer, known_oid=False)
    assert judgement.keys == ("badRequest.validation.jsonSchema",)
    assert judgement.message == "henkilö.hetu: regularExpressionMismatch"


def test_a_hetu_in_a_message_is_redacted_before_it_is_stored() -> None:
    judgement = judge(
        error(400, "badRequest.validation.henkilötiedot.hetu", "hetu 010101A123N on virheellinen"),
        False,
    )
    assert judgement.message == "hetu [hetu] on virheellinen"
