"""Bulk cancel: ``CancelRequest`` in, exactly one ``CancelOutcome`` per request out, whatever happens.

``Client.cancel_many`` and ``AsyncClient.cancel_many`` share everything here except the
scheduling (``run_many_sync``: worker threads; ``run_many_async``: worker tasks in one anyio
task group). ``concurrency`` workers per venue pull input positions from the venue's shared
iterator, so memory does not grow with the number of orders, and a slow venue never holds every
slot while a fast one waits. Each order goes through the client's ordinary single-cancel path.

Guarantees:

- One outcome per input, never missing or duplicated, returned in input order and also handed
  to ``on_outcome`` as soon as each is known (completion order).
- An order whose arguments are wrong (unknown venue, a field its venue does not take, a blank,
  over-long or non-text id, a venue without credentials) gets its ``InvalidRequest`` as its
  outcome and nothing is sent for it; no order's failure, of any kind, stops the others.
- Interrupted (Ctrl-C, task cancellation) the batch still reports every order before the
  interruption propagates: finished ones as they were, the ones whose call was running as
  ``IN_FLIGHT`` (may have reached the venue), the others as ``NOT_SENT``; their error is
  ``errors.Interrupted``. After ``batch_deadline`` seconds no new order is started: the rest are
  ``NOT_SENT`` (the ones in flight finish within their own deadline).
"""

from __future__ import annotations

import enum
import math
import queue
import threading
import time
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
    "OnOutcome",
    "OutcomeFate",
    "Progress",
    "check_concurrency",
    "check_request",
    "run_many_async",
    "run_many_sync",
]

#: ``progress(done, total)``: called once after each order's outcome is known.
Progress = Callable[[int, int], object]


class OutcomeFate(enum.StrEnum):
    """How far one order of a batch got.

    >>> OutcomeFate.IN_FLIGHT.value
    'in_flight'
    """

    #: Its call ended: ``result`` or ``error`` is its answer.
    FINISHED = "finished"
    #: The batch was interrupted while its call was running: it may have reached the venue.
    IN_FLIGHT = "in_flight"
    #: It was never sent (the batch was interrupted first, or ``batch_deadline`` passed).
    NOT_SENT = "not_sent"


@attrs.frozen(kw_only=True)
class CancelOutcome:
    """What happened to one ``CancelRequest`` of ``cancel_many``: a result or an error, never both.

    ``ok`` is true when the venue accepted the cancel (``result`` is set; its ``state`` may be
    ``CANCELLED``, ``CANCEL_PENDING`` or ``CANCELLED_ON_EARLIER_ATTEMPT``); otherwise ``error``
    holds the ``VenueError`` (``InvalidRequest`` for a bad request: nothing was sent).

    Example::

        for outcome in client.cancel_many(orders):
            if not outcome.ok:
                print(outcome.index, outcome.fate, type(outcome.error).__name__, outcome.error)
    """

    #: The input, exactly as given.
    request: CancelRequest
    #: Its 0-based position in the input.
    index: int = 0
    #: The venue's accepted cancel, or ``None`` on failure.
    result: CancelResult | None = None
    #: The failure, or ``None`` on success.
    error: errors.VenueError | None = attrs.field(default=None, eq=False)
    #: How far it got (see ``OutcomeFate``).
    fate: OutcomeFate = OutcomeFate.FINISHED

    @property
    def ok(self) -> bool:
        """Whether the venue accepted the cancel (``result`` is set)."""
        return self.result is not None

    @property
    def attempts(self) -> int:
        """Attempts made for this order (``0``: refused or interrupted before sending)."""
        if self.result is not None:
            return self.result.attempts
        return self.error.attempts if self.error is not None else 0

    @property
    def may_have_reached_venue(self) -> bool:
        """Whether the cancel may have been applied without an answer saying so."""
        return self.error is not None and self.error.may_have_reached_venue


#: ``on_outcome(outcome)``: called once per order as soon as its fate is known.
OnOutcome = Callable[[CancelOutcome], object]


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


