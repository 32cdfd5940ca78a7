"""The Procfile's gunicorn processes, read with gunicorn's own option parser.

Since gunicorn 25.1 every gunicorn opens a control socket, by default at one path per user
(``$HOME/.gunicorn/gunicorn.ctl``): processes sharing it remove each other's socket when
one of them stops. None of them may share a path.
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path

from gunicorn.config import Config  # type: ignore[import-untyped]  # gunicorn ships no types

ROOT = Path(__file__).resolve().parents[2]


def _gunicorn_processes() -> dict[str, list[str]]:
    """Each Procfile process run by gunicorn: its arguments after ``gunicorn``."""
    processes: dict[str, list[str]] = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        argv = shlex.split(command.replace("${PORT:-8000}", "8000"))
        if argv and argv[0] == "gunicorn":
            processes[name.strip()] = argv[1:]
    return processes


def _control_socket(arguments: list[str]) -> str | None:
    """The control socket path gunicorn would open with ``arguments``; None for none."""
    config = Config()
    parsed = config.parser().parse_args(arguments)
    for key, value in vars(parsed).items():
        if value is not None and key in config.settings:
            config.set(key, value)
    if config.control_socket_disable:
        return None
    path: str = config.control_socket
    return path


def test_the_procfile_runs_several_gunicorn_processes() -> None:
    assert {"web", "dashboard", "koski-sandbox", "vismasign-sandbox"} <= set(_gunicorn_processes())


def test_no_two_procfile_gunicorn_processes_share_a_control_socket_path() -> None:
    paths = Counter(_control_socket(arguments) for arguments in _gunicorn_processes().values())
    shared = [path for path, count in paths.items() if path is not None and count > 1]
    assert shared == []
