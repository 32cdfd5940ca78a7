"""Process logging: one JSON object per event on stderr (structlog); a line that would carry
a hetu is refused, not written.

Every record, ours or a library's, gets a timestamp, level, logger name and the context
bound for the current request or job (``request_id``). The code never logs personal data;
what a library might echo meets a second line of defence. A record that carries a hetu
anywhere (its message or arguments, its exception or stack text, a field passed as
``extra``, the context bound for the request) is not written: one line takes its place,
``log.refused code=<where>``, with the record's own logger and level and nothing of its
content, and ``/metrics`` counts it (``vst_log_lines_refused``, by logger, level and code).
Only a hetu's shape glued to other characters that is no valid number, as a random hex id
holds now and then, is redacted instead, so such an id never costs an operation its line.
Redaction also runs over the whole event just before it is rendered, so nothing shaped like
a hetu, in any case, reaches a line.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sys
from collections.abc import Iterator, Mapping
from typing import Final

import structlog
from structlog.typing import EventDict

from consent.hetu import HETU_SHAPE, carries_a_hetu, redact_hetus
from consent.ports import Counts

_MARK: Final = "_vst_consent_handler"

REFUSED: Final = "log.refused"
REFUSED_COUNTER: Final = "logs_refused"
# Where the hetu was: the code a refused line carries, and its counter's label.
IN_MESSAGE: Final = "hetu_in_message"
IN_EXCEPTION: Final = "hetu_in_exception"
IN_STACK: Final = "hetu_in_stack"
IN_FIELD: Final = "hetu_in_field"
IN_CONTEXT: Final = "hetu_in_context"

# What every record has; any other attribute of one came in ``extra``.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# gunicorn's loggers write through handlers of their own and do not propagate to ours: a
# request line it could not parse, or a failed request's URI, it quotes as it came.
_FOREIGN_LOGGERS: Final = ("gunicorn.error", "gunicorn.access")


class RefuseHetus(logging.Filter):
    """Turns a record that carries a hetu into the line that says it was refused, and counts
    it on ``counts``; in any other record, redacts what is only shaped like one.

    Records are rewritten in place, so every handler after this one, ours or a library's,
    sees only what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counts | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        texts = dict(_texts(record))
        if HETU_SHAPE.search("\n".join(texts.values())) is None:
            return True  # the common case, in one scan: nothing even shaped like a hetu
        code = next((code for code, text in texts.items() if carries_a_hetu(text)), None)
        if code is None:
            _redact(record)
            return True
        _refuse(record, code)
        if self.counts is not None:
            level = record.levelname.lower()
            self.counts.count_by(REFUSED_COUNTER, 1, logger=record.name, level=level, code=code)
        return True


def _texts(record: logging.LogRecord) -> Iterator[tuple[str, str]]:
    """Every text of ``record`` that a handler may write, each with the code naming it."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit: logging prints both
        message = f"{record.msg} {record.args}"
    if isinstance(record.args, Mapping):  # a format may leave some of them out
        message = f"{message} {record.args}"
    yield IN_MESSAGE, message
    if record.exc_info and not record.exc_text:
        # logging.Formatter shows exc_text when set (and caches it there).
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    yield IN_EXCEPTION, record.exc_text or ""
    yield IN_STACK, record.stack_info or ""
    if extra := _extra(record):
        yield IN_FIELD, " ".join(f"{name}={getattr(record, name)}" for name in extra)
    if context := structlog.contextvars.get_contextvars():
        yield IN_CONTEXT, " ".join(f"{key}={value}" for key, value in context.items())


def _extra(record: logging.LogRecord) -> set[str]:
    """The names of the record's attributes that came in ``extra``."""
    return vars(record).keys() - _RECORD_ATTRIBUTES


def _refuse(record: logging.LogRecord, code: str) -> None:
    """Make ``record`` the line that says a line of its logger and level was refused."""
    record.msg, record.args = f"{REFUSED} code=%s", (code,)
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    record.name = redact_hetus(record.name)
    vars(record).pop("message", None)  # a formatter's cached copy of the old one
    for name in _extra(record):  # kept, emptied: a formatter may name one
        setattr(record, name, REFUSED)


