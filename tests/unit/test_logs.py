"""Process logging: a line that would carry a hetu is refused (and counted), what is only
shaped like one is redacted, our own lines pass untouched; and set-up is idempotent."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from consent.adapters.logs import RefuseHetus, configure_logging
from consent.hetu import HETU_PATTERN, HETU_SHAPE, carries_a_hetu
from tests.fakes import RecordingCounts
from tests.hetus import NOT_HETUS, make_hetu

HETU = make_hetu(dt.date(1990, 3, 4))


@pytest.fixture
def counts() -> Iterator[RecordingCounts]:
    """What the process's refusals are counted on while a test runs; nowhere after it."""
    recording = RecordingCounts()
    configure_logging(counts=recording)
    yield recording
    configure_logging()


class _HetuInIt(Exception):
    """An exception whose text carries a hetu, as a library's error might."""


def _lines(
    capsys: pytest.CaptureFixture[str], logger_name: str, emit: Callable[[logging.Logger], object]
) -> list[dict[str, Any]]:
    """The JSON lines the handler ``configure_logging`` installs writes for ``emit``'s records
    (installed by the ``counts`` fixture).

    The records go to that handler only (not up to the root), so the session's log guard,
    which fails the run on any hetu a record carries, does not see what is logged on purpose.
    """
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
    assert HETU not in written.upper()
    assert not HETU_PATTERN.search(written)
    return [json.loads(line) for line in written.splitlines()]


def _refused(line: dict[str, Any], code: str, logger: str, level: str) -> None:
    """``line`` is the one that says a line was refused, and holds nothing else of it."""
    assert line["event"] == f"log.refused code={code}"
    assert (line["logger"], line["level"]) == (logger, level)
    assert set(line) <= {"event", "logger", "level", "timestamp", "request_id"}


def _raise(text: str) -> None:
    raise _HetuInIt(text)


def test_a_record_with_a_hetu_in_its_arguments_is_refused_and_counted(
    counts: RecordingCounts,
) -> None:
    record = logging.LogRecord("lib", logging.INFO, __file__, 1, "bad value %s", (HETU,), None)
    assert RefuseHetus().filter(record)  # a filter of its own counts nowhere
    assert record.getMessage() == "log.refused code=hetu_in_message"
    assert counts.counted == []


@pytest.mark.parametrize(
    "message",
    [f"value {HETU}", f"value {HETU.lower()}", f"job{HETU}x", f"/staff/{HETU}/edit"],
    ids=["standing alone", "lower-case", "glued to an id", "in a path"],
)
def test_a_line_with_a_hetu_in_its_message_is_refused_and_counted_by_logger_level_and_code(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts, message: str
) -> None:
    [line] = _lines(capsys, "vst.test", lambda logger: logger.warning(message))
    _refused(line, "hetu_in_message", "vst.test", "warning")
    labels = {"logger": "vst.test", "level": "warning", "code": "hetu_in_message"}
    assert counts.counted == [("logs_refused", 1, labels)]


def test_a_logged_exception_whose_text_carries_a_hetu_is_refused_traceback_and_all(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts
) -> None:
    def emit(logger: logging.Logger) -> None:
        try:
            _raise(f"KOSKI said: {HETU} is not known")  # an answer echoing its input
        except _HetuInIt:
            logger.exception("submission.failed submission_id=%s", 7)

    [line] = _lines(capsys, "vst.worker", emit)
    _refused(line, "hetu_in_exception", "vst.worker", "error")
    assert "_HetuInIt" not in json.dumps(line)
    assert [labels["code"] for _, _, labels in counts.counted] == ["hetu_in_exception"]


def test_a_hetu_in_an_extra_field_or_a_stack_refuses_the_line(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts
) -> None:
    stack = logging.LogRecord("rq.worker", logging.INFO, __file__, 1, "tick", (), None)
    stack.stack_info = f'File "x.py", line 1, in lookup\n    find("{HETU}")'

    def emit(logger: logging.Logger) -> None:
        logger.info("job.started", extra={"arguments": (HETU,), "queue": "default"})
        logger.handle(stack)

    lines = _lines(capsys, "rq.worker", emit)
    _refused(lines[0], "hetu_in_field", "rq.worker", "info")
    _refused(lines[1], "hetu_in_stack", "rq.worker", "info")
    assert len(counts.counted) == 2


