"""Clock skew: estimate how far the venue's clock is from ours, and when to apply the estimate.

Signed timestamps must be within a window of the venue's clock (``VenueSpec.clock_window``; a
venue that signs no timestamp has none). ``ClockOffset`` holds the seconds to add to
``time.time()`` to read the venue's clock; the engine signs with ``clock.time() + offset``.

Two estimates:

- ``offset_from_server_time``: a venue's time request (``VenueSpec.time_request``) gives the
  server's epoch; assuming it was read halfway through the round trip, the error is at most half
  the round trip.
- ``offset_from_date_header``: for a venue with no time endpoint, every response's ``Date`` header
  (RFC 9110 / RFC 7231, any of the three date forms) is the only reference. It has one-second
  resolution, so the estimate takes the middle of that second and is good to about ±0.5 s plus
  the latency: only offsets larger than ~1 s (``CLOCK_DATE_HEADER_UNCERTAINTY``) mean anything.

The policy (``should_apply``): apply a new estimate only when it differs from the current
offset by more than its own uncertainty (and at least ``CLOCK_MIN_ADJUSTMENT``), so coarse
``Date`` headers do not make the offset wander; after a timestamp-expired answer apply it
regardless (``force=True``). When to measure: on every answer (``VenueSpec.clock_reading``:
the ``Date`` header, or a timestamp in the body), and after a timestamp-expired answer with the
venue's time request, if it has one (then one retry).

Example::

    offset = ClockOffset()
    sent = time.time(); epoch = get_server_epoch(); received = time.time()
    if offset.observe_server_time(epoch, sent_at=sent, received_at=received):
        auth.clock_offset = offset.seconds
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

import anyio

from venuekit._constants import CLOCK_DATE_HEADER_UNCERTAINTY, CLOCK_MIN_ADJUSTMENT

__all__ = [
    "Clock",
    "ClockOffset",
    "SystemClock",
    "http_date_epoch",
    "offset_from_date_header",
    "offset_from_server_time",
    "should_apply",
]


def offset_from_server_time(server_epoch: float, sent_at: float, received_at: float) -> float:
    """Seconds to add to our clock to read the server's: server time minus the round trip's middle.

    ``sent_at`` and ``received_at`` are our epoch clock just before sending and just after
    receiving the request that returned ``server_epoch``.

        >>> offset_from_server_time(1003.5, sent_at=1000.0, received_at=1001.0)
        3.0
    """
    if not all(math.isfinite(x) for x in (server_epoch, sent_at, received_at)):
        raise ValueError("times must be finite numbers")
    if received_at < sent_at:
        raise ValueError("received_at is before sent_at")
    return server_epoch - (sent_at + received_at) / 2.0


def offset_from_date_header(date: str | None, *, received_at: float) -> float | None:
    """Offset from an HTTP ``Date`` header received at ``received_at``; ``None`` if unusable.

    The header names a whole second; the server's clock was somewhere in that second, so the
    middle (``+ 0.5``) is used. Resolution is one second: treat small results as noise.

        >>> offset_from_date_header("Tue, 14 Nov 2023 22:13:23 GMT", received_at=1700000000.5)
        3.0
        >>> offset_from_date_header("yesterday", received_at=0.0) is None
        True
    """
    if date is None:
        return None
    epoch = http_date_epoch(date.strip())
    return None if epoch is None else epoch + 0.5 - received_at


@functools.lru_cache(maxsize=16)
def http_date_epoch(date: str) -> float | None:
    """Epoch seconds of an HTTP-date (any of RFC 9110's three forms; GMT when no zone); ``None``
    when it is not one. Cached: a server sends the same value for a whole second.

        >>> http_date_epoch("Thu, 01 Jan 1970 00:00:10 GMT")
        10.0
    """
    if not date:
        return None
    try:
        when = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime form or "-0000": RFC 9110 says every HTTP-date is GMT
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def should_apply(estimate: float, *, current: float, uncertainty: float) -> bool:
    """Whether to replace ``current`` by ``estimate``: they differ by more than the estimate's error.

    The threshold is ``max(uncertainty, CLOCK_MIN_ADJUSTMENT)``.

        >>> should_apply(3.0, current=0.0, uncertainty=1.0)
        True
        >>> should_apply(0.4, current=0.0, uncertainty=1.0)
        False
    """
    return abs(estimate - current) > max(uncertainty, CLOCK_MIN_ADJUSTMENT)


class ClockOffset:
    """Thread-safe seconds to add to the local epoch clock to read a venue's; starts at 0.

    >>> offset = ClockOffset()
    >>> offset.observe_date_header("Thu, 01 Jan 1970 00:00:13 GMT", received_at=10.5)
    True
    >>> offset.seconds
    3.0
    >>> offset.now(clock=lambda: 100.0)
    103.0
    """

    def __init__(self, seconds: float = 0.0) -> None:
        self._check(seconds)
        self._seconds = float(seconds)
        self._measured = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClockOffset({self.seconds!r})"

    @staticmethod
    def _check(seconds: float) -> None:
        if not math.isfinite(seconds):
            raise ValueError(f"clock offset must be a finite number, got {seconds!r}")

    @property
    def seconds(self) -> float:
        """The current offset in seconds (venue clock minus local clock)."""
        with self._lock:
            return self._seconds

    @property
    def measured(self) -> bool:
        """Whether any estimate has been observed yet (applied or not)."""
        with self._lock:
            return self._measured

    def set(self, seconds: float) -> None:
        """Replace the offset unconditionally (e.g. from configuration)."""
        self._check(seconds)
        with self._lock:
            self._seconds = float(seconds)

    def update(self, estimate: float, *, uncertainty: float, force: bool = False) -> bool:
        """Apply ``estimate`` if ``should_apply`` says so (or ``force``); return whether it changed.

        >>> offset = ClockOffset()
        >>> offset.update(0.01, uncertainty=0.0), offset.update(2.0, uncertainty=0.5)
        (False, True)
        """
        self._check(estimate)
        with self._lock:
            self._measured = True
            if estimate == self._seconds:
                return False
            if force or should_apply(estimate, current=self._seconds, uncertainty=uncertainty):
                self._seconds = estimate
                return True
            return False

    def observe_server_time(
        self, server_epoch: float, *, sent_at: float, received_at: float, force: bool = False
    ) -> bool:
        """Update from a server-time answer (a venue's time request); return whether it changed.

        >>> ClockOffset().observe_server_time(1003.5, sent_at=1000.0, received_at=1001.0)
        True
        """
        estimate = offset_from_server_time(server_epoch, sent_at=sent_at, received_at=received_at)
        return self.update(estimate, uncertainty=(received_at - sent_at) / 2.0, force=force)

    def observe_date_header(
        self, date: str | None, *, received_at: float, force: bool = False
    ) -> bool:
        """Update from a response's ``Date`` header; return whether it changed (False if unusable).

        >>> ClockOffset().observe_date_header(None, received_at=0.0)
        False
        """
        estimate = offset_from_date_header(date, received_at=received_at)
        if estimate is None:
            return False
        return self.update(estimate, uncertainty=CLOCK_DATE_HEADER_UNCERTAINTY, force=force)

    def now(self, clock: Callable[[], float] = time.time) -> float:
        """The venue's clock as we estimate it: ``clock() + seconds``."""
        return clock() + self.seconds


class Clock(Protocol):
    """Where venuekit reads time and waits: one object, injectable (``venuekit.testing.FakeClock``).

    Example: ``Client(..., clock=venuekit.testing.FakeClock())`` runs retries and rate-limit
    waits on simulated time.
    """

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines, pacing)."""
        ...

    def time(self) -> float:
        """Epoch seconds (signatures, ``Date`` headers)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the thread for ``seconds``."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Let the event loop run for ``seconds`` (asyncio or trio)."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.time``, ``time.sleep`` and ``anyio.sleep``.

    >>> SystemClock().monotonic() > 0
    True
    """

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def time(self) -> float:
        """``time.time()``."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)``."""
        time.sleep(seconds)

    async def sleep_async(self, seconds: float) -> None:
        """``await anyio.sleep(seconds)``."""
        await anyio.sleep(seconds)


#: The clock every client uses unless given another (not exported: build your own SystemClock).
SYSTEM_CLOCK = SystemClock()
