"""Deribit's venue module, I/O-free: requests built from the generated contract, answers mapped.

The error codes and envelope are those of Deribit's complete error table (errors.mdx, kept under
specs/upstream/deribit/); the order fields are the spec's ``order`` schema.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from venuekit import CancelState, GroupCancelResult, Venue, errors
from venuekit._venues import RawResponse, deribit

CANCEL = deribit.prepare_cancel(order_id="ETH-349249")


def raw(status: int, body: Any, content: bytes | None = None) -> RawResponse:
    return RawResponse(
        status_code=status,
        headers=httpx.Headers({"content-type": "application/json"}),
        content=content if content is not None else json.dumps(body).encode(),
        now=1_700_000_000.0,
    )


def envelope(result: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 7,
        "result": result,
        "usIn": 1_700_000_000_100_000,
        "usOut": 1_700_000_000_100_250,
        "usDiff": 250,
        "testnet": True,
    }


def failure(code: int, message: str, **data: str) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": 7, "error": error, "usIn": 1, "usOut": 2, "usDiff": 1}


ORDER = {
    "order_id": "ETH-349249",
    "order_state": "cancelled",
    "order_type": "limit",
    "time_in_force": "good_til_cancelled",
    "creation_timestamp": 1_700_000_000_000,
    "last_update_timestamp": 1_700_000_000_100,
    "direction": "buy",
    "price": 1.5,
    "amount": 10,
    "filled_amount": 0,
    "label": "grid-7",
    "post_only": False,
    "api": True,
    "instrument_name": "ETH-PERPETUAL",
    "cancel_reason": "user_request",
}


# --- requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prepared", "target"),
    [
        (CANCEL, "/private/cancel?order_id=ETH-349249"),
        (
            deribit.prepare_cancel(order_id="a b&c=d"),
            "/private/cancel?order_id=a%20b%26c%3Dd",
        ),
        (deribit.prepare_cancel_by_label(label="grid-7"), "/private/cancel_by_label?label=grid-7"),
        (
            deribit.prepare_cancel_by_label(label="grid-7", currency="BTC"),
            "/private/cancel_by_label?label=grid-7&currency=BTC",
        ),
        (deribit.prepare_cancel_all(), "/private/cancel_all"),
        (
            deribit.prepare_cancel_all(currency="BTC"),
            "/private/cancel_all_by_currency?currency=BTC",
        ),
        (
            deribit.prepare_cancel_all(currency="ETH", kind="option"),
            "/private/cancel_all_by_currency?currency=ETH&kind=option",
        ),
        (
            deribit.prepare_cancel_all(instrument_name="BTC-PERPETUAL"),
            "/private/cancel_all_by_instrument?instrument_name=BTC-PERPETUAL",
        ),
    ],
)
def test_requests_follow_the_generated_contract(prepared: Any, target: str) -> None:
    assert prepared.method == "GET"
    assert prepared.target() == target


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: deribit.prepare_cancel(order_id=""), "order_id"),
        (lambda: deribit.prepare_cancel(order_id="x\n"), "order_id"),
        (lambda: deribit.prepare_cancel_by_label(label="x" * 65), "label"),
        (lambda: deribit.prepare_cancel_by_label(label=" "), "label"),
        (lambda: deribit.prepare_cancel_all(kind="future"), "kind"),
        (
            lambda: deribit.prepare_cancel_all(currency="BTC", instrument_name="BTC-PERPETUAL"),
            "instrument_name",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(build: Any, field: str) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        build()
    assert caught.value.field == field


# --- answers ---------------------------------------------------------------------------------------


def test_a_cancelled_order_is_cancelled_with_exact_numbers() -> None:
    # The price as a JSON number with more digits than a float holds: it must stay exact.
    text = json.dumps(envelope(ORDER)).replace(
        '"price": 1.5', '"price": 0.1000000000000000055511151231257827'
    )
    result = deribit.interpret_cancel(CANCEL, raw(200, None, text.encode()))
    assert result.state is CancelState.CANCELLED
    assert result.venue is Venue.DERIBIT
    assert (result.order_id, result.client_order_id) == ("ETH-349249", "grid-7")
    assert result.venue_status == "cancelled"
    assert result.price == Decimal("0.1000000000000000055511151231257827")
    assert result.size == Decimal("10")


def test_market_price_is_kept_not_turned_into_a_number() -> None:
    order = {**ORDER, "price": "market_price"}
    result = deribit.interpret_cancel(CANCEL, raw(200, envelope(order)))
    assert result.price is None
    assert isinstance(result.raw, dict)
    assert result.raw["price"] == "market_price"


@pytest.mark.parametrize("state", ["open", "untriggered", "triggered"])
def test_an_order_still_open_is_pending_never_cancelled(state: str) -> None:
    result = deribit.interpret_cancel(CANCEL, raw(200, envelope({**ORDER, "order_state": state})))
    assert result.state is CancelState.CANCEL_PENDING
    assert result.venue_status == state


@pytest.mark.parametrize("state", ["filled", "rejected", "mystery", None])
def test_an_order_gone_otherwise_is_an_error_never_cancelled_nor_already_done(
    state: str | None,
) -> None:
    with pytest.raises(errors.VenueError) as caught:
        deribit.interpret_cancel(CANCEL, raw(200, envelope({**ORDER, "order_state": state})))
    assert type(caught.value) is errors.VenueError


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (10004, errors.OrderNotFound),
        (11044, errors.OrderAlreadyDone),
        (10010, errors.OrderAlreadyDone),
        (10028, errors.RateLimited),
        (10047, errors.RateLimited),
        (13004, errors.AuthenticationError),
        (13009, errors.AuthenticationError),
        (13021, errors.AuthenticationError),
        (-32602, errors.VenueRejectedRequest),
        (11029, errors.VenueRejectedRequest),
        (11050, errors.VenueRejectedRequest),
        (10009, errors.VenueError),  # not_enough_funds: a code with no special meaning here
        (-32601, errors.VenueError),  # Method not found
    ],
)
@pytest.mark.parametrize("status", [200, 400])
def test_every_error_code_maps_whatever_the_http_status(
    code: int, cls: type[errors.VenueError], status: int
) -> None:
    with pytest.raises(errors.VenueError) as caught:
        deribit.interpret_cancel(CANCEL, raw(status, failure(code, "some_reason")))
    assert type(caught.value) is cls
    assert caught.value.code == code
    assert caught.value.venue is Venue.DERIBIT
    assert caught.value.retryable is (cls is errors.RateLimited)


def test_a_rejected_request_names_the_parameter_the_venue_names() -> None:
    with pytest.raises(errors.VenueRejectedRequest) as caught:
        deribit.interpret_cancel(
            CANCEL, raw(400, failure(-32602, "Invalid params", param="order_id", reason="bad"))
        )
    assert caught.value.field == "order_id"
    assert "bad" in caught.value.message


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (200, b"<html>ok</html>", errors.VenueError),
        (502, b"<html>bad gateway</html>", errors.VenueUnavailable),
        (429, b"slow down", errors.RateLimited),
        (404, b"<html>no such page</html>", errors.VenueError),
        (200, b'{"jsonrpc": "2.0"}', errors.VenueError),
    ],
)
def test_answers_that_are_no_json_rpc_envelope(
    status: int, content: bytes, cls: type[errors.VenueError]
) -> None:
    with pytest.raises(errors.VenueError) as caught:
        deribit.interpret_cancel(CANCEL, raw(status, None, content))
    assert type(caught.value) is cls


@pytest.mark.parametrize(
    ("prepared", "action"),
    [
        (deribit.prepare_cancel_by_label(label="grid-7"), "cancel_by_label"),
        (deribit.prepare_cancel_all(), "cancel_all"),
        (deribit.prepare_cancel_all(currency="BTC"), "cancel_all_by_currency"),
    ],
)
def test_group_cancels_return_the_venues_count(prepared: Any, action: str) -> None:
    result = deribit.interpret_group(prepared, raw(200, envelope(3)))
    assert result == GroupCancelResult(venue=Venue.DERIBIT, action=action, cancelled_count=3)
    with pytest.raises(errors.VenueError):
        deribit.interpret_group(prepared, raw(200, envelope({"detailed": True})))


def test_the_venue_clock_is_read_from_usout() -> None:
    reading = deribit.SPEC.clock_reading
    assert reading is not None
    got = reading(raw(200, envelope(0)))
    assert got is not None
    offset, uncertainty = got
    assert offset == pytest.approx(0.10025)
    assert 0 < uncertainty <= 1.0
