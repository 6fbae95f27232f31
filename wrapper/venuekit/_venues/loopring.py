"""Loopring v3 (offline): ``DELETE /api/v3/order?accountId=&orderHash=|clientOrderId=`` — no spec.

Loopring is reported offline since its relayer shut down at the end of June 2026; this adapter
follows the documented v3 API (seed 004, venues.md). Errors come as HTTP 400 with
``{"resultInfo": {"code": N, "message": ...}}`` or the older flat ``{"code": N, "msg": ...}``;
an error object is honoured even on a 2xx. Code mapping (decisions marked *):

- 104001, 104002, 104004, 104005 (API key / signature) -> ``AuthenticationError``
- 104003 (invalid account id) -> ``VenueRejectedRequest(field="account_id")``
- 107002 (orderHash empty) -> ``VenueRejectedRequest(field="order_hash")``
- 107003 (order does not exist) -> ``OrderNotFound``
- 102117 (no orders to cancel: already cancelled) -> ``OrderAlreadyDone``
- 102120 (order not valid) -> ``VenueRejectedRequest(field="order_hash")`` * — the docs do not
  say whether this means "malformed or unknown hash" or "order not cancellable"; reporting it as
  ``OrderAlreadyDone`` would tell a caller with a wrong hash that the order is finished (and let a
  retry layer treat it as a confirmed cancel), so it is reported as a rejected request, which is
  never mistaken for success. The local sandbox uses it for a malformed unknown hash.
- 102118 (failed to cancel, try later) -> ``VenueUnavailable`` (retryable)
- 100000 (unknown) and unlisted codes -> ``VenueError`` on a 4xx; on HTTP 5xx ->
  ``VenueUnavailable`` and on 429 -> ``RateLimited``, whatever the body says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from venuekit import errors
from venuekit._credentials import LoopringCredentials
from venuekit._models import CancelResult, CancelState
from venuekit._ratelimit import RateLimit
from venuekit._venues._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_bool_free_int,
    check_id,
    drop_nulls,
    error_for_status,
    excerpt,
    int_or_none,
    logger,
    not_json_success,
    redact,
    unmapped_code_error,
)
from venuekit._venues._spec import Action, CredentialKind, Venue, VenueSpec
from venuekit.auth import LoopringAuth

__all__ = [
    "ERROR_CODES",
    "LOOPRING_ORDER_STATUSES",
    "SPEC",
    "LoopringCancelResponse",
    "interpret_cancel",
    "prepare_cancel",
]

VENUE = Venue.LOOPRING
#: The cancel endpoint (no OpenAPI spec exists, so the path lives here).
CANCEL_PATH = "/api/v3/order"

#: Loopring's documented order statuses (seed 004). Others are kept as sent.
LOOPRING_ORDER_STATUSES = frozenset(
    {"processing", "processed", "cancelling", "cancelled", "expired", "failed"}
)


def _optional_bool(value: object) -> bool | None:
    """Read a JSON boolean; the docs' own example sends ``"false"`` as a string."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ValueError(f"expected a boolean, got {type(value).__name__}")


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"expected a string, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class LoopringCancelResponse:
    """Loopring's answer to ``DELETE /api/v3/order`` (seed 004's response table).

    ``status`` is kept exactly as sent (documented values: ``LOOPRING_ORDER_STATUSES``); fields the
    documentation does not list are kept in ``additional_properties``::

        >>> r = LoopringCancelResponse.from_dict(
        ...     {"hash": "0x05a9", "clientOrderId": "c1", "status": "cancelled", "isIdempotent": False}
        ... )
        >>> (r.hash, r.client_order_id, r.status, r.is_idempotent)
        ('0x05a9', 'c1', 'cancelled', False)
    """

    #: The order hash (Loopring's order id).
    hash: str
    #: The client-side order id given when the order was submitted, if any.
    client_order_id: str | None = None
    #: The order status as Loopring sent it, e.g. ``"cancelled"``.
    status: str
    #: True when the same request was already processed (documented as a boolean).
    is_idempotent: bool | None = None
    #: Fields Loopring sent that the documentation does not list.
    additional_properties: Mapping[str, object] = attrs.field(factory=dict, repr=False, hash=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoopringCancelResponse:
        """Build the model from a decoded JSON object; ``ValueError`` when it does not fit.

        Example: ``LoopringCancelResponse.from_dict({"hash": "0x1", "status": "cancelling"})``.
        """
        rest = dict(data)
        order_hash = _optional_str(rest.pop("hash", None))
        status = _optional_str(rest.pop("status", None))
        if order_hash is None or status is None:
            raise ValueError("Loopring cancel response lacks 'hash' or 'status'")
        return cls(
            hash=order_hash,
            client_order_id=_optional_str(rest.pop("clientOrderId", None)),
            status=status,
            is_idempotent=_optional_bool(rest.pop("isIdempotent", None)),
            additional_properties=rest,
        )


#: Loopring statuses that mean the order is cancelled; any other status on success is pending.
_CANCELLED_STATUSES = frozenset({"cancelled"})

#: Loopring error code -> (error class, field at fault).
ERROR_CODES: dict[int, tuple[type[errors.VenueError], str | None]] = {
    104001: (errors.AuthenticationError, None),  # empty API key
    104002: (errors.AuthenticationError, None),  # invalid API key
    104003: (errors.VenueRejectedRequest, "account_id"),  # invalid account id
    104004: (errors.AuthenticationError, None),  # no signature
    104005: (errors.AuthenticationError, None),  # wrong signature
    107002: (errors.VenueRejectedRequest, "order_hash"),  # orderHash empty
    107003: (errors.OrderNotFound, None),  # order does not exist
    102117: (errors.OrderAlreadyDone, None),  # no orders to cancel
    102118: (errors.VenueUnavailable, None),  # failed to cancel, try later
    102120: (errors.VenueRejectedRequest, "order_hash"),  # order not valid (see module doc)
    100000: (errors.VenueError, None),  # unknown error
}


def prepare_cancel(
    *,
    order_hash: str | None = None,
    client_order_id: str | None = None,
    account_id: int | None = None,
    default_account_id: int | None = None,
) -> PreparedCancel:
    """Validate the arguments and build the request; ``InvalidRequest`` naming the field.

    Exactly one of ``order_hash`` / ``client_order_id``; ``account_id`` defaults to
    ``default_account_id`` (the credentials' account) and must be an ``int`` (not ``bool``).

        >>> prepare_cancel(order_hash="0xab", account_id=7).params
        (('accountId', '7'), ('orderHash', '0xab'))
    """
    if order_hash is not None and client_order_id is not None:
        raise errors.InvalidRequest(
            "pass order_hash or client_order_id, not both", field="client_order_id", venue=VENUE
        )
    if order_hash is None and client_order_id is None:
        raise errors.InvalidRequest(
            "order_hash or client_order_id is required", field="order_hash", venue=VENUE
        )
    chosen = account_id if account_id is not None else default_account_id
    if chosen is None:
        raise errors.InvalidRequest("account_id is required", field="account_id", venue=VENUE)
    account = check_bool_free_int(chosen, field="account_id")
    if order_hash is not None:
        value = check_id(order_hash, field="order_hash", path_segment=False)
        params = (("accountId", str(account)), ("orderHash", value))
        return PreparedCancel(
            venue=VENUE,
            method="DELETE",
            url=CANCEL_PATH,
            params=params,
            order_id=value,
            id_field="order_hash",
        )
    value = check_id(client_order_id, field="client_order_id", path_segment=False)
    return PreparedCancel(
        venue=VENUE,
        method="DELETE",
        url=CANCEL_PATH,
        params=(("accountId", str(account)), ("clientOrderId", value)),
        client_order_id=value,
        id_field="client_order_id",
    )


def interpret_cancel(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """Turn Loopring's answer into a ``CancelResult`` or raise the mapped error.

    Status ``cancelled`` gives ``CANCELLED``; any other status (``cancelling``, ``processing``,
    unknown words) gives ``CANCEL_PENDING`` with the word kept in ``venue_status``. A 2xx body
    that is not JSON raises ``VenueError``; one that does not fit ``LoopringCancelResponse`` is
    still a success with ``response=None``.
    """
    try:
        body = raw.json()
    except NotJSONError:
        body = NotJSONError
    failure = _error_info(body)
    if not 200 <= raw.status_code < 300 or failure is not None:
        raise _error(raw, body, failure)
    if body is NotJSONError:
        raise not_json_success(VENUE, raw)
    fields: dict[str, Any] = drop_nulls(body) if isinstance(body, dict) else {}
    model: LoopringCancelResponse | None = None
    try:
        model = LoopringCancelResponse.from_dict(fields) if isinstance(body, dict) else None
    except ValueError as exc:
        logger.warning(
            "loopring: cancel succeeded (HTTP %s) but the body does not fit the documented "
            "response (%s); result.response is None, see result.raw",
            raw.status_code,
            exc,
        )
    if model is None and not isinstance(body, dict):
        logger.warning(
            "loopring: cancel succeeded (HTTP %s) but the body is a JSON %s, not an object; "
            "result.response is None, see result.raw",
            raw.status_code,
            type(body).__name__,
        )
    status = fields.get("status")
    venue_status = status if isinstance(status, str) else None
    order_hash = fields.get("hash")
    client_order_id = fields.get("clientOrderId")
    return CancelResult(
        venue=VENUE,
        order_id=order_hash if isinstance(order_hash, str) else prepared.order_id,
        client_order_id=(
            client_order_id if isinstance(client_order_id, str) else prepared.client_order_id
        ),
        state=(
            CancelState.CANCELLED
            if venue_status in _CANCELLED_STATUSES
            else CancelState.CANCEL_PENDING
        ),
        venue_status=venue_status,
        response=model,
        raw=body,
    )


def _error_info(body: object) -> tuple[int | None, str] | None:
    """``(code, message)`` when ``body`` is a Loopring error object (either form), else ``None``.

    Code 0 is Loopring's "success"; an object with a ``hash`` is a success whatever else it holds.
    """
    if not isinstance(body, dict) or "hash" in body:
        return None
    info = body.get("resultInfo")
    source: dict[str, Any] = info if isinstance(info, dict) else body
    if "code" not in source:
        return None
    code = int_or_none(source.get("code"))
    if code == 0:
        return None
    text = source.get("message", source.get("msg"))
    return code, text if isinstance(text, str) else ""


def _error(
    raw: RawResponse,
    body: object,
    failure: tuple[int | None, str] | None,
) -> errors.VenueError:
    status = raw.status_code
    if failure is None:
        return error_for_status(
            VENUE,
            raw,
            message=excerpt(raw.content, raw.secrets) if isinstance(body, dict) else None,
        )
    code, text = failure
    message = redact(text, raw.secrets) or excerpt(raw.content, raw.secrets)
    known = ERROR_CODES.get(code) if code is not None else None
    if known is None or known[0] is errors.VenueError:  # no specific meaning (100000 "unknown")
        return unmapped_code_error(VENUE, raw, message=message, code=code)
    cls, field = known
    if issubclass(cls, errors.VenueRejectedRequest):
        return cls(message, field=field, venue=VENUE, status_code=status, code=code)
    return cls(message, venue=VENUE, status_code=status, code=code)


def _prepare(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    return prepare_cancel(
        order_hash=arguments.get("order_hash"),  # type: ignore[arg-type]  # checked inside
        client_order_id=arguments.get("client_order_id"),  # type: ignore[arg-type]
        account_id=arguments.get("account_id"),  # type: ignore[arg-type]
        default_account_id=(
            credentials.account_id if isinstance(credentials, LoopringCredentials) else None
        ),
    )


def _from_env(values: Mapping[str, str]) -> LoopringCredentials:
    text = values["account_id"].strip()
    if not text.isdecimal():
        raise errors.InvalidCredentials(
            "VENUEKIT_LOOPRING_ACCOUNT_ID must be a decimal integer",
            field="VENUEKIT_LOOPRING_ACCOUNT_ID",
            venue=VENUE,
        )
    return LoopringCredentials(
        api_key=values["api_key"],
        eddsa_private_key=values["eddsa_private_key"],
        account_id=int(text),
    )


SPEC = VenueSpec(
    venue=VENUE,
    title="Loopring v3",
    status="reported offline since the relayer shut down in June 2026; documented API kept",
    credentials=(
        CredentialKind(
            type=LoopringCredentials,
            env=(
                ("api_key", "VENUEKIT_LOOPRING_API_KEY"),
                ("eddsa_private_key", "VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY"),
                ("account_id", "VENUEKIT_LOOPRING_ACCOUNT_ID"),
            ),
            auth=LoopringAuth,
            base_url="https://api3.loopring.io",
            rate_key=lambda credentials: credentials.api_key,
            from_env=_from_env,
        ),
    ),
    sandbox_base_url="https://uat2.loopring.io",
    # 5 requests/s, 429 beyond; no documented burst: the bucket holds one second of requests.
    rate_limit=RateLimit(rate=5, burst=5),
    clock_window=None,  # signs no timestamp
    fields=("order_hash", "client_order_id", "account_id"),
    cancel=Action(prepare=_prepare, interpret=interpret_cancel),
)