def test_the_rq_workers_failure_logs_with_a_hetu_are_both_refused(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts
) -> None:
    try:
        _raise(f"KOSKI said: {HETU.lower()} is not known")
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
            extra={"func": "workers.jobs.submit", "arguments": (1,), "queue": "default"},
        )
        try:
            _raise(f"no such person {HETU}")
        except _HetuInIt:
            logger.exception("Worker %s: failed to persist failure of job %s", "w1", "job-1")

    lines = _lines(capsys, "rq.worker", emit)
    _refused(lines[0], "hetu_in_message", "rq.worker", "error")
    _refused(lines[1], "hetu_in_exception", "rq.worker", "error")


def test_a_hetu_bound_to_the_request_context_refuses_the_line_and_is_redacted_on_it(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts
) -> None:
    structlog.contextvars.bind_contextvars(request_id=HETU)  # X-Request-Id is the client's
    try:
        [line] = _lines(capsys, "vst.test", lambda logger: logger.info("request.done"))
    finally:
        structlog.contextvars.clear_contextvars()
    _refused(line, "hetu_in_context", "vst.test", "info")
    assert line["request_id"] == "[hetu]"


def test_arguments_that_do_not_fit_the_message_never_fail_the_caller(
    counts: RecordingCounts,
) -> None:
    """logging reports such a record when it formats it, printing its arguments: one that
    holds a hetu is refused first, and neither raises where it was logged."""
    fitting = logging.LogRecord("lib", logging.INFO, __file__, 1, "a %s %s", (1,), None)
    assert RefuseHetus().filter(fitting)
    assert fitting.args == (1,)  # left for logging to report
    with_hetu = logging.LogRecord("lib", logging.INFO, __file__, 1, "a %s %s", (HETU,), None)
    assert RefuseHetus().filter(with_hetu)
    assert with_hetu.getMessage() == "log.refused code=hetu_in_message"


def test_every_handler_after_the_filter_sees_only_the_refusal(counts: RecordingCounts) -> None:
    """The record is rewritten in place: a library's handler beside ours (an error tracker,
    a file) gets the refusal, never the content."""
    stream = io.StringIO()
    theirs = logging.StreamHandler(stream)
    theirs.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(reason)s"))
    logger = logging.getLogger("lib.beside")
    logger.propagate = False
    refuse = RefuseHetus()
    logger.addFilter(refuse)
    logger.addHandler(theirs)
    try:
        try:
            _raise(f"bad {HETU}")
        except _HetuInIt:
            logger.exception("lookup failed", extra={"reason": "unknown"})
    finally:
        logger.removeHandler(theirs)
        logger.removeFilter(refuse)
    written = stream.getvalue()
    assert written == "ERROR lib.beside log.refused code=hetu_in_exception log.refused\n"
    assert HETU not in written
    assert "_HetuInIt" not in written


@pytest.mark.parametrize("ours", NOT_HETUS)
def test_our_own_lines_with_ids_and_timestamps_pass_untouched_and_uncounted(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts, ours: str
) -> None:
    [line] = _lines(capsys, "vst.test", lambda logger: logger.info("job.done id=%s", ours))
    assert line["event"] == f"job.done id={ours}"
    assert counts.counted == []


