"""The form the signing connector attaches for a course, chosen by the course as the ledger
holds it (SQLite, PostgreSQL): Swedish for a Swedish course, Finnish for a Finnish one."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import Engine

from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import utc_now
from consent.bootstrap import bootstrap
from consent.config import Settings
from tests.conftest import REDIS_URL
from tests.courses import course
from tests.privacy import pdf_text
from tests.unit.test_signing_connector import enrolment


@pytest.mark.parametrize(
    ("language", "heading", "course_line"),
    [
        (
            "SV",
            "SAMTYCKE TILL REGISTRERING AV STUDIEPRESTATION",
            "Utbildning: Grunderna i bildkonst",
        ),
        (
            "FI",
            "SUOSTUMUS OPINTOSUORITUKSEN TALLENTAMISEEN",
            "Koulutus: Kuvallisen ilmaisun perusteet",
        ),
    ],
)
def test_the_connector_attaches_the_form_in_the_language_of_the_course_it_finds(
    engine: Engine, redis_client: redis.Redis, language: str, heading: str, course_line: str
) -> None:
    SqlCourses(engine, utc_now).save_course(course(code="eratauko-2026", language=language), "t")
    services = bootstrap(Settings.from_env({"REDIS_URL": REDIS_URL}), engine=engine)
    pdf = services.connector.render(enrolment())  # the enrolment is for eratauko-2026
    text = pdf_text(pdf)
    assert heading in text
    assert course_line in text
