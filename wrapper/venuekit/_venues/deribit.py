"""Deribit API v2 (live; where INTX users' orders are): the cancel family over JSON-RPC on HTTP.

No I/O here. Requests use the query form ``GET {host}/private/<method>?params`` that the spec
(``specs/deribit.yaml``, generated into ``deribit_api``) and ccxt use; the generated modules'
public ``OPERATION`` contracts give method, path and parameter names. Two kinds of key reach the
same API: Deribit keys (``DeribitCredentials``, ``deri-hmac-sha256`` per request, host
``www.deribit.com``) and Coinbase CDP keys through Coinbase's gateway (``CoinbaseCdpCredentials``,
a Bearer token from ``public/auth``, host ``drb.coinbase.com``); ``test.deribit.com`` is the
testnet (``base_urls``).

Answers are JSON-RPC envelopes; venuekit branches on the body, never on the HTTP status alone (an
error can come with 200). Mapping (the complete table of Deribit's error page, kept under
``specs/upstream/deribit/errors.mdx``):

================================================  =========================================
answer                                            venuekit
================================================  =========================================
``private/cancel`` result, ``order_state``        ``CANCELLED`` only for ``"cancelled"``;
                                                  open / untriggered / triggered:
                                                  ``CANCEL_PENDING``; filled / rejected:
                                                  ``VenueError`` (not cancelled)
group cancels: result = number cancelled          ``GroupCancelResult.cancelled_count``
10004 order_not_found                             ``OrderNotFound``
11044 not_open_order, 10010 already_closed        ``OrderAlreadyDone``
10028 too_many_requests, 10047 queue full         ``RateLimited`` (retried)
13004, 13009, 13021                               ``AuthenticationError``
-32602, 11029, 11050                              ``VenueRejectedRequest`` (``field`` when the
                                                  error's ``data.param`` names one)
any other code                                    ``VenueError`` with code and message
================================================  =========================================

A label is not unique on Deribit: ``cancel_by_label`` may cancel several orders; the venue's
count is the result. Amounts and prices are exact ``Decimal``; ``price`` may be ``"market_price"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from venuekit import errors
from venuekit._auth_deribit import DERIBIT_REAUTH_ERROR_CODES
from venuekit._credentials import CoinbaseCdpCredentials, DeribitCredentials
from venuekit._models import CancelResult, CancelState, GroupCancelResult
from venuekit._ratelimit import RateLimit
from venuekit._spec_usage import OperationUse
from venuekit._venues._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_id,
    check_optional_text,
    decimal_or_none,
    int_or_none,
    operation,
)
from venuekit._venues._deribit_answers import (
    ERROR_CODES,
    envelope,
)
from venuekit._venues._spec import Action, CredentialKind, Venue, VenueSpec
from venuekit.auth import DeribitHmacAuth, DeribitTokenAuth

__all__ = [
    "ERROR_CODES",
    "SPEC",
    "interpret_cancel",
    "interpret_group",
    "prepare_cancel",
    "prepare_cancel_all",
    "prepare_cancel_by_label",
]

VENUE = Venue.DERIBIT
#: Deribit's longest label (venues.md: ``label`` <= 64 characters).
MAX_LABEL_CHARS = 64

#: ``order_state`` values: the order is gone by our cancel / still there / gone otherwise.
_CANCELLED = frozenset({"cancelled"})
_STILL_OPEN = frozenset({"open", "untriggered", "triggered"})


def _operation(name: str) -> Any:
    """The generated ``OPERATION`` of ``deribit_api.api.trading.get_private_<name>`` (lazy)."""
    return operation(f"deribit_api.api.trading.get_private_{name}")


def _prepared(name: str, values: Mapping[str, str | None], **ids: str | None) -> PreparedCancel:
    operation = _operation(name)
    return PreparedCancel(
        venue=VENUE,
        method=operation.method,
        url=operation.path,
        params=operation.query(dict(values)),
        **ids,  # type: ignore[arg-type]
    )


def prepare_cancel(*, order_id: str) -> PreparedCancel:
    """``GET /private/cancel?order_id=``; ``InvalidRequest`` naming the field.

    >>> prepare_cancel(order_id="ETH-349249").target()
    '/private/cancel?order_id=ETH-349249'
    """
    order = check_id(order_id, field="order_id", path_segment=False)
    return _prepared("cancel", {"order_id": order}, order_id=order)


def prepare_cancel_by_label(*, label: str, currency: str | None = None) -> PreparedCancel:
    """``GET /private/cancel_by_label?label=[&currency=]``: every open order with that label.

    >>> prepare_cancel_by_label(label="grid-7", currency="BTC").target()
    '/private/cancel_by_label?label=grid-7&currency=BTC'
    """
    text = check_id(label, field="label", path_segment=False)
    if len(text) > MAX_LABEL_CHARS:
        raise errors.InvalidRequest(
            f"label is {len(text)} characters; Deribit takes at most {MAX_LABEL_CHARS}",
            field="label",
            venue=VENUE,
        )
    chosen = check_optional_text(currency, field="currency")
    return _prepared("cancel_by_label", {"label": text, "currency": chosen}, client_order_id=text)


def prepare_cancel_all(
    *, currency: str | None = None, kind: str | None = None, instrument_name: str | None = None
) -> PreparedCancel:
    """The right ``cancel_all*`` method: by instrument, by currency (and kind), or everything.

    >>> prepare_cancel_all(currency="BTC", kind="future").target()
    '/private/cancel_all_by_currency?currency=BTC&kind=future'
    >>> prepare_cancel_all().target()
    '/private/cancel_all'
    """
    instrument = check_optional_text(instrument_name, field="instrument_name")
    chosen = check_optional_text(currency, field="currency")
    kind_text = check_optional_text(kind, field="kind")
    if instrument is not None:
        if chosen is not None or kind_text is not None:
            raise errors.InvalidRequest(
                "pass instrument_name alone, or currency (and kind)",
                field="instrument_name",
                venue=VENUE,
            )
        return _prepared("cancel_all_by_instrument", {"instrument_name": instrument})
    if chosen is not None:
        return _prepared("cancel_all_by_currency", {"currency": chosen, "kind": kind_text})
    if kind_text is not None:
        raise errors.InvalidRequest("kind needs a currency", field="kind", venue=VENUE)
    return _prepared("cancel_all", {})


def interpret_cancel(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """``private/cancel``'s answer: a ``CancelResult`` from its order, or the mapped error.

    The ``response`` is the generated ``deribit_api.models.Order`` (``None`` with a warning-free
    fallback when the order does not fit it); ``price`` and ``size`` (``amount``) are exact.
    """
    order = envelope(raw)
    if not isinstance(order, dict):
        raise errors.VenueError(
            f"HTTP {raw.status_code}, but the result is not an order object",
            venue=VENUE,
            status_code=raw.status_code,
        )
    state = order.get("order_state")
    word = state if isinstance(state, str) else None
    if word in _CANCELLED:
        normalized = CancelState.CANCELLED
    elif word in _STILL_OPEN:
        normalized = CancelState.CANCEL_PENDING
    else:
        raise errors.VenueError(
            f"HTTP {raw.status_code}, but the order is {word!r}, not cancelled",
            venue=VENUE,
            status_code=raw.status_code,
        )
    order_id = order.get("order_id")
    label = order.get("label")
    return CancelResult(
        venue=VENUE,
        order_id=order_id if isinstance(order_id, str) else prepared.order_id,
        client_order_id=label if isinstance(label, str) and label else None,
        state=normalized,
        venue_status=word,
        response=_typed(order),
        price=decimal_or_none(order.get("price")),
        size=decimal_or_none(order.get("amount")),
        raw=order,
    )


def _typed(order: Mapping[str, Any]) -> object:
    """The generated ``Order`` model, or ``None`` when the answer does not fit it."""
    try:
        from deribit_api.models.order import Order

        return Order.from_dict(dict(order))
    except Exception:  # generated parsers raise anything: KeyError, ValueError, TypeError...
        return None


def interpret_group(prepared: PreparedCancel, raw: RawResponse) -> GroupCancelResult:
    """A group cancel's answer: the number of orders the venue cancelled, or the mapped error."""
    count = int_or_none(envelope(raw))
    if count is None or count < 0:
        raise errors.VenueError(
            f"HTTP {raw.status_code}, but the result is not a count of cancelled orders",
            venue=VENUE,
            status_code=raw.status_code,
        )
    return GroupCancelResult(
        venue=VENUE, action=prepared.url.lstrip("/").removeprefix("private/"), cancelled_count=count
    )


