"""Process logging: redaction as a second line of defence, and idempotent set-up."""

from __future__ import annotations

import datetime as dt
import logging

from consent.adapters.logs import RedactHetus, configure_logging
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
