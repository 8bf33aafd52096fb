"""Domain errors. The HTTP layer maps them to Talk's statuses and ``{error: …}`` bodies."""

from __future__ import annotations

from typing import Any

_UNSET: Any = object()


class DomainError(Exception):
    """A request that breaks a rule. ``status`` is the HTTP status Talk answers with."""

    status = 400

    def __init__(
        self,
        error: str | None = None,
        message: str = "",
        *,
        status: int | None = None,
        data: Any = _UNSET,
        throttle: str | None = None,
    ) -> None:
        super().__init__(message or error or self.__class__.__name__)
        self.error = error
        self.message = message
        if status is not None:
            self.status = status
        self._data = data
        # A brute-force action to count an attempt against (Talk's ``->throttle()``).
        self.throttle = throttle

    @property
    def data(self) -> Any:
        """The OCS ``data`` of the failure: ``{error: …}`` when there is a reason, else ``[]``."""
        if self._data is not _UNSET:
            return self._data
        return {"error": self.error} if self.error else []


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class MethodNotAllowed(DomainError):
    status = 405


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    status = 412


class PayloadTooLarge(DomainError):
    status = 413


class TooManyRequests(DomainError):
    status = 429


class InsufficientStorage(DomainError):
    """WebDAV's 507: the quota is used up."""

    status = 507


class InvalidConfigValue(ValueError):
    """A configuration value that must not be stored; the message says why, for an operator."""