def _read_time(raw: RawResponse) -> float | None:
    """``public/get_time``'s result: milliseconds since the epoch, as seconds."""
    try:
        ms = int_or_none(envelope(raw))
    except errors.VenueError:
        return None
    return None if ms is None else ms / 1000.0


def _clock_reading(raw: RawResponse) -> tuple[float, float] | None:
    """The venue clock from the envelope's ``usOut`` (microseconds): precise to the round trip."""
    try:
        body = raw.json()
    except NotJSONError:
        return None
    us_out = int_or_none(body.get("usOut")) if isinstance(body, dict) else None
    if us_out is None:
        return None
    return us_out / 1e6 - raw.now, 0.5


def _timestamp_rejected(error: errors.AuthenticationError) -> bool:
    text = error.message.lower()  # "timestamp" covers message_says_timestamp_expired too
    return "timestamp" in text or " ts " in f" {text} "


def _session_refused(error: errors.AuthenticationError) -> bool:
    """13004/13009: the Bearer token (CDP keys) is no longer good; never sent again."""
    return error.code in DERIBIT_REAUTH_ERROR_CODES


def _cancel(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    return prepare_cancel(order_id=arguments.get("order_id"))  # type: ignore[arg-type]


def _by_label(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    return prepare_cancel_by_label(
        label=arguments.get("label"),  # type: ignore[arg-type]  # checked inside
        currency=arguments.get("currency"),  # type: ignore[arg-type]
    )


def _all(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    return prepare_cancel_all(
        currency=arguments.get("currency"),  # type: ignore[arg-type]  # checked inside
        kind=arguments.get("kind"),  # type: ignore[arg-type]
        instrument_name=arguments.get("instrument_name"),  # type: ignore[arg-type]
    )


_ORDER_READS = frozenset(
    {"result.order_id", "result.order_state", "result.label", "result.price", "result.amount"}
)

SPEC = VenueSpec(
    venue=VENUE,
    title="Deribit",
    status="live; INTX's successor (Deribit keys, or Coinbase CDP keys via drb.coinbase.com)",
    credentials=(
        CredentialKind(
            type=DeribitCredentials,
            env=(
                ("client_id", "VENUEKIT_DERIBIT_CLIENT_ID"),
                ("client_secret", "VENUEKIT_DERIBIT_CLIENT_SECRET"),
            ),
            auth=DeribitHmacAuth,
            base_url="https://www.deribit.com/api/v2",
            rate_key=lambda credentials: credentials.client_id,
        ),
        CredentialKind(
            type=CoinbaseCdpCredentials,
            env=(
                ("key_name", "VENUEKIT_DERIBIT_CDP_KEY_NAME"),
                ("private_key", "VENUEKIT_DERIBIT_CDP_PRIVATE_KEY"),
            ),
            auth=DeribitTokenAuth,
            base_url="https://drb.coinbase.com/api/v2",
            rate_key=lambda credentials: credentials.key_name,
        ),
    ),
    sandbox_base_url="https://test.deribit.com/api/v2",
    # Matching-engine requests (cancel is one), default tier: 5 requests/s, bursts of 20.
    rate_limit=RateLimit(rate=5, burst=20),
    # deri-hmac-sha256 timestamps must be within 60 s of the server's clock.
    clock_window=60.0,
    fields=("order_id",),
    cancel=Action(prepare=_cancel, interpret=interpret_cancel),
    actions={
        "cancel_by_label": Action(
            prepare=_by_label,
            interpret=interpret_group,
            confirmable=False,
            fields=("label", "currency"),
            required=("label",),
        ),
        "cancel_all": Action(
            prepare=_all,
            interpret=interpret_group,
            confirmable=False,
            fields=("currency", "kind", "instrument_name"),
        ),
    },
    time_request=PreparedCancel(venue=VENUE, method="GET", url="/public/get_time", params=()),
    read_time=_read_time,
    timestamp_rejected=_timestamp_rejected,
    session_refused=_session_refused,
    clock_reading=_clock_reading,
    package="deribit_api",
    operations=(
        OperationUse(
            spec="deribit",
            method="GET",
            path="/private/cancel",
            sends=frozenset({"order_id"}),
            reads=_ORDER_READS,
            relies_on={"result.order_state": _CANCELLED | _STILL_OPEN},
        ),
        OperationUse(
            spec="deribit",
            method="GET",
            path="/private/cancel_by_label",
            sends=frozenset({"label", "currency"}),
            reads=frozenset({"result"}),
        ),
        OperationUse(
            spec="deribit", method="GET", path="/private/cancel_all", reads=frozenset({"result"})
        ),
        OperationUse(
            spec="deribit",
            method="GET",
            path="/private/cancel_all_by_currency",
            sends=frozenset({"currency", "kind"}),
            reads=frozenset({"result"}),
        ),
        OperationUse(
            spec="deribit",
            method="GET",
            path="/private/cancel_all_by_instrument",
            sends=frozenset({"instrument_name"}),
            reads=frozenset({"result"}),
        ),
        OperationUse(
            spec="deribit", method="GET", path="/public/get_time", reads=frozenset({"result"})
        ),
    ),
)