def _redact(record: logging.LogRecord) -> None:
    """Redact what is only shaped like a hetu (glued, no valid number) from ``record``."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # logging reports the mismatch when it formats the record
        message = redacted = ""
    else:
        redacted = redact_hetus(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_text:
        record.exc_text = redact_hetus(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_hetus(record.stack_info)


_REFUSE: Final = RefuseHetus()  # one per process, as the handler is

# Each hex digit of a random id spelt as a letter a-p: 16 bytes, 32 letters, 128 bits.
_HEX_AS_LETTERS: Final = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_ID_BYTES: Final = 16


def log_safe_id() -> str:
    """A random id of lower-case letters only, for what names itself in log lines (a
    request, a worker): with no digit it is never shaped like a hetu, where a hex UUID holds
    one now and then, and a valid one about once in 10,000, whose lines would be refused.

    One read of the system's random source, its hex digits translated to letters in one
    call: a request id is made for every request, and spelling a number in base 26 a letter
    at a time took four times as long."""
    return secrets.token_hex(_ID_BYTES).translate(_HEX_AS_LETTERS)


def redact_event(_logger: object, _method: str, event: EventDict) -> EventDict:
    """structlog processor: every text in ``event`` (keys, values, nested) with hetus redacted."""
    return {redact_hetus(str(key)): _redacted(value) for key, value in event.items()}


def _redacted(value: object) -> object:
    """``value`` as the JSON renderer would show it, with hetus redacted."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {redact_hetus(str(k)): _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted(item) for item in value]
    return redact_hetus(value if isinstance(value, str) else str(value))


class JsonLines(structlog.stdlib.ProcessorFormatter):
    """Renders each record as one JSON object: ``event`` (its message), the context bound
    for the request or job, ``timestamp``, ``level`` and ``logger``, every text redacted
    of what is shaped like a hetu (:func:`redact_event`, last before rendering).

    A record with no exception or stack is rendered here directly, as the chain below
    renders it, without structlog's copy of the record and its chain of calls: the
    webhook logs one on every request. Any other goes through that chain."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.stack_info or hasattr(record, "_logger"):
            return super().format(record)
        event: EventDict = {"event": record.getMessage()}
        for key, value in structlog.contextvars.get_contextvars().items():
            event.setdefault(key, value)
        event["timestamp"] = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        event["level"] = record.levelname.lower()
        event["logger"] = record.name
        if all(type(value) in _PLAIN for value in event.values()):
            line = json.dumps(event, ensure_ascii=False)
            # JSON escapes none of a hetu's characters: no shape in the line, none to redact.
            if HETU_SHAPE.search(line) is None:
                return line
        return json.dumps(redact_event(None, "", event), ensure_ascii=False)


# Values that redact_event() leaves as they are, or (text) redacts in place.
_PLAIN: Final = frozenset({str, int, bool, type(None)})


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # stream is resolved per record
    """Writes to whatever ``sys.stderr`` is when a record is emitted (test runners swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: int = logging.INFO, *, counts: Counts | None = None) -> None:
    """Send the service's logs to stderr once per process, and count refused lines on
    ``counts`` (the composition root's counters; nowhere if None).

    Calling again installs nothing more: it only points the count at ``counts``."""
    _REFUSE.counts = counts
    root = logging.getLogger()
    if any(getattr(h, _MARK, False) for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(
        JsonLines(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                redact_event,  # last before rendering: sees the exception and stack as text
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.format_exc_info,
            ],
        )
    )
    handler.addFilter(_REFUSE)
    setattr(handler, _MARK, True)
    # No line of ours, rq's or gunicorn's names the caller's file, function or line, the
    # thread or the process's name: logging is told not to look them up for every record
    # (the logging HOWTO's "Optimization"). The process id, which gunicorn prints, stays.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    root.addHandler(handler)
    for name in ("vst", "rq"):
        logging.getLogger(name).setLevel(level)
    for name in _FOREIGN_LOGGERS:
        logging.getLogger(name).addFilter(_REFUSE)
