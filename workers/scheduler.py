"""RQ's scheduler process, made to stop when its worker dies.

RQ forks the scheduler from the worker and stops it on a warm shutdown. A worker killed
with SIGKILL (the OOM killer, a process manager's last resort) would leave it running on its
own: holding the scheduler locks, with the code it started with, and out of reach of the
process manager, which knows only the worker. Linux can send a process a signal when its
parent dies; the scheduler asks for SIGTERM, on which RQ's scheduler releases its locks and
ends within its one-second loop, and the worker started again runs a scheduler of its own.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
from typing import Any, Final

from rq.scheduler import RQScheduler

PR_SET_PDEATHSIG: Final = 1  # <linux/prctl.h>
log = logging.getLogger("vst.worker")


def signal_when_parent_dies(signum: int) -> bool:
    """Ask the kernel to send this process ``signum`` when its parent ends; False where
    that cannot be asked (not Linux)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return bool(prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)


class Scheduler(RQScheduler):
    """RQ's scheduler, which stops when the worker that started it dies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._worker_pid = os.getpid()  # built in the worker; works in a process forked from it

    def work(self) -> None:
        """RQ's scheduling loop, in the forked scheduler process."""
        if not signal_when_parent_dies(signal.SIGTERM):
            log.warning("scheduler.unguarded reason=no_parent_death_signal")
        if os.getppid() != self._worker_pid:  # the worker died before the kernel was asked
            self.request_stop()  # type: ignore[no-untyped-call]
        super().work()  # type: ignore[no-untyped-call]
