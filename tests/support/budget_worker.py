"""Child-process side of the shared-budget tests: book slots of one bucket, report when they start.

Run by ``multiprocessing`` (spawn) from tests/policy/test_ratelimit_store.py: every child makes its
own ``RedisRateBudget`` on the same store, waits at a barrier so all start together, books
``count`` slots of the same bucket (sync, or async with ``redis.asyncio``) and puts the slots'
start times, in seconds of the store's clock, on the queue.
"""

from __future__ import annotations

import asyncio
from typing import Any

from venuekit._ratelimit import Bucket, RateLimit
from venuekit._ratelimit_store import RedisRateBudget

__all__ = ["book_slots"]


def book_slots(
    url: str,
    bucket_fields: tuple[str, str, float, int],
    count: int,
    mode: str,
    barrier: Any,
    results: Any,
) -> None:
    """Book ``count`` slots; put ``(mode, [slot start or None for a fallback booking])``."""
    venue, key, rate, burst = bucket_fields
    bucket = Bucket(venue, key, RateLimit(rate=rate, burst=burst))
    timeout = 5.0  # a loaded machine must not turn a slow answer into a fallback booking
    if mode == "sync":
        budget = RedisRateBudget(url, timeout=timeout)
        budget.reserve(Bucket(venue, "0" * 32, RateLimit(rate=1, burst=1)))  # connect first
        barrier.wait()
        starts = [budget.book(bucket).at for _ in range(count)]
        budget.close()
    else:

        async def main() -> list[float | None]:
            budget = RedisRateBudget(url, timeout=timeout)
            await budget.reserve_async(Bucket(venue, "0" * 32, RateLimit(rate=1, burst=1)))
            await asyncio.to_thread(barrier.wait)
            try:
                return [(await budget.book_async(bucket)).at for _ in range(count)]
            finally:
                await budget.aclose()

        starts = asyncio.run(main())
    results.put((mode, starts))
