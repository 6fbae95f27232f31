"""Counters of what the sandbox answered, per venue, endpoint, fault fate and HTTP status.

Load and fault tests read them to tell the 429s the fault injector *chose* (fate
``rate_limited``) from the 429s the venue's own rate limit *earned* (fate ``normal``, status 429:
the client's pacing was too fast), and to count drops, 5xx and cancels applied.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping

import attrs

__all__ = ["SandboxStats", "StatsKey"]


@attrs.frozen
class StatsKey:
    """One counter: venue (``exchange``/``intx``/``loopring``), endpoint, fate value, status."""

    venue: str
    endpoint: str
    fate: str
    status: int


class SandboxStats:
    """Thread-safe request counters of one sandbox app.

    Example:
        >>> stats = SandboxStats()
        >>> stats.record(StatsKey("exchange", "exchange_cancel", "normal", 429))
        >>> stats.count(venue="exchange", fate="normal", status=429)
        1
    """

    def __init__(self) -> None:
        self._counts: Counter[StatsKey] = Counter()
        self._lock = threading.Lock()

    def record(self, key: StatsKey) -> None:
        """Count one answered (or dropped) request."""
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> Mapping[StatsKey, int]:
        """A copy of every counter."""
        with self._lock:
            return dict(self._counts)

    def count(
        self,
        *,
        venue: str | None = None,
        endpoint: str | None = None,
        fate: str | None = None,
        status: int | None = None,
    ) -> int:
        """The sum of the counters matching every given field (``None``: any)."""
        return sum(
            n
            for key, n in self.snapshot().items()
            if (venue is None or key.venue == venue)
            and (endpoint is None or key.endpoint == endpoint)
            and (fate is None or key.fate == fate)
            and (status is None or key.status == status)
        )

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self._counts.clear()
