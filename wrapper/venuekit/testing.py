"""Helpers for testing code that uses venuekit: make retry waits instant.

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
from collections.abc import Iterator

from venuekit import _retry

__all__ = ["instant_retries", "retries_are_instant"]


@contextlib.contextmanager
def instant_retries(enabled: bool = True) -> Iterator[None]:
    """Make every retry wait zero seconds inside the ``with`` block (``enabled=False``: real waits).

    Example::

        with venuekit.testing.instant_retries():
            client.coinbase_exchange.cancel_order(order_id=order_id)  # retries without sleeping
    """
    with _retry.instant_waits(enabled):
        yield


def retries_are_instant() -> bool:
    """Whether ``instant_retries()`` is in force.

    >>> retries_are_instant()
    False
    """
    return _retry.is_testing()
