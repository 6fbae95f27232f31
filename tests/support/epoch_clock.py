"""``venuekit.testing.FakeClock`` as the plain epoch callable the sandbox and the signers take.

``SandboxConfig(clock=...)`` and the auth classes (``CoinbaseExchangeAuth(..., clock=...)``) read
time from a ``Callable[[], float]`` of epoch seconds. ``EpochClock`` is the one fake clock
(``venuekit.testing.FakeClock``) made callable, so sandbox tests and client tests share it.

    >>> clock = EpochClock(epoch=1_700_000_000.0)
    >>> clock.advance(1.5); clock(), clock.now
    (1700000001.5, 1700000001.5)
"""

from __future__ import annotations

from venuekit.testing import FakeClock

__all__ = ["EpochClock"]


class EpochClock(FakeClock):
    """A ``FakeClock`` that is also its own epoch callable (``clock()`` is ``clock.time()``)."""

    def __call__(self) -> float:
        return self.time()

    @property
    def now(self) -> float:
        """The simulated epoch time (same as ``clock()``)."""
        return self.time()
