"""Coinbase INTX sandbox: ``DELETE /api/v1/orders/{id}?portfolio=...``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from venuekit.sandbox._coinbase_auth import authenticate
from venuekit.sandbox._config import IntxAnswers
from venuekit.sandbox._credentials import IntxAccount
from venuekit.sandbox._http import Request, Response
from venuekit.sandbox._ratelimit import TokenBuckets
from venuekit.sandbox._state import CancelOutcome, IntxOrder, SandboxState

__all__ = ["IntxVenue", "order_result"]

#: Current INTX docs allow 5 s of clock skew (venues.md).
_CLOCK_WINDOW = 5.0

_GTC_LIFETIME = 30 * 24 * 3600.0  # docs: "A Good Till Cancel (GTC) can last up to 30 days"


def _titled(status: int, title: str) -> Response:
    return Response.json(status, {"title": title, "status": status})


def _iso(timestamp: float) -> str:
    stamp = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _number(value: str) -> int | str:
    """An id as the docs' example writes it: a JSON number when it is all digits."""
    return int(value) if value.isascii() and value.isdigit() else value


def order_result(order: IntxOrder, *, answers: IntxAnswers = "recorded") -> dict[str, object]:
    """Render an order as the venue's cancel answer.

    ``recorded`` (default): key for key like the answers recorded from the real venue
    (nautilus_trader's INTX test data ``http_delete_orders.json``, 2025): every id, price and
    size a JSON string, ``order_uuid`` included, no times. ``docs``: like the docs' example of
    ``OrderResult_v1`` (seed 003), with JSON numbers where the example has numbers (all-digit
    ids exact, prices written from `Decimal`).

    Example:
        >>> from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxState
        >>> state = SandboxState(DEFAULT_CREDENTIALS, orders_per_venue=0, clock=lambda: 1e9)
        >>> order = state.add_intx_order(order_id="2v2ckc1g-1-0", price="3000", size="0.01")
        >>> result = order_result(order)
        >>> result["order_id"], result["price"], result["size"], result["event_type"]
        ('2v2ckc1g-1-0', '3000', '0.01', 'NEW')
    """
    cancelled = order.status == "cancelled"
    event_type = "CANCELED" if cancelled else "NEW"
    order_status = "DONE" if cancelled else "WORKING"
    text = "client cancel" if cancelled else ""
    if answers == "recorded":
        return {
            "order_id": order.order_id,
            "order_uuid": order.order_uuid,
            "client_order_id": order.client_order_id,
            "side": order.side,
            "instrument_id": order.instrument.instrument_id,
            "instrument_uuid": order.instrument.instrument_uuid,
            "symbol": order.instrument.symbol,
            "portfolio_id": order.portfolio_id,
            "portfolio_uuid": order.portfolio_uuid,
            "type": "LIMIT",
            "price": format(order.price, "f"),
            "size": format(order.size, "f"),
            "tif": "GTC",
            "stp_mode": "BOTH",
            "event_type": event_type,
            "order_status": order_status,
            "leaves_qty": format(order.size, "f"),  # recorded: a cancel leaves the size open
            "exec_qty": "0",
            "avg_price": "0",
            "fee": "0",
            "post_only": False,
            "close_only": False,
            "text": text,
        }
    stop = (order.price * Decimal("0.99")).quantize(Decimal("0.01"))
    return {
        "order_id": _number(order.order_id),
        "client_order_id": order.client_order_id,
        "side": order.side,
        "instrument_id": _number(order.instrument.instrument_id),
        "instrument_uuid": order.instrument.instrument_uuid,
        "symbol": order.instrument.symbol,
        "portfolio_id": _number(order.portfolio_id),
        "portfolio_uuid": order.portfolio_uuid,
        "type": "LIMIT",
        "price": order.price,
        "stop_price": stop,
        "stop_limit_price": stop,
        "size": order.size,
        "tif": "GTC",
        "expire_time": _iso(order.submit_time + _GTC_LIFETIME),
        "stp_mode": "AGGRESSING",
        "event_type": event_type,
        "event_time": _iso(
            order.cancel_time if order.cancel_time is not None else order.submit_time
        ),
        "submit_time": _iso(order.submit_time),
        "order_status": order_status,
        "leaves_qty": "0" if cancelled else format(order.size, "f"),
        "exec_qty": "0",
        "avg_price": "0",
        "fee": "0",
        "post_only": False,
        "close_only": False,
        "algo_strategy": "TWAP",
        "text": text,
    }


class IntxVenue:
    """Checks and answers Coinbase INTX requests like the venue (venues.md, CONTRACT)."""

    name: Literal["intx"] = "intx"

    def __init__(
        self,
        account: IntxAccount,
        state: SandboxState,
        buckets: TokenBuckets | None,
        *,
        answers: IntxAnswers = "recorded",
    ) -> None:
        self._answers: IntxAnswers = answers
        self._accounts = {account.api_key: account}
        self._state = state
        self._buckets = buckets

    # --- venue-wide answers ---------------------------------------------------------------

    def not_found(self) -> Response:
        """404 for an unknown path or order."""
        return _titled(404, "Order not found")

    def method_not_allowed(self) -> Response:
        """405 for a known path called with another method."""
        return _titled(405, "Method Not Allowed")

    def server_error(self) -> Response:
        """500, as injected by the error fault."""
        return Response.json(500, {"message": "Internal server error"})

    def rate_limited(self) -> Response:
        """429 when the key's bucket is empty (or injected)."""
        return Response.json(429, {"message": "Rate limit exceeded"})

    def unauthorized(self, reason: str) -> Response:
        """401 ``{"message": "Unauthorized", "detail": reason}`` (reason: which check failed)."""
        return Response.json(401, {"message": "Unauthorized", "detail": reason})

    # --- endpoint -------------------------------------------------------------------------

    def cancel(self, request: Request, order_ref: str | None, now: float) -> Response:
        """Authenticate, check ``portfolio``, then cancel by exchange or client order id.

        ``order_ref`` is the percent-decoded path segment, or None when it did not decode.
        """
        # INTX rule: the signed path has no query; integer timestamp; 5 s window.
        account = authenticate(
            request,
            self._accounts,
            now=now,
            window=_CLOCK_WINDOW,
            integer_timestamp=True,
            sign_query=False,
            buckets=self._buckets,
            unauthorized=self.unauthorized,
            rate_limited=self.rate_limited,
        )
        if isinstance(account, Response):
            return account
        portfolio = request.query_value("portfolio")
        if portfolio is None or portfolio.lower() not in (
            account.portfolio_uuid.lower(),
            account.portfolio_id.lower(),
        ):
            return _titled(400, "Invalid attribute")
        if order_ref is None:
            return self.not_found()
        outcome, order = self._state.cancel_intx(
            portfolio_id=account.portfolio_id, ref=order_ref, now=now
        )
        if outcome is CancelOutcome.CANCELLED and order is not None:
            return Response.json(200, order_result(order, answers=self._answers))
        if outcome is CancelOutcome.ALREADY_DONE:
            return _titled(400, "Order already done")
        return self.not_found()
