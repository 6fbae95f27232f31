"""Order book of the sandbox: seeded orders per venue and account, and their cancellation.

All mutation happens under one `threading.Lock` with no ``await`` inside, so concurrent async
requests on one event loop and requests from several threads (the sync transport) see each
cancel applied exactly once.
"""

from __future__ import annotations

import enum
import random
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from venuekit.sandbox._credentials import SandboxCredentials
from venuekit.sandbox._ids import _ORDER_UUIDS, IntxIdForm, _given, _intx_order_id, _uuid4

if TYPE_CHECKING:
    from venuekit.sandbox._deribit_state import DeribitBook

__all__ = [
    "INTX_INSTRUMENTS",
    "CancelOutcome",
    "ExchangeOrder",
    "IntxInstrument",
    "IntxOrder",
    "LoopringOrder",
    "OrderStatus",
    "SandboxState",
]

#: ``open`` until the first successful cancel, ``cancelled`` after it.
OrderStatus = Literal["open", "cancelled"]


class CancelOutcome(enum.Enum):
    """What a cancel did to the book."""

    CANCELLED = "cancelled"
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"
    WRONG_PRODUCT = "wrong_product"  # Exchange: the order exists, the product_id is not its own


@attrs.frozen
class ExchangeOrder:
    """A Coinbase Exchange order: exchange id (UUID), client_oid, profile and product."""

    id: str
    client_oid: str
    profile_id: str
    product_id: str
    side: Literal["buy", "sell"]
    price: str
    size: str
    status: OrderStatus = "open"


@attrs.frozen
class IntxInstrument:
    """An INTX instrument: id (the venue's ``xxxxxxxx-0-0`` form), UUID and symbol."""

    instrument_id: str
    instrument_uuid: str
    symbol: str


#: The instruments the sandbox's INTX orders trade (fake ids in the recorded answers' shapes).
INTX_INSTRUMENTS: tuple[IntxInstrument, ...] = (
    IntxInstrument("sbxb0001-0-0", "5a4db0c0-0000-4000-8000-00000000b001", "BTC-PERP"),
    IntxInstrument("sbxb0002-0-0", "5a4db0c0-0000-4000-8000-00000000b002", "ETH-PERP"),
    IntxInstrument("sbxb0003-0-0", "5a4db0c0-0000-4000-8000-00000000b003", "SOL-PERP"),
)


@attrs.frozen
class IntxOrder:
    """A Coinbase INTX order, with what `OrderResult_v1` reports about it.

    Ids are strings: the venue's ``2v2ckc1g-1-0`` form, or 17 digits (the docs' example).
    """

    order_id: str
    order_uuid: str
    client_order_id: str
    portfolio_id: str
    portfolio_uuid: str
    instrument: IntxInstrument
    side: Literal["BUY", "SELL"]
    price: Decimal
    size: Decimal
    submit_time: float
    status: OrderStatus = "open"
    cancel_time: float | None = None


@attrs.frozen
class LoopringOrder:
    """A Loopring order: order hash, clientOrderId and account."""

    hash: str
    client_order_id: str
    account_id: int
    status: OrderStatus = "open"


_EXCHANGE_PRODUCTS = (("BTC-USD", 30000, 70000), ("ETH-USD", 1500, 4000), ("SOL-USD", 20, 250))
_INTX_PRICES = {"BTC-PERP": (30000, 70000), "ETH-PERP": (1500, 4000), "SOL-PERP": (20, 250)}