def check_concurrency(concurrency: object) -> int:
    """Return ``concurrency`` if it is an int >= 1, else raise ``InvalidRequest``.

    >>> check_concurrency(8)
    8
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise errors.InvalidRequest(
            f"concurrency must be an int >= 1, got {concurrency!r}"[:120], field="concurrency"
        )
    return concurrency


def check_batch_deadline(value: object) -> float:
    """``batch_deadline`` in seconds (``math.inf`` for ``None``), else ``InvalidRequest``.

    >>> check_batch_deadline(None)
    inf
    """
    if value is None:
        return math.inf
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise errors.InvalidRequest(
            "batch_deadline must be a number of seconds > 0 or None", field="batch_deadline"
        )
    return float(value)


def _as_error(exc: Exception) -> errors.VenueError:
    """One order's failure as a ``VenueError``; anything unexpected may have reached the venue."""
    if isinstance(exc, errors.VenueError):
        return exc
    return errors.VenueError(
        f"unexpected {type(exc).__name__} during the cancel: {str(exc)[:120]}",
        may_have_reached_venue=True,
    )


#: Why an order ``batch_deadline`` stopped was never sent.
_DEADLINE_PASSED = "batch deadline passed"


class _Book:
    """Every input's state and outcome; reports each outcome once (on the reporting thread)."""

    def __init__(
        self,
        requests: Sequence[CancelRequest],
        progress: Progress | None,
        on_outcome: OnOutcome | None,
    ) -> None:
        self.requests = requests
        self.slots: list[CancelOutcome | None] = [None] * len(requests)
        self.started = [False] * len(requests)
        self._progress = progress
        self._on_outcome = on_outcome
        self._done = 0
        self.lock = threading.Lock()

    def finish(
        self,
        index: int,
        result: CancelResult | None,
        error: Exception | None,
        fate: OutcomeFate = OutcomeFate.FINISHED,
    ) -> None:
        if self.slots[index] is not None:
            return  # already reported (e.g. as in flight when the batch was interrupted)
        outcome = CancelOutcome(
            request=self.requests[index],
            index=index,
            result=result,
            error=None if error is None else _as_error(error),
            fate=fate,
        )
        self.slots[index] = outcome
        self._done += 1
        if self._on_outcome is not None:
            self._on_outcome(outcome)
        if self._progress is not None:
            self._progress(self._done, len(self.slots))

    def not_sent(self, index: int, why: str) -> None:
        """Report ``index`` as never sent; ``why`` says what stopped it."""
        error = errors.Interrupted(f"{why}: never sent", may_have_reached_venue=False)
        self.finish(index, None, error, OutcomeFate.NOT_SENT)

    def interrupt(self, why: str) -> None:
        """Report every order not reported yet, in input order, as in flight or not sent."""
        with self.lock:
            pending = [(i, self.started[i]) for i, slot in enumerate(self.slots) if slot is None]
        for index, started in pending:
            fate = OutcomeFate.IN_FLIGHT if started else OutcomeFate.NOT_SENT
            error = errors.Interrupted(
                f"{why}: {'interrupted while in flight' if started else 'never sent'}",
                may_have_reached_venue=started,
            )
            try:
                self.finish(index, None, error, fate)
            except Exception:  # noqa: S112 - a failing callback must not hide the interruption
                continue

    def results(self) -> list[CancelOutcome]:
        return [slot for slot in self.slots if slot is not None]


def _groups(requests: Sequence[CancelRequest]) -> list[list[int]]:
    """Input positions per venue (as named; an unknown one fails on its own), in input order."""
    groups: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(str(request.venue), []).append(index)
    return list(groups.values())


def _take(
    shared: Iterator[int], lock: threading.Lock, book: _Book, late: Callable[[], bool]
) -> int | None:
    """The next position to send, marked started; ``None`` when done or past the deadline."""
    with lock:
        index = next(shared, None)
    if index is None or late():
        return index if index is None else -1 - index
    with book.lock:
        book.started[index] = True
    return index


