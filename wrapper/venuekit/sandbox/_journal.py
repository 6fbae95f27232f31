"""A sandbox order book that survives its process being killed: an append-only journal.

`JournaledState` is a `SandboxState` that appends one JSON line to a file for every order it adds
and every cancel it applies, before the call returns, so before the venue module answers: an
order the sandbox said it cancelled is cancelled in the journal. At start it replays the file:
a sandbox killed (SIGKILL) and started again on the same file has the book it had.

Each line is ``{"venue": "exchange"|"intx"|"loopring", "order": {...every field...}}``; the last
line of an order wins, except that a cancelled order never reads as open again. Each line is one
``write(2)`` on a file opened with ``O_APPEND`` (no buffer of ours, nothing to close): the kernel
keeps it when the process is killed; a machine crash may lose the last lines (no ``fsync``). A
torn last line (a kill in the middle of a write) is cut off at start.

Example:
    >>> import pathlib, tempfile, time
    >>> from venuekit.sandbox import DEFAULT_CREDENTIALS
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "book.jsonl"
    ...     book = JournaledState(DEFAULT_CREDENTIALS, path=path, orders_per_venue=1, clock=time.time)
    ...     order = book.exchange_orders()[0]
    ...     _ = book.cancel_exchange(profile_id=order.profile_id, order_id=order.id)
    ...     # the process is killed here; a new sandbox replays the journal:
    ...     JournaledState(DEFAULT_CREDENTIALS, path=path, clock=time.time).exchange_orders()
    (ExchangeOrder(id=..., status='cancelled'),)
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs

from venuekit.sandbox._credentials import SandboxCredentials
from venuekit.sandbox._ids import IntxIdForm
from venuekit.sandbox._state import (
    CancelOutcome,
    ExchangeOrder,
    IntxInstrument,
    IntxOrder,
    LoopringOrder,
    SandboxState,
)

__all__ = ["JournaledState", "read_journal"]

Order = ExchangeOrder | IntxOrder | LoopringOrder
_VenueName = Literal["exchange", "intx", "loopring"]


def _plain(_instance: object, _field: object, value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _line(venue: _VenueName, order: Order) -> bytes:
    fields = attrs.asdict(order, value_serializer=_plain)
    return (json.dumps({"venue": venue, "order": fields}, separators=(",", ":")) + "\n").encode()


def _order(venue: str, fields: dict[str, Any]) -> Order:
    if venue == "exchange":
        return ExchangeOrder(**fields)
    if venue == "loopring":
        return LoopringOrder(**fields)
    return IntxOrder(
        **{
            **fields,
            "instrument": IntxInstrument(**fields["instrument"]),
            "price": Decimal(fields["price"]),
            "size": Decimal(fields["size"]),
        }
    )


def read_journal(path: str | os.PathLike[str]) -> list[tuple[str, Order]]:
    """Every complete record of a journal, in order (``[]`` if the file does not exist).

    A last line without its newline (torn by a kill) is cut off the file.

    Example: ``records = read_journal("book.jsonl")`` (then ``venue, order = records[0]``).
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        os.truncate(path, len(complete))
    records = []
    for line in complete.splitlines():
        record = json.loads(line)
        records.append((str(record["venue"]), _order(record["venue"], record["order"])))
    return records


class JournaledState(SandboxState):
    """`SandboxState` whose every added order and applied cancel is journaled to ``path`` first.

    With an existing, non-empty journal the book is replayed from it and nothing is seeded;
    otherwise ``orders_per_venue`` orders are seeded (and journaled) as usual. After a replay
    the id generator is seeded from the seed and the journal's length, so orders added after a
    restart never reuse an id. See the module docstring for the format and what survives what.

    Example: ``JournaledState(DEFAULT_CREDENTIALS, path="book.jsonl", clock=time.time)`` (or
    ``SandboxConfig(state_file="book.jsonl")`` for a whole sandbox).
    """

    def __init__(
        self,
        credentials: SandboxCredentials,
        *,
        path: str | os.PathLike[str],
        seed: int = 0,
        orders_per_venue: int = 5,
        clock: Callable[[], float],
        intx_id_form: IntxIdForm = "recorded",
    ) -> None:
        self.path = Path(path)
        records = read_journal(self.path)
        # A fresh journal records the seeded orders as they are added (the add_* below).
        super().__init__(
            credentials,
            seed=seed,
            orders_per_venue=0 if records else orders_per_venue,
            clock=clock,
            intx_id_form=intx_id_form,
        )
        for venue, order in records:
            self._restore(venue, order)
        if records:  # Not for cryptography: fake ids, reproducible for a seed and a journal.
            self._rng = random.Random(f"venuekit-sandbox/orders/{seed}/after/{len(records)}")  # noqa: S311

    def _journal(self, venue: _VenueName, order: Order) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, _line(venue, order))
        finally:
            os.close(fd)

    def _restore(self, venue: str, order: Order) -> None:
        """Put a journaled order back in the indexes; a cancelled one never reopens."""
        with self._lock:
            if isinstance(order, ExchangeOrder):
                old: Order | None = self._exchange.get(order.id)
                if old is None or old.status == "open":
                    self._exchange[order.id] = order
                    self._exchange_by_client[(order.profile_id, order.client_oid)] = order.id
            elif isinstance(order, IntxOrder):
                old = self._intx.get(order.order_id)
                if old is None or old.status == "open":
                    self._intx[order.order_id] = order
                    self._intx_by_client[(order.portfolio_id, order.client_order_id)] = (
                        order.order_id
                    )
            else:
                key = order.hash.lower()
                old = self._loopring.get(key)
                if old is None or old.status == "open":
                    self._loopring[key] = order
                    self._loopring_by_client[(order.account_id, order.client_order_id)] = key

    # --- the journaled operations ---------------------------------------------------------

    def add_exchange_order(self, **fields: Any) -> ExchangeOrder:
        """`SandboxState.add_exchange_order`, journaled."""
        order = super().add_exchange_order(**fields)
        self._journal("exchange", order)
        return order

    def add_intx_order(self, **fields: Any) -> IntxOrder:
        """`SandboxState.add_intx_order`, journaled."""
        order = super().add_intx_order(**fields)
        self._journal("intx", order)
        return order

    def add_loopring_order(self, **fields: Any) -> LoopringOrder:
        """`SandboxState.add_loopring_order`, journaled."""
        order = super().add_loopring_order(**fields)
        self._journal("loopring", order)
        return order

    def cancel_exchange(self, **arguments: Any) -> tuple[CancelOutcome, ExchangeOrder | None]:
        """`SandboxState.cancel_exchange`; an applied cancel is journaled before returning."""
        outcome, order = super().cancel_exchange(**arguments)
        if outcome is CancelOutcome.CANCELLED and order is not None:
            self._journal("exchange", order)
        return outcome, order

    def cancel_intx(self, **arguments: Any) -> tuple[CancelOutcome, IntxOrder | None]:
        """`SandboxState.cancel_intx`; an applied cancel is journaled before returning."""
        outcome, order = super().cancel_intx(**arguments)
        if outcome is CancelOutcome.CANCELLED and order is not None:
            self._journal("intx", order)
        return outcome, order

    def cancel_loopring(self, **arguments: Any) -> tuple[CancelOutcome, LoopringOrder | None]:
        """`SandboxState.cancel_loopring`; an applied cancel is journaled before returning."""
        outcome, order = super().cancel_loopring(**arguments)
        if outcome is CancelOutcome.CANCELLED and order is not None:
            self._journal("loopring", order)
        return outcome, order
