"""Coinbase Exchange sandbox: ``DELETE /orders/{order_id}`` and ``GET /time``."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from venuekit.sandbox._coinbase_auth import authenticate
from venuekit.sandbox._credentials import ExchangeAccount
from venuekit.sandbox._http import Request, Response
from venuekit.sandbox._ratelimit import TokenBuckets
from venuekit.sandbox._state import CancelOutcome, SandboxState

__all__ = ["ExchangeVenue"]

#: Requests more than 30 s off the server clock are rejected (venues.md).
_CLOCK_WINDOW = 30.0

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CLIENT_PREFIX = "client:"


def _message(status: int, message: str) -> Response:
    return Response.json(status, {"message": message})


class ExchangeVenue:
    """Checks and answers Coinbase Exchange requests like the venue (venues.md, CONTRACT)."""

    name: Literal["exchange"] = "exchange"

    def __init__(
        self, account: ExchangeAccount, state: SandboxState, buckets: TokenBuckets | None
    ) -> None:
        self._accounts = {account.api_key: account}
        self._state = state
        self._buckets = buckets

    # --- venue-wide answers ---------------------------------------------------------------

    def not_found(self) -> Response:
        """404 for an unknown path or order."""
        return _message(404, "NotFound")

    def method_not_allowed(self) -> Response:
        """405 for a known path called with another method."""
        return _message(405, "Method Not Allowed")

    def server_error(self) -> Response:
        """500, as injected by the error fault."""
        return _message(500, "Internal server error")

    def rate_limited(self) -> Response:
        """429 when the key's bucket is empty (or injected)."""
        return _message(429, "Private rate limit exceeded")

    # --- endpoints ------------------------------------------------------------------------

    def time(self, now: float) -> Response:
        """``GET /time``: the sandbox clock as ISO 8601 and epoch seconds (milliseconds)."""
        stamp = dt.datetime.fromtimestamp(now, tz=dt.UTC)
        iso = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
        return Response.json(200, {"iso": iso, "epoch": Decimal(f"{now:.3f}")})

    def cancel(self, request: Request, order_ref: str | None, now: float) -> Response:
        """``DELETE /orders/{order_id}``: authenticate, then cancel by id or ``client:<oid>``.

        ``order_ref`` is the percent-decoded path segment, or None when it did not decode.
        """
        account = self._authenticate(request, now)
        if isinstance(account, Response):
            return account
        if order_ref is None:
            return _message(400, "Invalid order id")
        profile_id = request.query_value("profile_id")
        if profile_id is not None and profile_id != account.profile_id:
            return self.not_found()
        product_id = request.query_value("product_id") or None
        by_client = order_ref.startswith(_CLIENT_PREFIX)
        if by_client:
            client_oid = order_ref[len(_CLIENT_PREFIX) :]
            if not client_oid:
                return _message(400, "Invalid order id")
            outcome, order = self._state.cancel_exchange(
                profile_id=account.profile_id, client_oid=client_oid, product_id=product_id
            )
        else:
            outcome, order = self._state.cancel_exchange(
                profile_id=account.profile_id, order_id=order_ref, product_id=product_id
            )
        if outcome is CancelOutcome.CANCELLED and order is not None:
            return Response.json(200, order.client_oid if by_client else order.id)
        if outcome is CancelOutcome.ALREADY_DONE:
            return _message(400, "Order already done")
        if outcome is CancelOutcome.WRONG_PRODUCT:
            return _message(404, "ProductNotFound")  # the docs' answer for an unknown product_id
        if not by_client and not _UUID.fullmatch(order_ref):
            return _message(400, "Invalid order id")
        return self.not_found()

    def _authenticate(self, request: Request, now: float) -> ExchangeAccount | Response:
        # Exchange rule: the signed path carries "?query"; decimals allowed; 30 s window.
        return authenticate(
            request,
            self._accounts,
            now=now,
            window=_CLOCK_WINDOW,
            integer_timestamp=False,
            sign_query=True,
            buckets=self._buckets,
            unauthorized=lambda message: _message(401, message),
            rate_limited=self.rate_limited,
        )
