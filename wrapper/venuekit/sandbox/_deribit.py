"""Deribit API v2 sandbox: JSON-RPC over HTTP under ``/api/v2``, both request forms.

``GET /api/v2/<method>?params`` (the spec's and ccxt's form) and ``POST /api/v2[/<method>]``
with ``{"jsonrpc": "2.0", "id": n, "method": ..., "params": {...}}`` (Coinbase's client). Every
answer is Deribit's envelope with ``usIn``/``usOut``/``usDiff`` (microseconds, the venue's
sandbox clock) and ``testnet``; ``id`` is echoed when the request had one (POST).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from venuekit.sandbox._credentials import SandboxCredentials
from venuekit.sandbox._deribit_auth import (
    DeribitAuth,
    Principal,
    RpcError,
    invalid_params,
)
from venuekit.sandbox._deribit_state import DeribitBook, DeribitOrder, OrderFilter, instrument
from venuekit.sandbox._http import Request, Response
from venuekit.sandbox._ratelimit import TokenBuckets
from venuekit.sandbox._state import CancelOutcome

__all__ = ["API_PREFIX", "DeribitVenue", "http_status", "order_json"]

#: A ``deri-hmac-sha256`` timestamp must be within 60 s of the venue's clock (venues.md).
DERIBIT_CLOCK_WINDOW = 60.0
#: Largest POST body Deribit accepts, bytes; beyond it: -32600 "request entity too large"
#: (errors.mdx, complete table: "exceeds the limit (32 kB)").
DERIBIT_MAX_POST_BODY = 32 * 1024

#: Every Deribit path starts with this (hosts are ``https://www.deribit.com/api/v2`` ...).
API_PREFIX = "/api/v2"

_CURRENCIES = ("BTC", "ETH", "USDC", "USDT", "EURR")  # spec: components/schemas/currency
_KINDS = ("future", "option", "spot", "future_combo", "option_combo", "combo", "any")
_TYPES = ("all", "limit", "trigger_all", "stop", "take", "trailing_stop")  # simple_order_type
_LABEL_MAX = 64  # spec: "User defined label (up to 64 characters)"
_MISSING = object()

Params = Mapping[str, Any]


def http_status(code: int) -> int:
    """HTTP status of an error envelope: 429 for 10028, 500 for 10001, else 400.

    errors.mdx gives no HTTP status. The spec lists its error response under 400 (10 methods),
    401 (6) and 429 (``public/auth``); public reports of live answers show error bodies with a
    4xx status (ccxt issue 9133: ``raise_for_status`` on a 13009 body). Clients must branch on
    the body (venues.md), so the sandbox keeps it simple: 400, 429 for the rate limit, 500 for
    the injected server error.
    """
    return {10028: 429, 10001: 500}.get(code, 400)


def order_json(order: DeribitOrder) -> dict[str, object]:
    """Render an order like the spec's ``order`` (every required field, numbers as numbers)."""
    body: dict[str, object] = {
        "web": False,
        "time_in_force": order.time_in_force,
        "risk_reducing": False,
        "replaced": False,
        "reduce_only": False,
        "price": order.price,
        "post_only": order.post_only,
        "order_type": order.order_type,
        "order_state": order.order_state,
        "order_id": order.order_id,
        "mobile": False,
        "max_show": order.amount,
        "last_update_timestamp": order.last_update_timestamp,
        "label": order.label,
        "is_liquidation": False,
        "instrument_name": order.instrument.name,
        "filled_amount": order.filled_amount,
        "direction": order.direction,
        "creation_timestamp": order.creation_timestamp,
        "average_price": Decimal(0),
        "api": True,
        "amount": order.amount,
    }
    if order.trigger_price is not None:
        body |= {"trigger": "index_price", "trigger_price": order.trigger_price, "triggered": False}
    if order.cancel_reason is not None:
        body["cancel_reason"] = order.cancel_reason
    return body


# --- parameters (GET: strings from the query; POST: JSON values) ---------------------------


