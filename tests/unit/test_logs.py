"""Process logging: redaction as a second line of defence, and idempotent set-up."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import traceback
from collections.abc import Callable

import pytest
import structlog

from consent.adapters.logs import RedactHetus, configure_logging
from consent.hetu import HETU_PATTERN, redact_hetus
from tests.hetus import make_hetu


def test_the_log_filter_redacts_a_hetu_a_library_might_echo() -> None:
    raw = make_hetu(dt.date(1985, 6, 6))
    record = logging.LogRecord("lib", logging.INFO, __file__, 1, "bad value %s", (raw,), None)
    assert RedactHetus().filter(record)
    assert record.getMessage() == "bad value [hetu]"


def test_configuring_twice_adds_one_handler() -> None:
    configure_logging()
    before = len(logging.getLogger().handlers)
    configure_logging()
    assert len(logging.getLogger().handlers) == before


# --- every rendered line is redacted (issue 18, finding 9) -------------------------------------


class _HetuInIt(Exception):
    """An exception whose text carries a hetu, as a library's error might."""


def _lines(
    capsys: pytest.CaptureFixture[str], logger_name: str, emit: Callable[[logging.Logger], object]
) -> str:
    """What the handler ``configure_logging`` installs writes for ``emit``'s records.

    The records go to that handler only (not up to the root), so the session's log guard,
    which fails the run on any hetu a record carries, does not see what is logged on purpose.
    """
    configure_logging()
    installed = [
        h for h in logging.getLogger().handlers if getattr(h, "_vst_consent_handler", False)
    ]
    logger = logging.getLogger(logger_name)
    propagate, level = logger.propagate, logger.level
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    for handler in installed:
        logger.addHandler(handler)
    capsys.readouterr()
    try:
        emit(logger)
    finally:
        for handler in installed:
            logger.removeHandler(handler)
        logger.propagate = propagate
        logger.setLevel(level)
    written = capsys.readouterr().err
    assert written.strip(), "nothing was logged"
    return written


def _raise(text: str) -> None:
    raise _HetuInIt(text)


def _log_exception(
    message: str, *args: object, error_text: str = "boom"
) -> Callable[[logging.Logger], None]:
    def emit(logger: logging.Logger) -> None:
        try:
            _raise(error_text)
        except _HetuInIt:
            logger.exception(message, *args)

    return emit


def _no_hetu(written: str, *hetus: str) -> None:
    """Neither ``hetus`` (in any case) nor anything hetu-shaped is in any field of any line."""
    for hetu in hetus:
        assert hetu.upper() not in written.upper()
    for line in written.splitlines():
        for value in json.loads(line).values():
            assert not HETU_PATTERN.search(str(value)), line


def test_log_exception_redacts_a_hetu_in_its_message_and_in_the_exceptions_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = make_hetu(dt.date(1990, 3, 4))
    # As Flask logs an unhandled error: the path in the message, the exception after it.
    emit = _log_exception("Exception on %s [%s]", f"/staff/{raw}", "GET", error_text=f"bad {raw}")
    written = _lines(capsys, "vst.test", emit)
    _no_hetu(written, raw)
    event = json.loads(written)
    assert event["event"] == "Exception on /staff/[hetu] [GET]"
    assert "_HetuInIt: bad [hetu]" in event["exception"]


def test_the_rq_workers_failure_logs_carry_no_hetu(capsys: pytest.CaptureFixture[str]) -> None:
    raw = make_hetu(dt.date(2004, 5, 6))
    try:
        _raise(f"KOSKI said: {raw.lower()} is not known")  # an answer echoing its input
    except _HetuInIt:
        traceback_text = traceback.format_exc()

    def emit(logger: logging.Logger) -> None:
        # Worker.handle_exception logs the traceback as a message argument, with extras;
        # other failures (a failure it could not store, a crash) log with exc_info.
        logger.error(
            "Worker %s: job %s: exception raised while executing (%s)\n%s",
            "w1",
            "job-1",
            "workers.jobs.submit",
            traceback_text,
            extra={"func": "workers.jobs.submit", "arguments": (raw,), "queue": "default"},
        )
        try:
            _raise(f"no such person {raw}")
        except _HetuInIt:
            logger.exception("Worker %s: failed to persist failure of job %s", "w1", "job-1")

    written = _lines(capsys, "rq.worker", emit)
    _no_hetu(written, raw)
    assert len(written.splitlines()) == 2


def test_a_lower_case_hetu_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    raw = make_hetu(dt.date(2003, 2, 1)).lower()  # century sign and check character lower-case
    written = _lines(capsys, "vst.test", lambda logger: logger.warning("value %s", raw))
    _no_hetu(written, raw)
    assert redact_hetus(f"a {raw} b") == "a [hetu] b"


def test_a_hetu_bound_to_the_request_context_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = make_hetu(dt.date(1990, 3, 4))
    structlog.contextvars.bind_contextvars(request_id=raw)  # X-Request-Id is the client's to choose
    try:
        written = _lines(capsys, "vst.test", lambda logger: logger.info("request.done"))
    finally:
        structlog.contextvars.clear_contextvars()
    _no_hetu(written, raw)


def test_gunicorns_own_error_log_carries_no_hetu() -> None:
    """gunicorn logs to handlers of its own, which do not propagate: a bad request line it
    quotes, or an error with its URI and traceback, must be redacted there too."""
    raw = make_hetu(dt.date(1990, 3, 4))
    configure_logging()
    gunicorn_log, stream = logging.getLogger("gunicorn.error"), io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(message)s"))
    propagate = gunicorn_log.propagate
    gunicorn_log.propagate = False  # as gunicorn sets it
    gunicorn_log.addHandler(handler)
    try:
        gunicorn_log.warning(
            f"Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GET /{raw.lower()} X'"
        )
        try:
            _raise(f"bad {raw}")
        except _HetuInIt:
            gunicorn_log.exception("Error handling request %s", f"/staff/{raw}")
    finally:
        gunicorn_log.removeHandler(handler)
        gunicorn_log.propagate = propagate
    written = stream.getvalue()
    assert "_HetuInIt: bad [hetu]" in written
    assert raw.upper() not in written.upper()
    assert not HETU_PATTERN.search(written)
