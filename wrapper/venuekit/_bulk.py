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

``concurrency`` caps the cancels in flight *per venue*, so a slow venue (Loopring, 5/s) never
holds every slot while a fast one (INTX, 40/s) waits.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

import anyio
import attrs

from venuekit import errors
from venuekit._adapters import PreparedCancel
from venuekit._adapters import coinbase_exchange as _exchange
from venuekit._adapters import coinbase_intx as _intx
from venuekit._adapters import loopring as _loopring
from venuekit._models import CancelResult, Venue

__all__ = [
    "FIELDS",
    "CancelOutcome",
    "CancelRequest",
    "Progress",
    "check_concurrency",
    "prepare",
    "run_many_async",
    "run_many_sync",
]

#: ``progress(done, total)``: called once after each order's outcome is known.
Progress = Callable[[int, int], object]

#: The cancel arguments each venue takes (``CancelRequest`` field names).
FIELDS: Mapping[Venue, tuple[str, ...]] = {
    Venue.COINBASE_EXCHANGE: ("order_id", "client_oid", "product_id", "profile_id"),
    Venue.COINBASE_INTX: ("order_id", "client_order_id", "portfolio"),
    Venue.LOOPRING: ("order_hash", "client_order_id", "account_id"),
}
_ALL_FIELDS = (
    "order_id",
    "client_oid",
    "product_id",
    "profile_id",
    "portfolio",
    "order_hash",
    "client_order_id",
    "account_id",
)


def _to_venue(value: object) -> Venue | str:
    """A ``Venue`` when ``value`` names one (any case), else the text as given."""
    if isinstance(value, Venue):
        return value
    text = str(value)
    try:
        return Venue(text.strip().lower().replace("-", "_"))
    except ValueError:
        return text


def _to_account(value: object) -> int | str | None:
    """Decimal text becomes an ``int``; anything else is kept for the check to reject."""
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return value  # type: ignore[return-value]  # checked (and refused) by the adapter