def run_many_sync(
    requests: Sequence[CancelRequest],
    cancel: Callable[[CancelRequest], CancelResult],
    *,
    concurrency: int,
    progress: Progress | None,
    on_outcome: OnOutcome | None = None,
    batch_deadline: float = math.inf,
) -> list[CancelOutcome]:
    """Run ``cancel`` for every request on ``concurrency`` worker threads per venue.

    Outcomes are reported from the calling thread. On ``KeyboardInterrupt`` (or any exception
    raised by ``on_outcome``/``progress``) every order not yet reported is reported as in flight
    or not sent, then the exception propagates; the worker threads finish their current call.
    """
    book = _Book(requests, progress, on_outcome)
    finished: queue.SimpleQueue[tuple[int, CancelResult | None, Exception | None]]
    finished = queue.SimpleQueue()
    stop = threading.Event()
    end = time.monotonic() + batch_deadline

    def late() -> bool:
        return stop.is_set() or time.monotonic() >= end

    def worker(shared: Iterator[int], lock: threading.Lock) -> None:
        while (index := _take(shared, lock, book, late)) is not None:
            if index < 0:
                finished.put((-1 - index, None, None))  # not sent: past the deadline or stopped
                continue
            try:
                finished.put((index, cancel(requests[index]), None))
            except Exception as exc:  # every order's failure is its own outcome
                finished.put((index, None, exc))

    threads = []
    for indexes in _groups(requests):
        shared, lock = iter(indexes), threading.Lock()
        for _ in range(min(concurrency, len(indexes))):
            threads.append(threading.Thread(target=worker, args=(shared, lock), daemon=True))
    try:
        for thread in threads:
            thread.start()
        for _ in range(len(requests)):
            index, result, exc = _get(finished)
            if result is None and exc is None:
                book.not_sent(index, _DEADLINE_PASSED)
            else:
                book.finish(index, result, exc)
    except BaseException as exc:
        stop.set()
        book.interrupt(type(exc).__name__)
        raise
    for thread in threads:
        thread.join()
    return book.results()


def _get(
    finished: queue.SimpleQueue[tuple[int, CancelResult | None, Exception | None]],
) -> tuple[int, CancelResult | None, Exception | None]:
    """Wait for the next finished order, waking often so Ctrl-C is handled at once."""
    while True:
        try:
            return finished.get(timeout=0.2)
        except queue.Empty:
            continue


async def run_many_async(
    requests: Sequence[CancelRequest],
    cancel: Callable[[CancelRequest], Awaitable[CancelResult]],
    *,
    concurrency: int,
    progress: Progress | None,
    on_outcome: OnOutcome | None = None,
    batch_deadline: float = math.inf,
) -> list[CancelOutcome]:
    """Run ``cancel`` for every request in one task group: ``concurrency`` worker tasks per venue.

    On cancellation of the calling task (``asyncio.timeout``, ``anyio.move_on_after``, Ctrl-C
    under ``asyncio.run``) every order not yet reported is reported as in flight or not sent
    before the cancellation propagates.
    """
    book = _Book(requests, progress, on_outcome)
    end = anyio.current_time() + batch_deadline
    never = threading.Lock()

    def late() -> bool:
        return anyio.current_time() >= end

    crashed: list[BaseException] = []

    async def one(index: int) -> None:
        if index < 0:
            book.not_sent(-1 - index, _DEADLINE_PASSED)
            return
        try:
            result = await cancel(requests[index])
        except Exception as exc:  # every order's failure is its own outcome
            book.finish(index, None, exc)
        else:
            book.finish(index, result, None)

    async def worker(shared: Iterator[int], scope: anyio.CancelScope) -> None:
        while (index := _take(shared, never, book, late)) is not None:
            try:
                await one(index)
            except Exception as exc:  # on_outcome or progress failed: stop the batch
                crashed.append(exc)
                scope.cancel()
                return

    try:
        async with anyio.create_task_group() as group:
            for indexes in _groups(requests):
                shared = iter(indexes)
                for _ in range(min(concurrency, len(indexes))):
                    group.start_soon(worker, shared, group.cancel_scope)
        if crashed:
            raise crashed[0]
    except BaseException as exc:
        book.interrupt(type(exc).__name__)
        raise
    return book.results()
