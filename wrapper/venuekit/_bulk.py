"""Bulk cancel: ``CancelRequest`` in, exactly one ``CancelOutcome`` per request out, in order.

``Client.cancel_many`` and ``AsyncClient.cancel_many`` share everything here except the
scheduling (``run_many_sync``: worker threads; ``run_many_async``: worker tasks in one anyio
task group). In both, ``concurrency`` workers per venue pull input positions from the venue's
shared iterator, so memory does not grow with the number of orders. Each request goes through
the client's ordinary single-cancel path (argument checks, retries, the shared rate limiter,
clock correction), so a bulk cancel behaves like a loop of ``cancel_order`` calls, only faster.

Guarantees: the returned list has one entry per input, in input order, never missing or
duplicated; an entry whose arguments are wrong (unknown venue, a field the venue does not take,
a blank id, a venue the client has no credentials for) gets its ``InvalidRequest`` as its
outcome and nothing is sent for it; a ``VenueError`` of one order never stops the others.
Anything else (a bug, a closed client, an exception raised by ``progress``) stops the batch and
propagates.

``concurrency`` caps the cancels in flight *per venue*, so a slow venue (5/s) never holds every
slot while a fast one (40/s) waits.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence

import anyio
import attrs

from venuekit import errors
from venuekit._models import CancelResult
from venuekit._venues import VenueSpec, spec_for
from venuekit._venues._request import CancelRequest

__all__ = [
    "CancelOutcome",
    "CancelRequest",
    "Progress",
    "check_concurrency",
    "check_request",
    "run_many_async",
    "run_many_sync",
]

#: ``progress(done, total)``: called once after each order's outcome is known.
Progress = Callable[[int, int], object]


def check_request(request: CancelRequest) -> VenueSpec:
    """The request's venue spec, or ``InvalidRequest`` for an unknown venue or a foreign field.

    Example: ``spec = check_request(request)`` (then ``spec.cancel.prepare(...)``).
    """
    spec = spec_for(request.venue)
    for name in request.arguments():
        if name not in spec.fields:
            raise errors.InvalidRequest(
                f"{spec.venue.value} does not take {name}; it takes {', '.join(spec.fields)}",
                field=name,
                venue=spec.venue,
            )
    return spec


@attrs.frozen(kw_only=True)
class CancelOutcome:
    """What happened to one ``CancelRequest`` of ``cancel_many``: a result or an error, never both.

    ``ok`` is true when the venue accepted the cancel (``result`` is set; its ``state`` may be
    ``CANCELLED``, ``CANCEL_PENDING`` or ``CANCELLED_ON_EARLIER_ATTEMPT``); otherwise ``error``
    holds the ``VenueError`` (``InvalidRequest`` for a bad request: nothing was sent).

    Example::

        for outcome in client.cancel_many(orders):
            if not outcome.ok:
                print(outcome.request, type(outcome.error).__name__, outcome.error)
    """

    #: The input, exactly as given.
    request: CancelRequest
    #: The venue's accepted cancel, or ``None`` on failure.
    result: CancelResult | None = None
    #: The failure, or ``None`` on success.
    error: errors.VenueError | None = attrs.field(default=None, eq=False)

    @property
    def ok(self) -> bool:
        """Whether the venue accepted the cancel (``result`` is set)."""
        return self.error is None

    @property
    def attempts(self) -> int:
        """Attempts made for this order (``0``: refused before sending)."""
        if self.result is not None:
            return self.result.attempts
        return self.error.attempts if self.error is not None else 0


def check_concurrency(concurrency: int) -> int:
    """Return ``concurrency`` if it is an int >= 1, else raise ``ValueError``.

    >>> check_concurrency(8)
    8
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    return concurrency


def _group(request: CancelRequest) -> str:
    """The scheduling group: the venue's name as given (an unknown one fails on its own)."""
    return str(request.venue)