class SandboxState:
    """The sandbox's orders for every venue; seeded deterministically from ``seed``.

    Deribit's orders live in ``state.deribit`` (`venuekit.sandbox._deribit_state.DeribitBook`).

    Orders are indexed by id and by (account, client id), so adding and cancelling stay cheap
    with many orders (load tests).

    Args:
        credentials: the accounts whose orders are seeded (and the defaults of the ``add_*``
            methods).
        seed: seeds the id and price generator: the same seed gives the same orders.
        orders_per_venue: orders seeded for each venue's account.
        clock: seconds since the epoch, for INTX submit and cancel times.
        intx_id_form: how generated INTX order ids look (`IntxIdForm`); any form can be added.

    Example:
        >>> from venuekit.sandbox import DEFAULT_CREDENTIALS
        >>> state = SandboxState(DEFAULT_CREDENTIALS, seed=1, orders_per_venue=2, clock=lambda: 1e9)
        >>> state.add_exchange_order(client_oid="my-oid").client_oid
        'my-oid'
        >>> len(state.exchange_orders())
        3
    """

    def __init__(
        self,
        credentials: SandboxCredentials,
        *,
        seed: int = 0,
        orders_per_venue: int = 5,
        clock: Callable[[], float],
        intx_id_form: IntxIdForm = "recorded",
    ) -> None:
        self._credentials = credentials
        self._intx_id_form: IntxIdForm = intx_id_form
        self._clock = clock
        # Not for cryptography: fake ids and prices that a seed reproduces.
        self._rng = random.Random(f"venuekit-sandbox/orders/{seed}")  # noqa: S311
        self._lock = threading.Lock()
        self._exchange: dict[str, ExchangeOrder] = {}
        self._exchange_by_client: dict[tuple[str, str], str] = {}  # (profile, client_oid) -> id
        self._intx: dict[str, IntxOrder] = {}
        self._intx_by_client: dict[tuple[str, str], str] = {}  # (portfolio, client id) -> id
        self._loopring: dict[str, LoopringOrder] = {}  # lower-case hash -> order
        self._loopring_by_client: dict[tuple[int, str], str] = {}  # (account, client id) -> key
        for _ in range(orders_per_venue):
            self.add_exchange_order()
        for _ in range(orders_per_venue):
            self.add_intx_order()
        for _ in range(orders_per_venue):
            self.add_loopring_order()
        from venuekit.sandbox._deribit_state import DeribitBook  # it imports CancelOutcome

        #: The Deribit orders (main account and CDP subaccount): ``state.deribit.add_order()``.
        self.deribit: DeribitBook = DeribitBook(
            credentials, seed=seed, orders_per_account=orders_per_venue, clock=clock
        )

    # --- adding and listing -----------------------------------------------------------------

    def add_exchange_order(
        self,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        profile_id: str | None = None,
        product_id: str | None = None,
        side: Literal["buy", "sell"] | None = None,
        price: str | None = None,
        size: str | None = None,
    ) -> ExchangeOrder:
        """Add an open Exchange order; unset fields are generated (profile: the sandbox's).

        Raises:
            ValueError: the order id, or the client_oid within the profile, is already used.
        """
        with self._lock:
            rng = self._rng
            product, low, high = rng.choice(_EXCHANGE_PRODUCTS)
            order = ExchangeOrder(
                id=_given(order_id, lambda: _uuid4(rng)),
                client_oid=_given(client_oid, lambda: _uuid4(rng)),
                profile_id=_given(profile_id, lambda: self._credentials.exchange.profile_id),
                product_id=_given(product_id, lambda: product),
                side=_given(side, lambda: rng.choice(("buy", "sell"))),
                price=_given(price, lambda: f"{rng.uniform(low, high):.2f}"),
                size=_given(size, lambda: f"{rng.uniform(0.001, 2.0):.4f}"),
            )
            client_key = (order.profile_id, order.client_oid)
            if order.id in self._exchange:
                raise ValueError(f"exchange order id {order.id!r} already exists")
            if client_key in self._exchange_by_client:
                raise ValueError(f"client_oid {order.client_oid!r} already used in this profile")
            self._exchange[order.id] = order
            self._exchange_by_client[client_key] = order.id
            return order

    def add_intx_order(
        self,
        *,
        order_id: str | int | None = None,
        order_uuid: str | None = None,
        client_order_id: str | None = None,
        portfolio_id: str | int | None = None,
        portfolio_uuid: str | None = None,
        symbol: str | None = None,
        side: Literal["BUY", "SELL"] | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> IntxOrder:
        """Add an open INTX order; unset fields are generated (portfolio: the sandbox's).

        ``order_id`` may take any form the venue uses (``2v2ckc1g-1-0``, 17 digits); an int is
        stored as its decimal string.

        Raises:
            ValueError: unknown symbol, or the order id / client order id is already used.
        """
        with self._lock:
            rng = self._rng
            account = self._credentials.intx
            if symbol is None:
                instrument = rng.choice(INTX_INSTRUMENTS)
            else:
                found = [i for i in INTX_INSTRUMENTS if i.symbol == symbol]
                if not found:
                    known = ", ".join(i.symbol for i in INTX_INSTRUMENTS)
                    raise ValueError(f"unknown INTX symbol {symbol!r}; the sandbox lists {known}")
                instrument = found[0]
            low, high = _INTX_PRICES[instrument.symbol]
            new_id = str(_given(order_id, lambda: _intx_order_id(rng, self._intx_id_form)))
            order = IntxOrder(
                order_id=new_id,
                # Derived, not drawn: the seed's sequence of orders stays what it was.
                order_uuid=_given(order_uuid, lambda: str(uuid.uuid5(_ORDER_UUIDS, new_id))),
                client_order_id=_given(client_order_id, lambda: f"sbx{rng.getrandbits(48):012x}"),
                portfolio_id=str(_given(portfolio_id, lambda: account.portfolio_id)),
                portfolio_uuid=_given(portfolio_uuid, lambda: account.portfolio_uuid),
                instrument=instrument,
                side=_given(side, lambda: rng.choice(("BUY", "SELL"))),
                price=Decimal(price if price is not None else f"{rng.uniform(low, high):.2f}"),
                size=Decimal(size if size is not None else f"{rng.uniform(0.001, 2.0):.4f}"),
                submit_time=round(self._clock() - rng.uniform(60, 3600), 3),
            )
            client_key = (order.portfolio_id, order.client_order_id)
            if order.order_id in self._intx:
                raise ValueError(f"INTX order id {order.order_id!r} already exists")
            if client_key in self._intx_by_client:
                raise ValueError(
                    f"client order id {order.client_order_id!r} already used in this portfolio"
                )
            self._intx[order.order_id] = order
            self._intx_by_client[client_key] = order.order_id
            return order

    def add_loopring_order(
        self,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
    ) -> LoopringOrder:
        """Add an open Loopring order; unset fields are generated (account: the sandbox's).

        Raises:
            ValueError: the order hash, or the clientOrderId within the account, is already used.
        """
        with self._lock:
            rng = self._rng
            order = LoopringOrder(
                hash=_given(order_hash, lambda: f"0x{rng.getrandbits(252):064x}"),
                client_order_id=_given(client_order_id, lambda: f"{rng.getrandbits(60):018d}"),
                account_id=_given(account_id, lambda: self._credentials.loopring.account_id),
            )
            key = order.hash.lower()
            client_key = (order.account_id, order.client_order_id)
            if key in self._loopring:
                raise ValueError(f"Loopring order hash {order.hash!r} already exists")
            if client_key in self._loopring_by_client:
                raise ValueError(
                    f"clientOrderId {order.client_order_id!r} already used in this account"
                )
            self._loopring[key] = order
            self._loopring_by_client[client_key] = key
            return order

    def exchange_orders(self) -> tuple[ExchangeOrder, ...]:
        """Return every Exchange order (open and cancelled), oldest first."""
        with self._lock:
            return tuple(self._exchange.values())

    def intx_orders(self) -> tuple[IntxOrder, ...]:
        """Return every INTX order (open and cancelled), oldest first."""
        with self._lock:
            return tuple(self._intx.values())

    def loopring_orders(self) -> tuple[LoopringOrder, ...]:
        """Return every Loopring order (open and cancelled), oldest first."""
        with self._lock:
            return tuple(self._loopring.values())

    # --- cancelling ---------------------------------------------------------------------------

    def cancel_exchange(
        self,
        *,
        profile_id: str,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
    ) -> tuple[CancelOutcome, ExchangeOrder | None]:
        """Cancel an Exchange order of ``profile_id`` by id or client_oid (and product, if given)."""
        with self._lock:
            if order_id is None and client_oid is not None:
                order_id = self._exchange_by_client.get((profile_id, client_oid))
            order = self._exchange.get(order_id) if order_id is not None else None
            if order is None or order.profile_id != profile_id:
                return CancelOutcome.NOT_FOUND, None
            if product_id is not None and order.product_id != product_id:
                return CancelOutcome.WRONG_PRODUCT, None
            if order.status != "open":
                return CancelOutcome.ALREADY_DONE, order
            order = attrs.evolve(order, status="cancelled")
            self._exchange[order.id] = order
            return CancelOutcome.CANCELLED, order

    def cancel_intx(
        self, *, portfolio_id: str, ref: str, now: float
    ) -> tuple[CancelOutcome, IntxOrder | None]:
        """Cancel an INTX order of the portfolio by exchange order id, else client order id."""
        with self._lock:
            order = self._intx.get(ref)
            if order is None or order.portfolio_id != portfolio_id:
                order_id = self._intx_by_client.get((portfolio_id, ref))
                order = self._intx.get(order_id) if order_id is not None else None
            if order is None:
                return CancelOutcome.NOT_FOUND, None
            if order.status != "open":
                return CancelOutcome.ALREADY_DONE, order
            order = attrs.evolve(order, status="cancelled", cancel_time=now)
            self._intx[order.order_id] = order
            return CancelOutcome.CANCELLED, order

    def cancel_loopring(
        self, *, account_id: int, order_hash: str | None = None, client_order_id: str | None = None
    ) -> tuple[CancelOutcome, LoopringOrder | None]:
        """Cancel a Loopring order of the account by orderHash (preferred) or clientOrderId."""
        with self._lock:
            if order_hash is not None:
                key: str | None = order_hash.lower()
            elif client_order_id is not None:
                key = self._loopring_by_client.get((account_id, client_order_id))
            else:
                key = None
            order = self._loopring.get(key) if key is not None else None
            if order is None or order.account_id != account_id:
                return CancelOutcome.NOT_FOUND, None
            if order.status != "open":
                return CancelOutcome.ALREADY_DONE, order
            order = attrs.evolve(order, status="cancelled")
            self._loopring[order.hash.lower()] = order
            return CancelOutcome.CANCELLED, order
