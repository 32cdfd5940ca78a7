"""The ``vst-consent`` command logs as the service does: a line that would carry a hetu is
refused there too, never written by Python's unfiltered default handler."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from tests.hetus import make_hetu

# A command runs, then one of its modules warns with a hetu in the message.
_PROGRAM = """
import logging, sys
from cli.main import main
main(["signing-keygen"])
logging.getLogger("vst.cli").warning("participant %s not found", sys.argv[1])
"""


def test_a_commands_warning_with_a_hetu_is_refused() -> None:
    hetu = make_hetu(dt.date(1990, 5, 17))
    ran = subprocess.run(
        [sys.executable, "-c", _PROGRAM, hetu], capture_output=True, text=True, check=True
    )
    assert hetu not in ran.stderr
    assert "log.refused code=hetu_in_message" in ran.stderr
    assert '"logger": "vst.cli"' in ran.stderr
