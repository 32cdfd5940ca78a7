"""Through the real RQ worker and the KOSKI sandbox: a consent for a course not defined yet is
listed, seen without a result once the course exists, and sent under the local source-system
code once graded; a second run of the same training on the same day is refused by KOSKI and
status names the run it collides with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.status import SqlStatus
from consent.config import SANDBOX_SOURCE_SYSTEM, Settings
from consent.courses import Course
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from web.app import create_app
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
LATER = "kevat-2027"


@pytest.fixture
def sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[RunningSandbox]:
    """Web, worker and KOSKI sandbox configured through the environment, as in production."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        yield koski


def _status() -> SqlStatus:
    settings = Settings.from_env()
    return SqlStatus(make_engine(settings.database_url), AesGcmCipher(settings.pii_keys))


def _define_and_grade(the_course: Course, redis_client: redis.Redis) -> None:
    """Staff define ``the_course`` and import ADULT's passed result into it."""
    settings = Settings.from_env()
    engine, cipher = make_engine(settings.database_url), AesGcmCipher(settings.pii_keys)
    SqlCourses(engine, utc_now).save_course(the_course, "test")
    rows = [{"hetu": ADULT["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"}]
    results, jobs = SqlResults(engine, cipher, utc_now), RqJobQueue(redis_client)
    grading.import_results(the_course, rows, results, jobs, today=dt.date.today(), actor="test")


def test_a_consent_for_a_course_not_yet_defined_is_listed_then_bound_and_sent(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    client = create_app().test_client()
    assert post_signed(client, event(ADULT, ADULT, course=LATER), "msg_later") == 202
    build_worker(Settings.from_env()).work(burst=True)  # binds the consent
    [listed] = _status().unknown_course_consents()
    assert (listed.course_code, listed.state.value) == (LATER, "valid")
    the_course = course(code=LATER, end_date="2026-11-20")
    SqlCourses(make_engine(Settings.from_env().database_url), utc_now).save_course(the_course, "t")
    [waiting] = _status().course_status(LATER)
    assert (waiting.result, waiting.binding) == (None, "no_result")
    _define_and_grade(the_course, redis_client)
    build_worker(Settings.from_env()).work(burst=True)  # binds the result and sends it
    [stored] = sandbox.stored()
    source = stored["lähdejärjestelmänId"]
    assert isinstance(source, dict)
    assert source["lähdejärjestelmä"]["koodiarvo"] == SANDBOX_SOURCE_SYSTEM
    assert _status().unknown_course_consents() == []


def test_a_second_run_on_the_same_day_is_refused_and_status_names_the_first(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    client = create_app().test_client()
    first, second = course(end_date="2026-11-20"), course(code=LATER, end_date="2026-11-20")
    assert post_signed(client, event(ADULT, ADULT, course=first.code), "msg_first") == 202
    _define_and_grade(first, redis_client)
    build_worker(Settings.from_env()).work(burst=True)
    assert post_signed(client, event(ADULT, ADULT, course=LATER), "msg_second") == 202
    _define_and_grade(second, redis_client)
    build_worker(Settings.from_env()).work(burst=True)
    assert len(sandbox.stored()) == 1
    [refused] = _status().course_status(LATER)
    assert refused.submission is not None
    assert refused.submission.last_error_keys == ("conflict.exists",)
    assert refused.collides_with == first.code
