"""What the `httpx.Auth` adapters share: the clock, the per-request signing time, header setting.

The signing time of a request is, in order: ``request.extensions["venuekit.sign_at"]`` (epoch
seconds, a float, set by the client's engine for that attempt, so a concurrent call cannot move
the clock between reading and signing), else the adapter's own ``clock() + clock_offset``.

Example:
    >>> import httpx
    >>> auth = ClockedAuth(lambda: 100.0, 2.5)
    >>> auth.signing_time(httpx.Request("GET", "https://x/"))
    102.5
    >>> auth.signing_time(httpx.Request("GET", "https://x/", extensions={SIGN_AT: 7.25}))
    7.25
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator

import httpx

__all__ = ["SIGN_AT", "Clock", "ClockedAuth", "replace_headers"]

#: The request extension holding the signing time (epoch seconds, float) chosen by the engine.
SIGN_AT = "venuekit.sign_at"

Clock = Callable[[], float]
"""Returns seconds since the epoch, like `time.time`."""


def replace_headers(request: httpx.Request, values: dict[str, str]) -> None:
    """Set one of each signature header; httpx's item assignment drops every existing copy."""
    headers = request.headers
    for name, value in values.items():
        headers[name] = value


class ClockedAuth(httpx.Auth):
    """Clock handling shared by the adapters."""

    def __init__(self, clock: Clock, clock_offset: float) -> None:
        self._clock = clock
        self.clock_offset = clock_offset
        """Seconds added to ``clock()``; set it to correct for a skewed local clock."""

    def now(self) -> float:
        """Return the corrected time: ``clock() + clock_offset``."""
        return self._clock() + self.clock_offset

    def signing_time(self, request: httpx.Request) -> float:
        """``request.extensions["venuekit.sign_at"]`` when set, else `now`.

        Raises:
            ValueError: the extension is set but is not a finite number.
        """
        value = request.extensions.get(SIGN_AT)
        if value is None:
            return self.now()
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"request.extensions[{SIGN_AT!r}] must be finite epoch seconds")
        return float(value)

    def sign(self, request: httpx.Request) -> None:
        """Set fresh signature headers on ``request`` (its body must already be read)."""
        raise NotImplementedError

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request (every attempt, afresh) and send it."""
        self.sign(request)
        yield request
