"""The signing document's name, which the signer sees in Visma Sign's invitation before the
form itself: in Finnish and in Swedish, so a Swedish course's signer is not met in Finnish
only."""

from __future__ import annotations

from consent import connector
from tests.unit.test_signing_connector import NOW, FakeEnrolments, FakeVisma, enrolment


class NamingVisma(FakeVisma):
    """The fake Visma Sign, keeping each document's name."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def create_document(self, name: str) -> str:
        self.names.append(name)
        return super().create_document(name)


def test_the_signing_document_is_named_in_finnish_and_in_swedish_with_the_course_code() -> None:
    visma = NamingVisma()
    connector.invite(1, FakeEnrolments(enrolment()), visma, lambda _e: b"%PDF-", lambda: NOW, "r")
    assert visma.names == [
        "Suostumus KOSKI-tallennukseen / Samtycke till registrering i KOSKI: eratauko-2026"
    ]
