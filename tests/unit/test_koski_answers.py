"""What each KOSKI answer means for a submission: stored, retried, revoked, deleted or rejected."""

from __future__ import annotations

import pytest

from consent.koski_answers import KoskiAnswer, Verdict, first_error_key, judge


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
        (error(404, "notFound"), True, Verdict.RETRY),  # not KOSKI naming the record: a route
        (KoskiAnswer(404, "<html>Not Found</html>"), True, Verdict.RETRY),  # a proxy's 404
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


def test_a_person_oid_in_a_message_is_redacted_and_a_study_right_oid_kept() -> None:
    message = "Oppijaa 1.2.246.562.24.19999999999 ei löydy; 1.2.246.562.15.00000000001"
    judgement = judge(error(404, "notFound.oppijaaEiLöydy", message), False)
    assert judgement.message == "Oppijaa [oppijanumero] ei löydy; 1.2.246.562.15.00000000001"


def test_a_stored_record_is_judged_with_its_oid_and_version() -> None:
    saved = {"oid": "1.2.246.562.15.00000000001", "versionumero": 3}
    judgement = judge(KoskiAnswer(200, {"opiskeluoikeudet": [saved]}), known_oid=False)
    assert (judgement.oid, judgement.versionumero) == ("1.2.246.562.15.00000000001", 3)


@pytest.mark.parametrize(
    "body", [None, [], {"opiskeluoikeudet": []}, {"opiskeluoikeudet": [{"oid": 5}]}]
)
def test_a_stored_answer_that_names_no_record_has_no_oid(body: object) -> None:
    judgement = judge(KoskiAnswer(200, body), known_oid=False)
    assert (judgement.verdict, judgement.oid, judgement.versionumero) == (
        Verdict.STORED,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (error(403, "forbidden.suostumusPeruttu"), "forbidden.suostumusPeruttu"),
        (KoskiAnswer(400, [{"message": "x"}, {"key": "b"}, {"key": "c"}]), "b"),
        (KoskiAnswer(200, {"opiskeluoikeudet": []}), ""),
        (KoskiAnswer(None, None, "ReadTimeout"), ""),
        (KoskiAnswer(502, "<html>bad gateway</html>"), ""),
    ],
)
def test_the_first_error_key_labels_an_answer(answer: KoskiAnswer, key: str) -> None:
    assert first_error_key(answer) == key
