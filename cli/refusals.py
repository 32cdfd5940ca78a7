"""How a command reports a staff action's refusal: its message on stderr, and exit status 1.

No message quotes a value from a file: import errors name rows and columns, with hetus
masked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

from consent.errors import ConsentError, CourseRejected, InvalidCourse, UnknownCourse
from consent.import_files import SHOWN_ERRORS, EnrolmentRejected, ImportRejected

REFUSED: Final = (ConsentError, ImportRejected)


def refused(error: Exception) -> int:
    """Print why the action was refused; the command's exit status."""
    print(message(error), file=sys.stderr)
    return 1


def message(error: Exception) -> str:
    """What a command says of ``error``."""
    if isinstance(error, EnrolmentRejected):
        rows = [f"row {e.row}: {e.field} {e.reason}" for e in error.errors[:SHOWN_ERRORS]]
        return "nobody enrolled:\n  " + "\n  ".join(rows)
    if isinstance(error, ImportRejected):
        rows = [f"  row {e.row}: {e.field}: {e.reason}" for e in error.errors]
        return "nothing imported:\n" + "\n".join(rows)
    if isinstance(error, CourseRejected):
        problems = [f"{p['field']}: {p['reason']}" for p in error.problems]
        return "course not saved:\n  " + "\n  ".join(problems)
    if isinstance(error, InvalidCourse):
        return f"course not saved: {error}"
    if isinstance(error, UnknownCourse):
        return f"no course {error.code!r}; import the course first"
    return str(error)


def read_file(path: Path) -> bytes:
    """The file's bytes, or exit saying why it cannot be read (never what it holds)."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise SystemExit(f"cannot read {path}: {type(error).__name__}") from None
