"""Whether to talk to the rate-limit store now: fail open, warn once per outage, retry later.

``StoreHealth`` is the small state machine behind ``RedisRateBudget``'s fail-open rule. While the
store answers, every call goes to it. The first failure (error, refused connection, no answer in
time) logs one WARNING and starts an outage: calls go to the in-process fallback without trying
the store, until ``retry_initial`` seconds have passed; then one call (the *probe*) tries it. A
failed probe doubles the wait, up to ``retry_max``; a successful one ends the outage with an
INFO line. Threads and tasks share one instance; only bookkeeping runs under its lock.

Example::

    health = StoreHealth(name="redis://127.0.0.1:6379/0")
    if health.begin():          # True: try the store now
        try:
            answer = talk_to_store()
        except Exception as exc:
            health.failed(describe(exc))
        else:
            health.succeeded()
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable

from venuekit._constants import (
    ERROR_EXCERPT_CHARS,
    RATE_STORE_RETRY_INITIAL,
    RATE_STORE_RETRY_MAX,
)

__all__ = ["LOGGER", "StoreHealth", "describe", "redacted_url"]

#: Where the budget reports outages (a child of ``venuekit``).
LOGGER = logging.getLogger("venuekit.ratelimit")


def describe(exc: BaseException) -> str:
    """``"TypeName: message"`` of a store error, cut to ``ERROR_EXCERPT_CHARS`` characters.

    >>> describe(ConnectionRefusedError(111, "Connection refused"))
    'ConnectionRefusedError: [Errno 111] Connection refused'
    """
    text = str(exc)
    if len(text) > ERROR_EXCERPT_CHARS:
        text = text[:ERROR_EXCERPT_CHARS] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def redacted_url(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``, fit for a log line.

    >>> redacted_url("redis://:hunter2@cache.internal:6379/0")
    'redis://***@cache.internal:6379/0'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


class StoreHealth:
    """The store's state as one process sees it: up, or down until a retry time.

    ``name`` identifies the store in log lines (give it without a password). ``clock`` is
    monotonic seconds.

        >>> now = [0.0]
        >>> health = StoreHealth(name="test", retry_initial=1.0, retry_max=4.0, clock=lambda: now[0])
        >>> health.begin(), health.healthy
        (True, True)
        >>> health.failed("ConnectionError: refused")  # logs one WARNING
        >>> health.begin(), health.healthy
        (False, False)
        >>> now[0] = 1.0
        >>> health.begin(), health.begin()  # one probe at a time
        (True, False)
        >>> health.succeeded()
        >>> health.healthy
        True
    """

    def __init__(
        self,
        *,
        name: str,
        retry_initial: float = RATE_STORE_RETRY_INITIAL,
        retry_max: float = RATE_STORE_RETRY_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (retry_initial > 0 and retry_max >= retry_initial):
            raise ValueError("need retry_initial > 0 and retry_max >= retry_initial (seconds)")
        self.name = name
        self._initial = float(retry_initial)
        self._max = float(retry_max)
        self._clock = clock
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # None: healthy
        self._backoff = self._initial
        self._down_since = 0.0
        self._probing = False

    @property
    def healthy(self) -> bool:
        """``True`` unless an outage is going on."""
        return self._retry_at is None

    def begin(self) -> bool:
        """``True``: try the store now (then report ``succeeded``, ``failed`` or ``abandon``)."""
        with self._lock:
            if self._retry_at is None:
                return True
            if self._probing or self._clock() < self._retry_at:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        """The store answered: end any outage."""
        with self._lock:
            if self._retry_at is None:
                return
            downtime = self._clock() - self._down_since
            self._retry_at, self._probing, self._backoff = None, False, self._initial
        LOGGER.info(
            "rate-limit store %s answers again after %.1f s; the rate budget is shared again",
            self.name,
            downtime,
        )

    def failed(self, reason: str) -> None:
        """The store failed (``reason`` says how; no secrets): start or prolong the outage."""
        with self._lock:
            now = self._clock()
            first = self._retry_at is None
            if first:
                self._down_since, self._backoff = now, self._initial
            elif self._probing:
                self._backoff = min(self._backoff * 2.0, self._max)
            self._retry_at = now + self._backoff
            self._probing = False
            backoff = self._backoff
        if first:
            LOGGER.warning(
                "rate-limit store %s failed (%s); pacing in-process until it answers again "
                "(each process alone, so processes sharing a key can exceed its limit); "
                "next try in %.1f s",
                self.name,
                reason,
                backoff,
            )
        else:
            LOGGER.debug("rate-limit store %s still failing (%s)", self.name, reason)

    def abandon(self) -> None:
        """The try ended without a verdict (the caller's own deadline, or cancelled)."""
        with self._lock:
            self._probing = False
