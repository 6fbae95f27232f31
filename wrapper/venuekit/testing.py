"""Helpers for testing code that uses venuekit: instant retry waits and a fake clock.

venuekit retries transport errors, HTTP 5xx and 429 with exponential backoff (see ``Client``).
In a test suite those waits only cost time; ``instant_retries()`` makes every backoff and
``Retry-After`` wait zero seconds while keeping the number of attempts and every decision the
same, so a test still sees exactly the requests production would send. It is process-wide (all
clients, all threads) and restores the previous setting on exit. Client-side rate limiting is
not affected: turn it off per client with ``rate_limits=False``.

Example (pytest)::

    import pytest
    import venuekit.testing

    @pytest.fixture(autouse=True)
    def _instant_retries():
        with venuekit.testing.instant_retries():
            yield
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import anyio

from venuekit import _policy

__all__ = ["FakeClock", "instant_retries", "retries_are_instant"]


@contextlib.contextmanager
def instant_retries(enabled: bool = True) -> Iterator[None]:
    """Make every retry wait zero seconds inside the ``with`` block (``enabled=False``: real waits).

    Example::

        with venuekit.testing.instant_retries():
            handle.cancel_order(order_id=order_id)  # handle = client.<venue>; retries without sleeping
    """
    with _policy.instant_waits(enabled):
        yield


def retries_are_instant() -> bool:
    """Whether ``instant_retries()`` is in force.

    >>> retries_are_instant()
    False
    """
    return _policy.is_testing()


class FakeClock:
    """A ``venuekit`` clock on simulated time: sleeping advances it instantly and is recorded.

    Pass it as ``Client(..., clock=FakeClock())``: backoff, ``Retry-After`` and rate-limit waits
    take no real time, and ``sleeps`` lists every wait the client asked for. ``epoch`` is the
    simulated wall clock (signatures, ``Date`` header comparisons).

    >>> clock = FakeClock(epoch=1_700_000_000.0)
    >>> clock.sleep(1.5); clock.monotonic(), clock.sleeps
    (1.5, [1.5])
    """

    def __init__(self, *, epoch: float = 1_700_000_000.0, start: float = 0.0) -> None:
        self._now = start
        self._epoch_at_start = epoch - start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        """Simulated seconds since the clock was made (plus ``start``)."""
        with self._lock:
            return self._now

    def time(self) -> float:
        """Simulated epoch seconds."""
        with self._lock:
            return self._epoch_at_start + self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` without recording a sleep."""
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Record the wait and advance time by it."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds

    async def sleep_async(self, seconds: float) -> None:
        """Record the wait, advance time by it, and yield to the event loop once."""
        self.sleep(seconds)
        await anyio.lowlevel.checkpoint()
