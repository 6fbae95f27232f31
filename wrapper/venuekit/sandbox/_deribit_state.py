"""Deribit order book of the sandbox: instruments, orders per account, single and mass cancels.

Orders belong to an account (``user_id``: the main account of the Deribit key, or the
subaccount of the CDP keys). Every mutation happens under one `threading.Lock` with no
``await`` inside, so each order is cancelled exactly once however requests interleave.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Literal

import attrs

from venuekit.sandbox._credentials import SandboxCredentials
from venuekit.sandbox._state import CancelOutcome

__all__ = [
    "DERIBIT_INSTRUMENTS",
    "DeribitBook",
    "DeribitInstrument",
    "DeribitOrder",
    "OrderFilter",
    "OrderState",
    "OrderType",
    "instrument",
]

OrderState = Literal["open", "filled", "rejected", "cancelled", "untriggered", "triggered"]
OrderType = Literal["limit", "market", "stop_limit", "stop_market"]
_CANCELLABLE: frozenset[str] = frozenset({"open", "untriggered"})


@attrs.frozen
class DeribitInstrument:
    """An instrument: name, settlement currency (keys ``cancel_all_by_currency``), kind, prices."""

    name: str
    currency: Literal["BTC", "ETH", "USDC"]
    kind: Literal["future", "option"]
    low: Decimal
    high: Decimal
    tick: Decimal
    min_amount: Decimal


#: The instruments of the sandbox's orders (real names; the option's expiry is fictional).
DERIBIT_INSTRUMENTS: tuple[DeribitInstrument, ...] = (
    DeribitInstrument(
        "BTC-PERPETUAL",
        "BTC",
        "future",
        Decimal(30000),
        Decimal(70000),
        Decimal("0.5"),
        Decimal(10),
    ),
    DeribitInstrument(
        "ETH-PERPETUAL", "ETH", "future", Decimal(1500), Decimal(4000), Decimal("0.05"), Decimal(1)
    ),
    DeribitInstrument(
        "BTC_USDC-PERPETUAL",
        "USDC",
        "future",
        Decimal(30000),
        Decimal(70000),
        Decimal(1),
        Decimal("0.001"),
    ),
    DeribitInstrument(
        "ETH_USDC-PERPETUAL",
        "USDC",
        "future",
        Decimal(1500),
        Decimal(4000),
        Decimal("0.1"),
        Decimal("0.01"),
    ),
    DeribitInstrument(
        "BTC-26MAR27-100000-C",
        "BTC",
        "option",
        Decimal("0.001"),
        Decimal("0.2"),
        Decimal("0.0005"),
        Decimal("0.1"),
    ),
)
_BY_NAME = {instrument.name: instrument for instrument in DERIBIT_INSTRUMENTS}
_LABELS = ("", "sbx-grid", "sbx-grid", "sbx-hedge")  # a label is shared by several orders


@attrs.frozen
class DeribitOrder:
    """A Deribit order as the sandbox keeps it; `venuekit.sandbox._deribit` renders it as JSON.

    ``price`` is a `Decimal`, or ``"market_price"`` for a stop-market order. Timestamps are
    milliseconds since the epoch.
    """

    order_id: str
    user_id: int
    instrument: DeribitInstrument
    direction: Literal["buy", "sell"]
    order_type: OrderType
    price: Decimal | Literal["market_price"]
    amount: Decimal
    label: str
    creation_timestamp: int
    last_update_timestamp: int
    order_state: OrderState = "open"
    filled_amount: Decimal = Decimal(0)
    time_in_force: str = "good_til_cancelled"
    post_only: bool = False
    trigger_price: Decimal | None = None
    cancel_reason: str | None = None


#: Picks the orders of a mass cancel.
OrderFilter = Callable[[DeribitOrder], bool]


def _on_tick(value: float, tick: Decimal) -> Decimal:
    on_tick = (Decimal(str(value)) / tick).to_integral_value() * tick
    return Decimal(format(on_tick.normalize(), "f"))  # 69818.0 -> 69818, never 6.9818E+4


class DeribitBook:
    """The Deribit orders of every sandbox account, seeded from ``seed``.

    Example:
        >>> from venuekit.sandbox import DEFAULT_CREDENTIALS
        >>> book = DeribitBook(DEFAULT_CREDENTIALS, seed=0, orders_per_account=0, clock=lambda: 1e9)
        >>> book.add_order(order_id="ETH-349249", instrument_name="ETH-PERPETUAL").order_id
        'ETH-349249'
        >>> book.cancel(user_id=DEFAULT_CREDENTIALS.deribit.user_id, order_id="ETH-349249")[0]
        <CancelOutcome.CANCELLED: 'cancelled'>
    """

    def __init__(
        self,
        credentials: SandboxCredentials,
        *,
        seed: int = 0,
        orders_per_account: int = 5,
        clock: Callable[[], float],
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        # Not for cryptography: fake ids and prices that a seed reproduces.
        self._rng = random.Random(f"venuekit-sandbox/deribit-orders/{seed}")  # noqa: S311
        self._lock = threading.Lock()
        self._orders: dict[str, DeribitOrder] = {}
        self._next_number = {"BTC": 4_008_716_877, "ETH": 349_249, "USDC": 123_456}
        for user_id in (credentials.deribit.user_id, credentials.cdp.user_id):
            for _ in range(orders_per_account):
                self.add_order(user_id=user_id)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def add_order(
        self,
        *,
        user_id: int | None = None,
        instrument_name: str | None = None,
        order_id: str | None = None,
        label: str | None = None,
        direction: Literal["buy", "sell"] | None = None,
        order_type: OrderType | None = None,
        price: Decimal | str | None = None,
        amount: Decimal | str | None = None,
        order_state: OrderState | None = None,
    ) -> DeribitOrder:
        """Add an order; unset fields are generated (account: the main account).

        Order ids follow Deribit's forms: digits for BTC-settled instruments (``"4008716877"``),
        ``"ETH-349249"`` and ``"USDC-123456"`` for the others. A ``stop_market`` order has the
        price ``"market_price"`` and starts ``untriggered``.

        Raises:
            ValueError: unknown instrument, or the order id is already used.
        """
        with self._lock:
            rng = self._rng
            if instrument_name is None:
                instrument = rng.choice(DERIBIT_INSTRUMENTS)
            elif instrument_name in _BY_NAME:
                instrument = _BY_NAME[instrument_name]
            else:
                known = ", ".join(_BY_NAME)
                raise ValueError(f"unknown Deribit instrument {instrument_name!r}; known: {known}")
            kinds: tuple[OrderType, ...] = ("limit", "limit", "limit", "stop_market")
            kind = rng.choice(kinds) if order_type is None else order_type
            sides: tuple[Literal["buy", "sell"], ...] = ("buy", "sell")
            if order_id is None:
                number = self._next_number[instrument.currency]
                self._next_number[instrument.currency] = number + rng.randrange(1, 40)
                prefix = "" if instrument.currency == "BTC" else f"{instrument.currency}-"
                order_id = f"{prefix}{number}"
            if order_id in self._orders:
                raise ValueError(f"Deribit order id {order_id!r} already exists")
            level = _on_tick(
                rng.uniform(float(instrument.low), float(instrument.high)), instrument.tick
            )
            steps = rng.randrange(1, 50)
            created = self._now_ms() - rng.randrange(60_000, 3_600_000)
            resolved_price: Decimal | Literal["market_price"]
            if price == "market_price" or (price is None and kind == "stop_market"):
                resolved_price = "market_price"
            else:
                resolved_price = Decimal(price) if price is not None else level
            stop = kind in ("stop_limit", "stop_market")
            order = DeribitOrder(
                order_id=order_id,
                user_id=self._credentials.deribit.user_id if user_id is None else user_id,
                instrument=instrument,
                direction=rng.choice(sides) if direction is None else direction,
                order_type=kind,
                price=resolved_price,
                amount=Decimal(amount) if amount is not None else instrument.min_amount * steps,
                label=rng.choice(_LABELS) if label is None else label,
                creation_timestamp=created,
                last_update_timestamp=created,
                order_state=order_state or ("untriggered" if stop else "open"),
                trigger_price=level if stop else None,
            )
            self._orders[order.order_id] = order
            return order

    def orders(self, *, user_id: int | None = None) -> tuple[DeribitOrder, ...]:
        """Return every order (of one account when ``user_id`` is given), oldest first."""
        with self._lock:
            return tuple(o for o in self._orders.values() if user_id in (None, o.user_id))

    def get(self, order_id: str) -> DeribitOrder | None:
        """Return the order with this id, whatever its account, or None."""
        with self._lock:
            return self._orders.get(order_id)

    def _cancelled(self, order: DeribitOrder, now_ms: int) -> DeribitOrder:
        cancelled = attrs.evolve(
            order,
            order_state="cancelled",
            last_update_timestamp=max(now_ms, order.last_update_timestamp),
            cancel_reason="user_request",
        )
        self._orders[order.order_id] = cancelled
        return cancelled

    def cancel(self, *, user_id: int, order_id: str) -> tuple[CancelOutcome, DeribitOrder | None]:
        """Cancel one order of the account: open/untriggered ones only (else ALREADY_DONE)."""
        now_ms = self._now_ms()
        with self._lock:
            order = self._orders.get(order_id)
            if order is None or order.user_id != user_id:
                return CancelOutcome.NOT_FOUND, None
            if order.order_state not in _CANCELLABLE:
                return CancelOutcome.ALREADY_DONE, order
            return CancelOutcome.CANCELLED, self._cancelled(order, now_ms)

    def cancel_matching(self, *, user_id: int, keep: OrderFilter) -> list[DeribitOrder]:
        """Cancel every open or untriggered order of the account that ``keep`` selects.

        Returns the cancelled orders (a label may match several: Deribit's label is not unique).
        """
        now_ms = self._now_ms()
        with self._lock:
            chosen = [
                o
                for o in self._orders.values()
                if o.user_id == user_id and o.order_state in _CANCELLABLE and keep(o)
            ]
            return [self._cancelled(order, now_ms) for order in chosen]


def instrument(name: str) -> DeribitInstrument | None:
    """Return the sandbox instrument called ``name``, or None."""
    return _BY_NAME.get(name)
