"""Child process of the memory benchmark: one ``AsyncClient.cancel_many`` over the given orders.

Usage: ``python _memory_child.py URL`` with a JSON list of order ids on stdin. Prints one JSON
object: ``ok`` (confirmed cancels), ``seconds`` (slowed down by tracemalloc), ``peak`` and
``retained`` (tracemalloc, bytes: the highest traced memory during the call, and what is still
traced after it, which is mostly the returned outcomes).

Everything is imported, the client opened and its connections warmed up on a few orders
before the measurement starts; the request list is built before it too (it is the caller's).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
import tracemalloc
from typing import Any

from _contenders import EXCHANGE, PRODUCT_ID, client_knobs_off

import venuekit

#: Orders at the front of the list cancelled untimed first (the parent adds them to the count).
WARMUP = 16


async def _measure(url: str, ids: list[str]) -> dict[str, Any]:
    client = venuekit.AsyncClient(
        coinbase_exchange=EXCHANGE.credentials(),
        base_urls={"coinbase_exchange": url},
        **client_knobs_off(venuekit.AsyncClient),  # type: ignore[arg-type]
    )
    make = venuekit.CancelRequest.coinbase_exchange
    warmup = [make(order_id=i, product_id=PRODUCT_ID) for i in ids[:WARMUP]]
    requests = [make(order_id=i, product_id=PRODUCT_ID) for i in ids[WARMUP:]]
    try:
        await client.cancel_many(warmup)
        del warmup
        gc.collect()
        result: dict[str, Any] = {}
        tracemalloc.start()
        start = time.perf_counter()
        outcomes = await client.cancel_many(requests)
        result["seconds"] = time.perf_counter() - start
        gc.collect()
        result["retained"], result["peak"] = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["ok"] = sum(1 for outcome in outcomes if outcome.ok)
        return result
    finally:
        await client.aclose()


def main() -> int:
    url = sys.argv[1]
    ids = json.load(sys.stdin)
    print(json.dumps(asyncio.run(_measure(url, ids))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
