"""Bulk cancel keeps a fixed set of workers per venue, whatever the number of orders.

Before this, every order became a task (async) or a queued future (sync) up front, so memory grew
with the batch (``make bench`` measured ~6 KB per order). These tests count the workers.
"""

from __future__ import annotations

import threading
import time

import anyio
import anyio.lowlevel
import pytest

from venuekit import CancelRequest, CancelState, Venue
from venuekit._bulk import run_many_async, run_many_sync
from venuekit._models import CancelResult

REQUESTS = [CancelRequest.coinbase_exchange(order_id=f"o{i}") for i in range(300)] + [
    CancelRequest.loopring(order_hash=f"0x{i:x}") for i in range(200)
]


def _result(request: CancelRequest) -> CancelResult:
    return CancelResult(
        venue=Venue(request.venue),
        order_id=request.order_id or request.order_hash,
        client_order_id=None,
        state=CancelState.CANCELLED,
        venue_status=None,
        response=None,
    )


def test_sync_runner_uses_concurrency_threads_per_venue() -> None:
    workers: dict[str, set[str]] = {}
    lock = threading.Lock()

    def cancel(request: CancelRequest) -> CancelResult:
        with lock:
            workers.setdefault(str(request.venue), set()).add(threading.current_thread().name)
        time.sleep(0.002)  # long enough for every worker to start
        return _result(request)

    outcomes = run_many_sync(REQUESTS, cancel, concurrency=4, progress=None)
    assert [o.request for o in outcomes] == REQUESTS
    assert all(o.ok for o in outcomes)
    assert {venue: len(names) for venue, names in workers.items()} == {
        "coinbase_exchange": 4,
        "loopring": 4,
    }
    assert not [t for t in threading.enumerate() if t.name.startswith("venuekit-")]


@pytest.mark.anyio
async def test_async_runner_never_has_more_than_concurrency_tasks_per_venue() -> None:
    tasks: dict[str, set[int]] = {}

    async def cancel(request: CancelRequest) -> CancelResult:
        tasks.setdefault(str(request.venue), set()).add(anyio.get_current_task().id)
        await anyio.lowlevel.checkpoint()
        return _result(request)

    outcomes = await run_many_async(REQUESTS, cancel, concurrency=4, progress=None)
    assert [o.request for o in outcomes] == REQUESTS
    assert all(o.ok for o in outcomes)
    assert {venue: len(ids) for venue, ids in tasks.items()} == {
        "coinbase_exchange": 4,
        "loopring": 4,
    }
