"""The broker's mark that deliveries wait to be bound, and the drain that holds it.

A request that stores a delivery sets the mark unless it is set and, only if it set it,
queues a drain under the job id the mark then holds, in one script (one round trip, and no
moment at which the mark is set without its job). While a burst keeps a drain busy, a
request first only looks whether the mark is set (:func:`look`): found set, that is all it
needs, and no drain's job is built for a script that would not queue it. The drain renews
the mark while it binds and clears it when it finds nothing more;
:func:`consent.binding.bind_deliveries` says why no delivery is then left waiting. The mark
expires :data:`MARK_TTL` seconds after its last renewal, so a drain killed mid-run holds up
the next one only that long.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Sequence
from typing import Final

import redis
from redis.client import Pipeline
from redis.typing import EncodableT

MARK: Final = "vst:binding:wanted"
MARK_TTL: Final = 30

# KEYS[1] the mark; ARGV[1] the drain's job id, ARGV[2] the mark's lifetime in seconds,
# ARGV[3…] the commands that queue the drain, each as its word count and its words.
_ASK = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return 0
end
local i = 3
while i <= #ARGV do
  local words = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + words))
  i = i + words + 1
end
return 1
"""
# KEYS[1] the mark; ARGV[1…] the commands to run if it is set, as in _ASK.
_LOOK = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local i = 1
while i <= #ARGV do
  local words = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + words))
  i = i + words + 1
end
return 1
"""
# KEYS[1] the mark; ARGV[1] the drain's job id, ARGV[2] the mark's lifetime in seconds.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# KEYS[1] the mark; ARGV[1] the drain's job id.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

Command = Sequence[EncodableT]


def drain_job_id() -> str:
    """A new drain's job id: random, in base32 (letters and 2-7: no 0 or 1, so no month, and
    so never a hetu's shape, which log redaction would cut)."""
    return f"bind-deliveries-{base64.b32encode(os.urandom(10)).decode().lower()}"


def ask(pipe: Pipeline, job_id: str, commands: Sequence[Command]) -> None:
    """Add to ``pipe`` the script that sets the mark to ``job_id`` unless it is set, and
    then only runs ``commands`` (those that queue job ``job_id``); its answer is 1 if it set
    the mark. The script's text goes with it (``EVAL``): a pipeline's ``EVALSHA`` would
    first ask whether the script is loaded, a round trip of its own."""
    pipe.eval(_ASK, 1, MARK, job_id, MARK_TTL, *_words(commands))


def look(connection: redis.Redis, commands: Sequence[Command] = ()) -> bool:
    """Whether the mark is set, in one script that then only runs ``commands``; sent on its
    own, not in a pipeline (a pipeline of one costs redis-py more than the command).

    A request that finds it set has done its part, as one whose :func:`ask` found it set:
    the drain holding it clears it only later, and looks once more after clearing."""
    return bool(connection.eval(_LOOK, 1, MARK, *_words(commands)))


def _words(commands: Sequence[Command]) -> list[EncodableT]:
    """``commands`` as a script's arguments: each command's word count, then its words."""
    words: list[EncodableT] = []
    for command in commands:
        words += [len(command), *command]
    return words


def holder(connection: redis.Redis) -> str | None:
    """The job id of the drain holding the mark, or None."""
    value = connection.get(MARK)
    return None if value is None else bytes(value).decode()  # type: ignore[arg-type]  # bytes: no decode_responses


class RedisBindingRun:
    """:class:`consent.ports.BindingRun`: the mark as drain job ``run_id`` holds it."""

    def __init__(self, connection: redis.Redis, run_id: str, ask_again: Callable[[], object]):
        """``ask_again`` asks for a drain as a request does (for :meth:`hand_over`)."""
        self._connection, self._run_id, self._ask_again = connection, run_id, ask_again

    def hold(self) -> bool:
        held = self._connection.eval(_HOLD, 1, MARK, self._run_id, MARK_TTL)
        return bool(held)

    def release(self) -> None:
        release(self._connection, self._run_id)

    def hand_over(self) -> None:
        self.release()
        self._ask_again()


def release(connection: redis.Redis, job_id: str) -> None:
    """Clear the mark if drain ``job_id`` holds it."""
    connection.eval(_RELEASE, 1, MARK, job_id)