def test_an_id_holding_only_a_hetus_shape_is_redacted_not_refused(
    capsys: pytest.CaptureFixture[str], counts: RecordingCounts
) -> None:
    """A random hex id holds a hetu's shape about once in 120 ids, mostly with a check
    character no real number has: that id loses eleven characters, the line is kept."""
    valid = make_hetu(dt.date(2001, 1, 1))  # 010101A…
    wrong = next(c for c in "0123456789abcdef" if c.upper() != valid[-1])
    hex_id = f"5f{valid[:-1].lower()}{wrong}e2d4c1b0a9f8e7d6c5b4"
    assert HETU_SHAPE.search(hex_id)
    assert not carries_a_hetu(hex_id)
    [line] = _lines(capsys, "rq.worker", lambda logger: logger.info("Worker %s: idle", hex_id))
    assert line["event"] == "Worker 5f[hetu]e2d4c1b0a9f8e7d6c5b4: idle"
    assert counts.counted == []


_GLUED = make_hetu(dt.date(2001, 1, 1))[:-1] + "q"  # shaped like one, no valid number


@pytest.mark.parametrize(
    ("message", "arguments", "context"),
    [
        ("webhook.accepted inbox_id=%s webhook_id=%s", (7, "msg_1"), {"request_id": "abc"}),
        ("ünïcode %s", ("é",), {"request_id": "abc", "attempt": 2, "retry": None}),
        ("job.done id=%s", (f"x{_GLUED}",), {"request_id": "abc"}),
        ("job.done", (), {"job": f"x{_GLUED}", "event": "not this", "ids": (1, 2)}),
    ],
    ids=["ours", "not ascii", "a shape in the message", "a shape and more in the context"],
)
def test_a_plain_line_is_written_as_the_structlog_chain_writes_it(
    counts: RecordingCounts, message: str, arguments: Any, context: dict[str, object]
) -> None:
    """A record with no exception or stack is rendered without the chain, to the same line:
    the request's context, the time, level and logger, and nothing shaped like a hetu."""
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "_vst_consent_handler", 0)]
    formatter = handler.formatter
    assert isinstance(formatter, structlog.stdlib.ProcessorFormatter)
    structlog.contextvars.bind_contextvars(**context)
    try:
        record = logging.LogRecord("vst.test", logging.INFO, __file__, 1, message, arguments, None)
        fast = json.loads(formatter.format(record))
        chain = json.loads(structlog.stdlib.ProcessorFormatter.format(formatter, record))
    finally:
        structlog.contextvars.clear_contextvars()
    written, rendered = (dt.datetime.fromisoformat(line.pop("timestamp")) for line in (fast, chain))
    assert written.tzinfo == dt.UTC
    assert abs(written - rendered) < dt.timedelta(seconds=1)
    assert list(fast.items()) == list(chain.items())
    assert not HETU_SHAPE.search(json.dumps(fast, ensure_ascii=False))


def test_configuring_twice_adds_one_handler() -> None:
    configure_logging()
    before = len(logging.getLogger().handlers)
    configure_logging()
    assert len(logging.getLogger().handlers) == before


def test_gunicorns_own_error_log_refuses_a_line_with_a_hetu(counts: RecordingCounts) -> None:
    """gunicorn logs to handlers of its own, which do not propagate: a bad request line it
    quotes, or an error with its URI and traceback, is refused there too."""
    configure_logging(counts=counts)
    gunicorn_log, stream = logging.getLogger("gunicorn.error"), io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(message)s"))
    propagate = gunicorn_log.propagate
    gunicorn_log.propagate = False  # as gunicorn sets it
    gunicorn_log.addHandler(handler)
    try:
        gunicorn_log.warning(
            f"Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GET /{HETU} X'"
        )
        try:
            _raise(f"bad {HETU}")
        except _HetuInIt:
            gunicorn_log.exception("Error handling request %s", "/staff/x")
        gunicorn_log.info("Booting worker with pid: %s", 4242)
    finally:
        gunicorn_log.removeHandler(handler)
        gunicorn_log.propagate = propagate
    written = stream.getvalue().splitlines()
    assert written[0].endswith("[WARNING] log.refused code=hetu_in_message")
    assert written[1].endswith("[ERROR] log.refused code=hetu_in_exception")
    assert written[2].endswith("[INFO] Booting worker with pid: 4242")
    assert len(written) == 3
    assert [labels["logger"] for _, _, labels in counts.counted] == ["gunicorn.error"] * 2
