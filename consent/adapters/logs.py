"""Process logging: one JSON object per event on stderr (structlog), with hetus redacted.

Every record, ours or a library's, gets a timestamp, level, logger name and the context
bound for the current request or job (``request_id``). The code never logs personal data;
redaction is a second line of defence for anything a library might echo. It applies to the
whole event just before it is rendered: the message, the exception and stack text, the bound
context and any other field, so nothing shaped like a hetu, in any case, reaches a line.
"""

from __future__ import annotations

import logging
import sys
from typing import Final

import structlog
from structlog.typing import EventDict

from consent.hetu import redact_hetus

_MARK: Final = "_vst_consent_handler"


# gunicorn's loggers write through handlers of their own and do not propagate to ours: a
# request line it could not parse, or a failed request's URI, it quotes as it came.
_FOREIGN_LOGGERS: Final = ("gunicorn.error", "gunicorn.access")


class RedactHetus(logging.Filter):
    """Rewrites a record's message, exception text and stack so nothing shaped like a hetu
    leaves the process through any formatter, ours or a library's."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_hetus(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # logging.Formatter shows exc_text when set (and caches it there).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_hetus(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_hetus(record.stack_info)
        return True


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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # stream is resolved per record
    """Writes to whatever ``sys.stderr`` is when a record is emitted (test runners swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's logs to stderr once per process; calling again changes nothing."""
    root = logging.getLogger()
    if any(getattr(h, _MARK, False) for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
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
    handler.addFilter(RedactHetus())
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    for name in ("vst", "rq"):
        logging.getLogger(name).setLevel(level)
    for name in _FOREIGN_LOGGERS:
        logging.getLogger(name).addFilter(RedactHetus())
