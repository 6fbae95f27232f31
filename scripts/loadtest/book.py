"""The orders a load test cancels, what kind each is, and the sandbox's book keyed like them."""

from __future__ import annotations

import enum
import random
import time
import uuid
from collections.abc import Mapping

import attrs

import venuekit
from venuekit.sandbox import SandboxState

__all__ = [
    "DOCUMENTED_RATES",
    "BookKey",
    "Kind",
    "Mix",
    "Planned",
    "book_statuses",
    "plan_orders",
    "split",
]

#: The documented limits the split follows (requests per second; venues.md).
DOCUMENTED_RATES: Mapping[str, float] = {
    "coinbase_exchange": 15.0,
    "coinbase_intx": 40.0,
    "loopring": 5.0,
}

#: An order's place in the sandbox's book: (sandbox venue name, primary id).
BookKey = tuple[str, str]


class Kind(enum.StrEnum):
    """What an order is before the run, so what a truthful outcome for it looks like."""

    #: An open order sent as it is: it should end cancelled.
    OPEN = "open"
    #: An open Exchange order sent with another product's ``product_id``: the venue refuses
    #: ("ProductNotFound"), the order stays open; never a cancel.
    WRONG_PRODUCT = "wrong_product"
    #: An id the venue has never seen: "not found", nothing in the book.
    UNKNOWN = "unknown"
    #: An order cancelled before the run: "already done".
    ALREADY_CANCELLED = "already_cancelled"


@attrs.frozen
class Mix:
    """Shares of the orders of each venue that are not plain open orders (the rest are)."""

    wrong_product: float = 0.0  # Exchange only
    unknown: float = 0.0
    already_cancelled: float = 0.0


@attrs.frozen
class Planned:
    """One order of the run: its cancel request, its kind and its key in the book (if any)."""

    request: venuekit.CancelRequest
    kind: Kind
    venue: str  # the SDK's venue name
    key: BookKey | None  # None: unknown to the venue
    reference: str  # the id the request names, for the per-order listing


def split(orders: int) -> dict[str, int]:
    """Orders per venue, proportional to the documented rates (largest remainder)."""
    total_rate = sum(DOCUMENTED_RATES.values())
    exact = {v: orders * r / total_rate for v, r in DOCUMENTED_RATES.items()}
    counts = {v: int(x) for v, x in exact.items()}
    for venue in sorted(exact, key=lambda v: exact[v] - counts[v], reverse=True):
        if sum(counts.values()) == orders:
            break
        counts[venue] += 1
    return counts


def _kinds(count: int, mix: Mix, *, exchange: bool, rng: random.Random) -> list[Kind]:
    shares = [
        (Kind.WRONG_PRODUCT, mix.wrong_product if exchange else 0.0),
        (Kind.UNKNOWN, mix.unknown),
        (Kind.ALREADY_CANCELLED, mix.already_cancelled),
    ]
    kinds = [kind for kind, share in shares for _ in range(round(count * share))]
    kinds += [Kind.OPEN] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _other_product(product: str) -> str:
    return "ETH-USD" if product != "ETH-USD" else "BTC-USD"


def plan_orders(
    state: SandboxState,
    counts: Mapping[str, int],
    rng: random.Random,
    *,
    mix: Mix = Mix(),
    portfolio: str,
) -> list[Planned]:
    """Add the orders to ``state`` (cancelling the ``ALREADY_CANCELLED`` ones); return the plan.

    Half of each venue's orders are named by the venue's order id, half by the client id;
    the plan is shuffled across venues.
    """
    plan: list[Planned] = []
    for i, kind in enumerate(_kinds(counts["coinbase_exchange"], mix, exchange=True, rng=rng)):
        by_id = i % 2 == 0
        if kind is Kind.UNKNOWN:
            ref = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            request = (
                venuekit.CancelRequest.coinbase_exchange(order_id=ref)
                if by_id
                else venuekit.CancelRequest.coinbase_exchange(client_oid=ref)
            )
            plan.append(Planned(request, kind, "coinbase_exchange", None, ref))
            continue
        order = state.add_exchange_order()
        if kind is Kind.ALREADY_CANCELLED:
            state.cancel_exchange(profile_id=order.profile_id, order_id=order.id)
        product = _other_product(order.product_id) if kind is Kind.WRONG_PRODUCT else None
        if by_id:
            request = venuekit.CancelRequest.coinbase_exchange(
                order_id=order.id, product_id=product or order.product_id
            )
        else:
            request = venuekit.CancelRequest.coinbase_exchange(
                client_oid=order.client_oid, product_id=product
            )
        ref = order.id if by_id else order.client_oid
        plan.append(Planned(request, kind, "coinbase_exchange", ("exchange", order.id), ref))
    for i, kind in enumerate(_kinds(counts["coinbase_intx"], mix, exchange=False, rng=rng)):
        if kind is Kind.UNKNOWN:
            ref = f"unknown{rng.getrandbits(40):012x}"
            request = venuekit.CancelRequest.coinbase_intx(order_id=ref, portfolio=portfolio)
            plan.append(Planned(request, kind, "coinbase_intx", None, ref))
            continue
        intx = state.add_intx_order()
        if kind is Kind.ALREADY_CANCELLED:
            state.cancel_intx(portfolio_id=intx.portfolio_id, ref=intx.order_id, now=time.time())
        ref = intx.order_id if i % 2 == 0 else intx.client_order_id
        request = venuekit.CancelRequest.coinbase_intx(order_id=ref, portfolio=portfolio)
        plan.append(Planned(request, kind, "coinbase_intx", ("intx", intx.order_id), ref))
    for i, kind in enumerate(_kinds(counts["loopring"], mix, exchange=False, rng=rng)):
        if kind is Kind.UNKNOWN:
            ref = f"0x{rng.getrandbits(252):064x}"
            request = venuekit.CancelRequest.loopring(order_hash=ref)
            plan.append(Planned(request, kind, "loopring", None, ref))
            continue
        ring = state.add_loopring_order()
        if kind is Kind.ALREADY_CANCELLED:
            state.cancel_loopring(account_id=ring.account_id, order_hash=ring.hash)
        by_hash = i % 2 == 0
        request = (
            venuekit.CancelRequest.loopring(order_hash=ring.hash)
            if by_hash
            else venuekit.CancelRequest.loopring(client_order_id=ring.client_order_id)
        )
        ref = ring.hash if by_hash else ring.client_order_id
        plan.append(Planned(request, kind, "loopring", ("loopring", ring.hash.lower()), ref))
    rng.shuffle(plan)
    return plan


def book_statuses(state: SandboxState) -> dict[BookKey, str]:
    """The book as ``{(venue, id): "open" | "cancelled"}``."""
    book: dict[BookKey, str] = {}
    book.update({("exchange", o.id): o.status for o in state.exchange_orders()})
    book.update({("intx", o.order_id): o.status for o in state.intx_orders()})
    book.update({("loopring", o.hash.lower()): o.status for o in state.loopring_orders()})
    return book
