"""KOSKI's error form: a JSON array of ``{key, message}``; the HTTP status is the highest one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KoskiError:
    """One entry of KOSKI's error array, with the status its category carries."""

    status: int
    key: str
    message: Any


class KoskiFailure(Exception):
    """Raised to answer a request with KOSKI's errors."""

    def __init__(self, *errors: KoskiError) -> None:
        super().__init__(", ".join(e.key for e in errors))
        self.errors = errors

    @property
    def status(self) -> int:
        """The highest status among the errors, as KOSKI answers."""
        return max(e.status for e in self.errors)

    def body(self) -> list[dict[str, Any]]:
        """The response body."""
        return [{"key": e.key, "message": e.message} for e in self.errors]


def bad_request(key: str, message: Any) -> KoskiError:
    """A 400 under ``badRequest.<key>``."""
    return KoskiError(400, f"badRequest.{key}", message)


def validation(key: str, message: str) -> KoskiError:
    """A 400 under ``badRequest.validation.<key>``."""
    return bad_request(f"validation.{key}", message)


def schema_error(path: str, value: Any, error_type: str, **extra: Any) -> dict[str, Any]:
    """One item of a ``badRequest.validation.jsonSchema`` message."""
    return {"path": path, "value": value, "error": {"errorType": error_type, **extra}}