@attrs.frozen(kw_only=True)
class CancelRequest:
    """One order to cancel in ``cancel_many``: the venue and that venue's cancel arguments.

    Build it with the per-venue constructors, which take exactly the arguments of the matching
    ``cancel_order``. Nothing is checked here: a bad request becomes its own failed outcome in
    ``cancel_many`` (``InvalidRequest`` naming the field), never an exception for the batch.
    INTX takes an exchange or a client order id as ``order_id``; ``client_order_id`` is accepted
    for it as a synonym.

    Example::

        orders = [
            venuekit.CancelRequest.coinbase_exchange(order_id=oid, product_id="BTC-USD"),
            venuekit.CancelRequest.coinbase_intx(order_id="43877033468085760", portfolio=pid),
            venuekit.CancelRequest.loopring(order_hash="0x05a9..."),
        ]
        outcomes = client.cancel_many(orders)
    """

    #: The venue (a ``Venue``; text naming no venue is kept and reported as invalid).
    venue: Venue | str = attrs.field(converter=_to_venue)
    order_id: str | None = None
    client_oid: str | None = None
    product_id: str | None = None
    profile_id: str | None = None
    portfolio: str | None = None
    order_hash: str | None = None
    client_order_id: str | None = None
    account_id: int | str | None = attrs.field(default=None, converter=_to_account)

    @classmethod
    def coinbase_exchange(
        cls,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
    ) -> CancelRequest:
        """A Coinbase Exchange cancel: ``order_id`` or ``client_oid`` (exactly one).

        Example: ``CancelRequest.coinbase_exchange(client_oid="8fd1...", product_id="BTC-USD")``
        """
        return cls(
            venue=Venue.COINBASE_EXCHANGE,
            order_id=order_id,
            client_oid=client_oid,
            product_id=product_id,
            profile_id=profile_id,
        )

    @classmethod
    def coinbase_intx(cls, *, order_id: str, portfolio: str) -> CancelRequest:
        """A Coinbase INTX cancel: exchange or client ``order_id`` in ``portfolio``.

        Example: ``CancelRequest.coinbase_intx(order_id="43877033468085760", portfolio="p-1")``
        """
        return cls(venue=Venue.COINBASE_INTX, order_id=order_id, portfolio=portfolio)

    @classmethod
    def loopring(
        cls,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
    ) -> CancelRequest:
        """A Loopring cancel: ``order_hash`` or ``client_order_id``; account defaults to the key's.

        Example: ``CancelRequest.loopring(client_order_id="my-order-7")``
        """
        return cls(
            venue=Venue.LOOPRING,
            order_hash=order_hash,
            client_order_id=client_order_id,
            account_id=account_id,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> CancelRequest:
        """Build a request from a CSV row or JSON object: ``venue`` plus the venue's fields.

        Keys are field names (``-`` may stand for ``_``); empty values count as absent; JSON
        integers in id fields become their exact text. Raises ``InvalidRequest`` naming the key
        for an unknown key or a missing ``venue``.

            >>> CancelRequest.from_mapping({"venue": "loopring", "order_hash": "0x1", "account_id": "7"})
            CancelRequest(venue=<Venue.LOOPRING: 'loopring'>, order_id=None, client_oid=None, product_id=None, profile_id=None, portfolio=None, order_hash='0x1', client_order_id=None, account_id=7)
        """
        values: dict[str, Any] = {}
        for raw_key, value in data.items():
            key = str(raw_key).strip().lower().replace("-", "_")
            if key != "venue" and key not in _ALL_FIELDS:
                raise errors.InvalidRequest(
                    f"unknown field {raw_key!r}; use venue, {', '.join(_ALL_FIELDS)}",
                    field=str(raw_key),
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key not in {"venue", "account_id"} and isinstance(value, int):
                value = str(value) if not isinstance(value, bool) else value
            values[key] = value
        if "venue" not in values:
            raise errors.InvalidRequest("venue is required", field="venue")
        return cls(**values)

    def arguments(self) -> dict[str, object]:
        """The cancel arguments that are set, by field name (``venue`` excluded).

        >>> CancelRequest.coinbase_intx(order_id="1", portfolio="p").arguments()
        {'order_id': '1', 'portfolio': 'p'}
        """
        return {
            name: getattr(self, name) for name in _ALL_FIELDS if getattr(self, name) is not None
        }

    def to_dict(self) -> dict[str, object]:
        """``venue`` (its value) and the arguments that are set, e.g. for JSON output.

        >>> CancelRequest.loopring(order_hash="0x1").to_dict()
        {'venue': 'loopring', 'order_hash': '0x1'}
        """
        return {"venue": str(self.venue), **self.arguments()}


def _check_fields(request: CancelRequest) -> Venue:
    """The request's venue, or ``InvalidRequest`` for an unknown venue or a foreign field."""
    venue = request.venue
    if not isinstance(venue, Venue):
        known = ", ".join(v.value for v in Venue)
        raise errors.InvalidRequest(f"unknown venue {venue!r}; use one of {known}", field="venue")
    allowed = FIELDS[venue]
    for name in request.arguments():
        if name not in allowed:
            raise errors.InvalidRequest(
                f"{venue.value} does not take {name}; it takes {', '.join(allowed)}",
                field=name,
                venue=venue,
            )
    return venue


def prepare(
    request: CancelRequest,
    *,
    default_account_id: int | None,
    require: Callable[[Venue], object] = lambda venue: None,
) -> PreparedCancel:
    """Check ``request`` and build its venue request; ``InvalidRequest`` before any I/O.

    ``require(venue)`` runs first, once the venue is known (the client raises
    ``VenueNotConfigured`` there), so an unconfigured venue is reported as such.

    >>> prepare(CancelRequest.loopring(order_hash="0xab"), default_account_id=7).params
    (('accountId', '7'), ('orderHash', '0xab'))
    """
    venue = _check_fields(request)
    require(venue)
    if venue is Venue.COINBASE_EXCHANGE:
        return _exchange.prepare_cancel(
            order_id=request.order_id,
            client_oid=request.client_oid,
            product_id=request.product_id,
            profile_id=request.profile_id,
        )
    if venue is Venue.COINBASE_INTX:
        if request.order_id is not None and request.client_order_id is not None:
            raise errors.InvalidRequest(
                "pass order_id or client_order_id (INTX takes either as the id), not both",
                field="client_order_id",
                venue=venue,
            )
        order_id = request.order_id if request.order_id is not None else request.client_order_id
        if order_id is None:
            raise errors.InvalidRequest("order_id is required", field="order_id", venue=venue)
        if request.portfolio is None:
            raise errors.InvalidRequest("portfolio is required", field="portfolio", venue=venue)
        return _intx.prepare_cancel(order_id=order_id, portfolio=request.portfolio)
    account = request.account_id
    return _loopring.prepare_cancel(
        order_hash=request.order_hash,
        client_order_id=request.client_order_id,
        account_id=account,  # type: ignore[arg-type]  # text is refused inside, naming the field
        default_account_id=default_account_id,
    )


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
    """Return ``concurrency`` if it is an int >= 1, else raise ``ValueError``."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    return concurrency


def _group(request: CancelRequest) -> str:
    """The scheduling group: the venue's value, or ``""`` for a request naming no venue."""
    return request.venue.value if isinstance(request.venue, Venue) else ""


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