class _Collector:
    """Slots for every input's outcome, filled once each; reports progress; checks the total."""

    def __init__(self, requests: Sequence[CancelRequest], progress: Progress | None) -> None:
        self._requests = requests
        self._slots: list[CancelOutcome | None] = [None] * len(requests)
        self._progress = progress
        self._done = 0
        self._lock = threading.Lock()

    def outcome(
        self, index: int, result: CancelResult | None, error: errors.VenueError | None
    ) -> None:
        with self._lock:
            if self._slots[index] is not None:
                raise RuntimeError(f"cancel_many: outcome {index} reported twice (a bug)")
            self._slots[index] = CancelOutcome(
                request=self._requests[index], result=result, error=error
            )
            self._done += 1
            done = self._done
        if self._progress is not None:
            self._progress(done, len(self._slots))

    def results(self) -> list[CancelOutcome]:
        missing = [i for i, slot in enumerate(self._slots) if slot is None]
        if missing:
            raise RuntimeError(f"cancel_many: no outcome for inputs {missing[:10]} (a bug)")
        return [slot for slot in self._slots if slot is not None]


def _indexes_by_group(requests: Sequence[CancelRequest]) -> dict[str, list[int]]:
    """Input positions per scheduling group, in input order."""
    groups: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(_group(request), []).append(index)
    return groups


def run_many_sync(
    requests: Sequence[CancelRequest],
    cancel: Callable[[CancelRequest], CancelResult],
    *,
    concurrency: int,
    progress: Progress | None,
) -> list[CancelOutcome]:
    """Run ``cancel`` for every request on ``concurrency`` worker threads per venue.

    Workers pull input positions from their venue's shared iterator, so memory stays flat however
    many orders there are; outcomes come back in input order. ``progress`` is called from the
    calling thread, once per completed request.
    """
    collector = _Collector(requests, progress)
    finished: queue.SimpleQueue[tuple[int, CancelResult | None, BaseException | None]]
    finished = queue.SimpleQueue()
    stop = threading.Event()

    def worker(shared: Iterator[int], lock: threading.Lock) -> None:
        while not stop.is_set():
            with lock:
                index = next(shared, None)
            if index is None:
                return
            try:
                finished.put((index, cancel(requests[index]), None))
            except BaseException as exc:
                finished.put((index, None, exc))

    threads: list[threading.Thread] = []
    for group, indexes in _indexes_by_group(requests).items():
        shared, lock = iter(indexes), threading.Lock()
        for number in range(min(concurrency, len(indexes))):
            thread = threading.Thread(
                target=worker,
                args=(shared, lock),
                name=f"venuekit-{group or 'invalid'}-{number}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    try:
        for _ in range(len(requests)):
            index, result, exc = finished.get()
            if exc is None:
                collector.outcome(index, result, None)
            elif isinstance(exc, errors.VenueError):
                collector.outcome(index, None, exc)
            else:  # a bug or a closed client: stop the batch
                raise exc
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return collector.results()


async def run_many_async(
    requests: Sequence[CancelRequest],
    cancel: Callable[[CancelRequest], Awaitable[CancelResult]],
    *,
    concurrency: int,
    progress: Progress | None,
) -> list[CancelOutcome]:
    """Run ``cancel`` for every request in one task group: ``concurrency`` worker tasks per venue.

    Like the sync runner, workers pull input positions from their venue's shared iterator, so
    there are never more than ``concurrency`` tasks per venue, whatever the number of orders.
    """
    collector = _Collector(requests, progress)
    crashed: list[BaseException] = []

    async def worker(shared: Iterator[int], scope: anyio.CancelScope) -> None:
        for index in shared:
            try:
                try:
                    result = await cancel(requests[index])
                except errors.VenueError as exc:
                    collector.outcome(index, None, exc)
                else:
                    collector.outcome(index, result, None)
            except Exception as exc:  # a bug or a progress callback failing: stop the batch
                crashed.append(exc)
                scope.cancel()
                return

    async with anyio.create_task_group() as group:
        for indexes in _indexes_by_group(requests).values():
            shared = iter(indexes)
            for _ in range(min(concurrency, len(indexes))):
                group.start_soon(worker, shared, group.cancel_scope)
    if crashed:
        raise crashed[0]
    return collector.results()