def _text(params: Params, name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None:
        if required:
            raise invalid_params(name, "required")
        return None
    if not isinstance(value, str) or (required and not value):
        raise invalid_params(name, f"invalid {name}")
    return value


def _choice(
    params: Params, name: str, allowed: tuple[str, ...], *, required: bool = False
) -> str | None:
    value = _text(params, name, required=required)
    if value is not None and value not in allowed:
        raise invalid_params(name, f"invalid {name}")
    return value


def _flag(params: Params, name: str) -> bool:
    value = params.get(name)
    if value is None or value is False or value == "false":
        return False
    if value is True or value == "true":
        return True
    raise invalid_params(name, f"invalid {name}")


def _type_filter(order_type: str | None) -> OrderFilter:
    """The sandbox's orders are limit, market and stop (trigger) orders; no take/trailing."""
    if order_type in (None, "all"):
        return lambda o: True
    if order_type == "limit":
        return lambda o: o.order_type in ("limit", "market")
    if order_type in ("trigger_all", "stop"):
        return lambda o: o.order_type in ("stop_limit", "stop_market")
    return lambda o: False


class DeribitVenue:
    """Checks and answers Deribit JSON-RPC requests like the venue (venues.md, errors.mdx).

    ``clock`` is the venue's sandbox clock (for the envelopes of fault answers).
    """

    name: Literal["deribit"] = "deribit"

    def __init__(
        self,
        credentials: SandboxCredentials,
        book: DeribitBook,
        buckets: TokenBuckets | None,
        *,
        token_lifetime: float,
        clock: Callable[[], float],
    ) -> None:
        self._auth = DeribitAuth(
            credentials, window=DERIBIT_CLOCK_WINDOW, token_lifetime=token_lifetime
        )
        self._book = book
        self._buckets = buckets
        self._clock = clock
        self._methods: dict[str, Callable[[Params, Request, float], object]] = {
            "public/auth": lambda params, _request, now: self._auth.issue(params, now),
            "public/get_time": lambda _params, _request, now: int(now * 1000),
            "private/cancel": self._private(self._cancel),
            "private/cancel_by_label": self._private(self._cancel_by_label),
            "private/cancel_all": self._private(self._cancel_all),
            "private/cancel_all_by_currency": self._private(self._cancel_all_by_currency),
            "private/cancel_all_by_instrument": self._private(self._cancel_all_by_instrument),
        }

    # --- venue-wide answers ---------------------------------------------------------------

    def not_found(self) -> Response:
        """404 for a path outside the API (never a Deribit method: those answer -32601)."""
        return self._envelope(404, RpcError(-32601, "Method not found"), _MISSING)

    def method_not_allowed(self) -> Response:
        """405 for a method other than GET and POST (11050 ``bad_request``)."""
        return self._envelope(405, RpcError(11050, "bad_request"), _MISSING)

    def server_error(self) -> Response:
        """500, as injected by the error fault (10001 ``error``: "Some general failure")."""
        return self._envelope(500, RpcError(10001, "error"), _MISSING)

    def rate_limited(self) -> Response:
        """429 with 10028 ``too_many_requests`` (the account's bucket is empty, or injected)."""
        return self._envelope(429, RpcError(10028, "too_many_requests"), _MISSING)

    # --- endpoint -------------------------------------------------------------------------

    def handle(self, request: Request, now: float) -> Response:
        """Answer one JSON-RPC call in either form; ``now`` is the venue's sandbox clock."""
        started = time.perf_counter()
        request_id: object = _MISSING
        try:
            method, params, request_id = self._parse(request)
            call = self._methods.get(method)
            if call is None:
                raise RpcError(-32601, "Method not found")
            result = call(params, request, now)
        except RpcError as error:
            return self._envelope(http_status(error.code), error, request_id, now, started)
        return self._envelope(200, result, request_id, now, started)

    def _parse(self, request: Request) -> tuple[str, Params, object]:
        path = request.raw_path
        path_method = path[len(API_PREFIX) + 1 :] if path.startswith(f"{API_PREFIX}/") else ""
        query: dict[str, str] = {}
        for name, value in request.query():
            query.setdefault(name, value)
        if request.method == "GET" or not request.body:
            return path_method, query, _MISSING
        if len(request.body) > DERIBIT_MAX_POST_BODY:
            raise RpcError(-32600, "request entity too large")
        try:
            rpc = json.loads(request.body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise RpcError(-32700, "Parse error") from None
        if not isinstance(rpc, dict):
            raise RpcError(11050, "bad_request", reason="the body must be a JSON-RPC object")
        request_id = rpc.get("id", _MISSING)
        if rpc.get("jsonrpc", "2.0") != "2.0":
            raise RpcError(11050, "bad_request", reason="jsonrpc must be 2.0")
        method = rpc.get("method", path_method)
        if not isinstance(method, str) or (path_method and method != path_method):
            raise RpcError(11050, "bad_request", reason="method differs from the path")
        params = rpc.get("params", {})
        if not isinstance(params, dict):
            raise invalid_params("params", "must be an object")
        return method, params, request_id

    def _envelope(
        self,
        status: int,
        outcome: object,
        request_id: object,
        now: float | None = None,
        started: float | None = None,
    ) -> Response:
        us_in = int((self._clock() if now is None else now) * 1_000_000)
        us_diff = 0 if started is None else int((time.perf_counter() - started) * 1_000_000)
        body: dict[str, object] = {"jsonrpc": "2.0"}
        if request_id is not _MISSING:
            body["id"] = request_id
        if isinstance(outcome, RpcError):
            error: dict[str, object] = {"code": outcome.code, "message": outcome.message}
            if outcome.data:
                error["data"] = outcome.data
            body["error"] = error
        else:
            body["result"] = outcome
        body |= {"usIn": us_in, "usOut": us_in + us_diff, "usDiff": us_diff, "testnet": True}
        return Response.json(status, body)

    # --- private methods ------------------------------------------------------------------

    def _private(
        self, method: Callable[[Params, Principal], object]
    ) -> Callable[[Params, Request, float], object]:
        """Authenticate, take a matching-engine credit, require ``trade:read_write``."""

        def call(params: Params, request: Request, now: float) -> object:
            principal = self._auth.authenticate(request, now)
            if self._buckets is not None and not self._buckets.take(str(principal.user_id)):
                raise RpcError(10028, "too_many_requests")
            if principal.trade_scope != "read_write":
                raise RpcError(13021, "forbidden", reason="scope trade:read_write required")
            return method(params, principal)

        return call

    def _cancel(self, params: Params, principal: Principal) -> object:
        order_id = _text(params, "order_id", required=True)
        assert order_id is not None
        outcome, order = self._book.cancel(user_id=principal.user_id, order_id=order_id)
        if outcome is CancelOutcome.CANCELLED and order is not None:
            return order_json(order)
        if outcome is CancelOutcome.ALREADY_DONE:
            raise RpcError(11044, "not_open_order")
        raise RpcError(10004, "order_not_found")

    def _cancel_by_label(self, params: Params, principal: Principal) -> object:
        label = _text(params, "label", required=True)
        assert label is not None
        if len(label) > _LABEL_MAX:
            # ASSUMPTION: Deribit's code for a too-long label is not documented; 11029
            # "invalid_arguments" is its code for invalid input.
            raise RpcError(11029, "invalid_arguments", reason="label longer than 64 characters")
        currency = _choice(params, "currency", _CURRENCIES)
        return self._cancel_where(
            principal,
            lambda o: o.label == label and currency in (None, o.instrument.currency),
        )

    def _cancel_all(self, params: Params, principal: Principal) -> object:
        _flag(params, "detailed")
        _flag(params, "freeze_quotes")
        return self._cancel_where(principal, lambda o: True)

    def _cancel_all_by_currency(self, params: Params, principal: Principal) -> object:
        currency = _choice(params, "currency", _CURRENCIES, required=True)
        kind = _choice(params, "kind", _KINDS)
        by_type = _type_filter(_choice(params, "type", _TYPES))
        _flag(params, "detailed")
        _flag(params, "freeze_quotes")
        return self._cancel_where(
            principal,
            lambda o: (
                o.instrument.currency == currency
                and kind in (None, "any", o.instrument.kind)
                and by_type(o)
            ),
        )

    def _cancel_all_by_instrument(self, params: Params, principal: Principal) -> object:
        name = _text(params, "instrument_name", required=True)
        assert name is not None
        if instrument(name) is None:
            raise RpcError(13020, "not_found", reason="instrument not found")
        by_type = _type_filter(_choice(params, "type", _TYPES))
        for flag in ("detailed", "include_combos", "freeze_quotes"):
            _flag(params, flag)
        return self._cancel_where(principal, lambda o: o.instrument.name == name and by_type(o))

    def _cancel_where(self, principal: Principal, keep: OrderFilter) -> int:
        """Cancel the account's open orders that ``keep`` selects; answer how many."""
        return len(self._book.cancel_matching(user_id=principal.user_id, keep=keep))
