"""Loopring v3 sandbox: ``DELETE /api/v3/order?accountId=&orderHash=|clientOrderId=``."""

from __future__ import annotations

import re
from typing import Literal

from venuekit._signing import loopring as eddsa
from venuekit.sandbox._credentials import LoopringAccount
from venuekit.sandbox._http import Request, Response
from venuekit.sandbox._ratelimit import TokenBuckets
from venuekit.sandbox._state import CancelOutcome, SandboxState

__all__ = ["LoopringVenue"]

_ORDER_HASH = re.compile(r"0[xX][0-9a-fA-F]{1,64}")


def _result(code: int, message: str, status: int = 400) -> Response:
    return Response.json(status, {"resultInfo": {"code": code, "message": message}})


class LoopringVenue:
    """Checks and answers Loopring requests like the venue (venues.md, loopring-eddsa.md).

    The EdDSA public key of each account is derived once, on the first request that needs it.
    """

    name: Literal["loopring"] = "loopring"

    def __init__(
        self, account: LoopringAccount, state: SandboxState, buckets: TokenBuckets | None
    ) -> None:
        self._accounts = {account.api_key: account}
        self._public_keys: dict[str, tuple[int, int]] = {}
        self._state = state
        self._buckets = buckets

    # --- venue-wide answers ---------------------------------------------------------------

    def not_found(self) -> Response:
        """404 for an unknown path."""
        return _result(100000, "not found", status=404)

    def method_not_allowed(self) -> Response:
        """405 for a known path called with another method."""
        return _result(100000, "method not allowed", status=405)

    def server_error(self) -> Response:
        """500, as injected by the error fault."""
        return _result(100000, "unknown error", status=500)

    def rate_limited(self) -> Response:
        """429 when the account key's bucket is empty (or injected)."""
        return _result(100000, "too many requests", status=429)

    # --- endpoint -------------------------------------------------------------------------

    def cancel(self, request: Request, now: float) -> Response:
        """Check ``X-API-KEY``, ``accountId`` and ``X-API-SIG``, then cancel the order.

        The signature base uses ``scheme://host[:port]`` from the request (the Host header) plus
        the path, and the query parameters as sent, so the client must sign the URL it called.
        """
        del now  # Loopring signs no timestamp
        api_key = request.headers.get("x-api-key", "")
        if not api_key:
            return _result(104001, "API key is empty")
        account = self._accounts.get(api_key)
        if account is None:
            return _result(104002, "invalid API key")
        if self._buckets is not None and not self._buckets.take(account.api_key):
            return self.rate_limited()
        params = request.query()
        account_id = request.query_value("accountId")
        if account_id is None or account_id != str(account.account_id):
            return _result(104003, "invalid account ID")
        sent_signature = request.headers.get("x-api-sig", "")
        if not sent_signature:
            return _result(104004, "no signature")
        base = eddsa.signature_base(
            method=request.method,
            url=f"{request.scheme}://{request.host}{request.raw_path}",
            params=params,
        )
        if not eddsa.verify(self._public_key(account), eddsa.message(base), sent_signature):
            return _result(104005, "wrong signature")
        order_hash = request.query_value("orderHash") or None
        client_order_id = request.query_value("clientOrderId") or None
        if order_hash is None and client_order_id is None:
            return _result(107002, "orderHash is empty")
        outcome, order = self._state.cancel_loopring(
            account_id=account.account_id, order_hash=order_hash, client_order_id=client_order_id
        )
        if outcome is CancelOutcome.CANCELLED and order is not None:
            return Response.json(
                200,
                {
                    "hash": order.hash,
                    "clientOrderId": order.client_order_id,
                    "status": "cancelled",
                    "isIdempotent": False,
                },
            )
        if outcome is CancelOutcome.ALREADY_DONE:
            return _result(102117, "no orders to cancel")
        if order_hash is not None and not _ORDER_HASH.fullmatch(order_hash):
            return _result(102120, "order not valid")
        return _result(107003, "order does not exist")

    def _public_key(self, account: LoopringAccount) -> tuple[int, int]:
        key = self._public_keys.get(account.api_key)
        if key is None:
            key = eddsa.public_key(eddsa.parse_private_key(account.eddsa_private_key))
            self._public_keys[account.api_key] = key
        return key
