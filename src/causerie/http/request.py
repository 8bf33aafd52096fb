"""The request object of OCS endpoints: Starlette's, with headers looked up in a dict.

A request reads about ten headers on its way (credentials, CSRF, format, body); Starlette's
``Headers`` scans the raw list for each, and rebuilds the client address on every access.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Address, Headers
from starlette.requests import Request


class IndexedHeaders(Headers):
    """``Headers`` whose lookups go through a dict of the first value of each name."""

    def __init__(self, scope: Any) -> None:
        super().__init__(scope=scope)
        # Names arrive lower-cased from the ASGI server; reversed so that the first value wins,
        # as in Starlette's lookups.
        self._first = {key.decode("latin-1"): value.decode("latin-1") for key, value in reversed(self._list)}

    def get(self, key: str, default: Any = None) -> Any:
        return self._first.get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return self._first[key.lower()]

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, str) and key.lower() in self._first


class OcsRequest(Request):
    @property
    def headers(self) -> Headers:
        if not hasattr(self, "_headers"):
            self._headers = IndexedHeaders(self.scope)
        return self._headers

    @property
    def client(self) -> Address | None:
        # Kept after the first access (functools.cached_property takes a lock on every access).
        try:
            return self._client
        except AttributeError:
            self._client: Address | None = super().client
            return self._client
