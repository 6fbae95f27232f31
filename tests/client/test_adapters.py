"""The I/O-free adapters: argument checks, response typing and parsing helpers, no client."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cancels import PREPARED, VENUE_ERRORS, error_id, rejected

from coinbase_intx_api.models.order_result_v1 import OrderResultV1
from venuekit import CancelResult, CancelState, LoopringCancelResponse, Venue, errors
from venuekit._policy import parse_retry_after  # the one parser, used by the adapters
from venuekit._venues import (
    PreparedCancel,
    RawResponse,
    coinbase_exchange,
    coinbase_intx,
    interpret,
    loopring,
)
from venuekit._venues._common import parse_json_exact

DATA = Path(__file__).parent.parent / "data"


def answer(
    prepared: PreparedCancel, status: int, content: bytes, headers: dict[str, str] | None = None
) -> CancelResult:
    raw = RawResponse(
        status_code=status, headers=httpx.Headers(headers or {}), content=content, now=1000.0
    )
    return interpret(prepared, raw)


def untyped(value: object) -> Any:
    """Let a deliberately ill-typed argument past the type checker."""
    return value


INTX = coinbase_intx.prepare_cancel(order_id="43877033468085760", portfolio="p-1")


# --- every venue's error mapping (the one place it is tested) -----------------------------------


@pytest.mark.parametrize(
    ("venue", "status", "body", "expected"),
    VENUE_ERRORS,
    ids=[error_id(row) for row in VENUE_ERRORS],
)
def test_every_documented_venue_error_maps_to_its_class(
    venue: Venue, status: int, body: dict[str, Any], expected: type[Exception]
) -> None:
    # Moved here from tests/client/test_client.py; the client-level test checks that the client
    # raises exactly this error (test_the_client_raises_the_error_the_venue_module_maps_...).
    with pytest.raises(errors.VenueError) as caught:
        answer(PREPARED[venue], status, json.dumps(body).encode(), {"Retry-After": "7"})

    error = caught.value
    assert type(error) is expected
    assert error.venue is venue
    assert error.status_code == status
    info = body.get("resultInfo") or body.get("error") or body
    text = info.get("message") or info.get("msg") or info.get("title")
    assert text in error.message
    assert text in str(error)
    if venue in (Venue.LOOPRING, Venue.DERIBIT) and "code" in info:
        assert error.code == info["code"]
    if isinstance(error, errors.RateLimited):
        assert error.retry_after == 7.0
    assert error.attempts == 0  # the adapter judges one answer; the engine adds the record


def test_venue_rejected_request_names_the_field_when_known() -> None:
    # Moved here from tests/client/test_client.py: the field is the venue module's judgement.
    with pytest.raises(errors.VenueRejectedRequest) as caught:
        answer(
            PREPARED[Venue.LOOPRING],
            400,
            json.dumps(rejected(104003, "invalid account id")).encode(),
        )
    assert caught.value.field == "account_id"
    # The venue answered: an answer error (issue 10), no longer an InvalidRequest ("nothing sent").
    assert isinstance(caught.value, errors.VenueAnswerError)
    assert not isinstance(caught.value, errors.InvalidRequest)

    by_client_oid = coinbase_exchange.prepare_cancel(client_oid="oid-1")
    with pytest.raises(errors.VenueRejectedRequest) as caught:
        answer(by_client_oid, 400, b'{"message": "Invalid order id"}')
    assert caught.value.field == "client_oid"


# --- INTX: the documented example and tolerance ------------------------------------------------


def test_intx_docs_example_parses_exactly() -> None:
    example = json.loads((DATA / "intx_cancel_example.json").read_text())
    result = answer(INTX, 200, example["body"].encode())

    assert result.order_id == "43877033468085760"
    assert result.price == Decimal("20215.53")
    assert result.size == Decimal("1.5423")
    assert isinstance(result.response, OrderResultV1)
    assert result.response.order_id == "43877033468085760"
    assert result.response.instrument_id == "2562519737567269"
    assert result.response.portfolio_id == "1724343681801273"
    assert result.response.price == "20215.53"
    assert result.client_order_id == "ABC123"
    # The docs' example says the order is still WORKING (last event TRADE): a 200 is only
    # CANCELLED when the body says so; this one is pending, with the venue's word kept.
    assert result.state is CancelState.CANCEL_PENDING
    assert result.venue_status == "TRADE"
    assert result.venue is Venue.COINBASE_INTX


def test_intx_unknown_enum_values_are_kept_raw_and_still_cancelled() -> None:
    body = {"order_id": 1, "side": "SIDEWAYS", "event_type": "CANCELED", "tif": "FOREVER"}
    result = answer(INTX, 200, json.dumps(body).encode())

    assert result.state is CancelState.CANCELLED
    assert result.venue_status == "CANCELED"
    assert isinstance(result.response, OrderResultV1)
    assert result.response.side == "SIDEWAYS"
    assert not result.response.side.is_known
    assert result.response.tif == "FOREVER"


@pytest.mark.parametrize(
    "body",
    [
        {"order_id": 1, "event_type": "VANISHED"},  # a word venuekit does not know
        {"order_id": "9", "order_status": "DONE"},  # done, but by a fill or a cancel?
        {"order_id": "9", "event_type": "TRADE", "order_status": "DONE"},  # filled
        {"order_id": "9"},  # no word at all
        [],  # not an object
    ],
)
def test_an_intx_200_that_does_not_say_cancelled_is_never_cancelled(body: object) -> None:
    with pytest.raises(errors.VenueError) as caught:
        answer(INTX, 200, json.dumps(body).encode())
    assert type(caught.value) is errors.VenueError  # never "already done", never a success
    assert "does not say the order is cancelled" in caught.value.message


@pytest.mark.parametrize(
    ("event_type", "order_status", "state", "venue_status"),
    [
        ("CANCELED", "DONE", CancelState.CANCELLED, "CANCELED"),
        ("PENDING_CANCEL", "WORKING", CancelState.CANCEL_PENDING, "PENDING_CANCEL"),
        (None, "CANCELED", CancelState.CANCELLED, "CANCELED"),
        ("NEW", "WORKING", CancelState.CANCEL_PENDING, "NEW"),
        (None, "WORKING", CancelState.CANCEL_PENDING, "WORKING"),
    ],
)
def test_intx_states(
    event_type: str | None, order_status: str, state: CancelState, venue_status: str
) -> None:
    body = {"order_id": "9", "event_type": event_type, "order_status": order_status}
    result = answer(INTX, 200, json.dumps(body).encode())
    assert (result.state, result.venue_status) == (state, venue_status)


def test_intx_nulls_and_extra_fields_are_tolerated() -> None:
    body = {
        "order_id": 43877033468085760,
        "side": None,
        "price": None,
        "expire_time": None,
        "event_type": "CANCELED",
        "brand_new_field": {"nested": [1, 2.5]},
    }
    result = answer(INTX, 200, json.dumps(body).encode())

    assert isinstance(result.response, OrderResultV1)
    assert result.response.additional_properties == {"brand_new_field": {"nested": ["1", "2.5"]}}
    assert result.price is None
    assert result.order_id == "43877033468085760"


def test_intx_success_that_does_not_fit_the_model_is_still_a_success(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {"order_id": "77", "expire_time": "not a date", "event_type": "CANCELED"}
    with caplog.at_level(logging.WARNING, logger="venuekit"):
        result = answer(INTX, 200, json.dumps(body).encode())

    assert result.state is CancelState.CANCELLED
    assert result.response is None
    assert result.raw == body
    assert result.order_id == "77"
    assert "does not fit OrderResultV1" in caplog.text


def test_prices_never_go_through_float() -> None:
    body = b'{"order_id": 1, "price": 0.1000000000000000055511151231257827, "size": 1e-8, "event_type": "CANCELED"}'
    result = answer(INTX, 200, body)
    assert result.price == Decimal("0.1000000000000000055511151231257827")
    assert result.size == Decimal("1e-8")


@pytest.mark.parametrize(
    ("prepared", "venue"),
    [
        (coinbase_exchange.prepare_cancel(order_id="abc"), Venue.COINBASE_EXCHANGE),
        (INTX, Venue.COINBASE_INTX),
        (loopring.prepare_cancel(order_hash="0x1", account_id=1), Venue.LOOPRING),
    ],
)
@pytest.mark.parametrize("status", [200, 400, 404])
def test_a_body_that_is_not_json_is_a_venue_error_with_an_excerpt(
    prepared: PreparedCancel, venue: Venue, status: int
) -> None:
    body = b"<html><title>Gateway says hi</title>" + b"x" * 500 + b"</html>"
    with pytest.raises(errors.VenueError) as caught:
        answer(prepared, status, body)
    error = caught.value
    assert type(error) is errors.VenueError  # not OrderNotFound for a 404 HTML page
    assert error.status_code == status
    assert error.venue is venue
    assert "<html><title>Gateway says hi" in error.message
    assert len(str(error)) < 400


# --- Exchange --------------------------------------------------------------------------------


def test_exchange_success_by_order_id() -> None:
    prepared = coinbase_exchange.prepare_cancel(order_id="d0c5340b-6d6c-49d9-b567-48c4bfca13d2")
    result = answer(prepared, 200, b'"d0c5340b-6d6c-49d9-b567-48c4bfca13d2"')
    assert result == CancelResult(
        venue=Venue.COINBASE_EXCHANGE,
        order_id="d0c5340b-6d6c-49d9-b567-48c4bfca13d2",
        client_order_id=None,
        state=CancelState.CANCELLED,
        venue_status=None,
        response="d0c5340b-6d6c-49d9-b567-48c4bfca13d2",
    )


def test_exchange_success_by_client_oid_reports_the_client_oid() -> None:
    prepared = coinbase_exchange.prepare_cancel(client_oid="client:my-oid")
    result = answer(prepared, 200, b'"my-oid"')
    assert (result.order_id, result.client_order_id, result.response) == (None, "my-oid", "my-oid")


def test_exchange_success_with_an_unexpected_json_shape_is_still_a_success() -> None:
    prepared = coinbase_exchange.prepare_cancel(order_id="abc")
    result = answer(prepared, 200, b'{"id": "abc", "extra": null}')
    assert (result.state, result.response, result.order_id) == (CancelState.CANCELLED, None, "abc")


# --- Loopring --------------------------------------------------------------------------------

LOOPRING = loopring.prepare_cancel(order_hash="0xabc", account_id=10001)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("cancelled", CancelState.CANCELLED),
        ("cancelling", CancelState.CANCEL_PENDING),
        ("processing", CancelState.CANCEL_PENDING),
        ("something_new", CancelState.CANCEL_PENDING),
    ],
)
def test_loopring_states(status: str, state: CancelState) -> None:
    body = {"hash": "0xabc", "clientOrderId": "c-1", "status": status, "isIdempotent": False}
    result = answer(LOOPRING, 200, json.dumps(body).encode())
    assert result.state is state
    assert result.venue_status == status
    assert result.response == LoopringCancelResponse(
        hash="0xabc", client_order_id="c-1", status=status, is_idempotent=False
    )
    assert (result.order_id, result.client_order_id) == ("0xabc", "c-1")


def test_loopring_docs_example_types_are_tolerated() -> None:
    body = b'{"hash": "0x05a9", "clientOrderId": null, "status": "cancelled", '
    body += b'"isIdempotent": "false", "newField": 3}'
    result = answer(LOOPRING, 200, body)
    assert isinstance(result.response, LoopringCancelResponse)
    assert result.response.is_idempotent is False
    assert result.response.client_order_id is None
    assert result.response.additional_properties == {"newField": "3"}


def test_loopring_success_that_does_not_fit_is_still_a_success() -> None:
    result = answer(LOOPRING, 200, b'{"status": "cancelled"}')
    assert (result.state, result.response, result.order_id) == (
        CancelState.CANCELLED,
        None,
        "0xabc",
    )


def test_loopring_error_object_on_http_200_is_still_an_error() -> None:
    body = b'{"resultInfo": {"code": 107003, "message": "order does not exist"}}'
    with pytest.raises(errors.OrderNotFound) as caught:
        answer(LOOPRING, 200, body)
    assert caught.value.code == 107003


# --- argument checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: coinbase_exchange.prepare_cancel(), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id="a", client_oid="b"), "client_oid"),
        (lambda: coinbase_exchange.prepare_cancel(order_id=""), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id="  \t"), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id="."), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id=".."), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(client_oid="client:"), "client_oid"),
        (lambda: coinbase_exchange.prepare_cancel(client_oid=" "), "client_oid"),
        (lambda: coinbase_exchange.prepare_cancel(order_id=untyped(123)), "order_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id="a", product_id=""), "product_id"),
        (lambda: coinbase_exchange.prepare_cancel(order_id="a", profile_id=" "), "profile_id"),
        (lambda: coinbase_intx.prepare_cancel(order_id="", portfolio="p"), "order_id"),
        (lambda: coinbase_intx.prepare_cancel(order_id="..", portfolio="p"), "order_id"),
        (lambda: coinbase_intx.prepare_cancel(order_id="1", portfolio=""), "portfolio"),
        (lambda: coinbase_intx.prepare_cancel(order_id="1", portfolio=untyped(None)), "portfolio"),
        (lambda: loopring.prepare_cancel(account_id=1), "order_hash"),
        (
            lambda: loopring.prepare_cancel(order_hash="0x1", client_order_id="c", account_id=1),
            "client_order_id",
        ),
        (lambda: loopring.prepare_cancel(order_hash="0x1"), "account_id"),
        (lambda: loopring.prepare_cancel(order_hash="0x1", account_id=True), "account_id"),
        (
            lambda: loopring.prepare_cancel(order_hash="0x1", account_id=untyped("10001")),
            "account_id",
        ),
        (lambda: loopring.prepare_cancel(order_hash="0x1", account_id=untyped(1.0)), "account_id"),
        (lambda: loopring.prepare_cancel(order_hash="0x1", account_id=-1), "account_id"),
        (lambda: loopring.prepare_cancel(order_hash=" ", account_id=1), "order_hash"),
        (lambda: loopring.prepare_cancel(client_order_id="", account_id=1), "client_order_id"),
    ],
)
def test_bad_arguments_raise_invalid_request_naming_the_field(build: object, field: str) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
    assert field in str(caught.value)
    assert caught.value.status_code is None
    assert not isinstance(caught.value, errors.VenueRejectedRequest)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"client_oid": "abc"}, "/orders/client:abc"),
        ({"client_oid": "client:abc"}, "/orders/client:abc"),
        ({"order_id": "client:abc"}, "/orders/client:abc"),
        ({"client_oid": "a:b/c"}, "/orders/client:a%3Ab%2Fc"),
        ({"order_id": "abc"}, "/orders/abc"),
    ],
)
def test_exchange_client_namespace_is_added_exactly_once(kwargs: dict[str, str], path: str) -> None:
    assert coinbase_exchange.prepare_cancel(**kwargs).url == path


def test_loopring_account_id_defaults_to_the_credentials() -> None:
    prepared = loopring.prepare_cancel(client_order_id="c 1", default_account_id=7)
    assert prepared.params == (("accountId", "7"), ("clientOrderId", "c 1"))
    explicit = loopring.prepare_cancel(client_order_id="c", account_id=8, default_account_id=7)
    assert explicit.params[0] == ("accountId", "8")


# --- helpers ---------------------------------------------------------------------------------


def test_exact_json_keeps_big_ids_and_decimal_text() -> None:
    assert parse_json_exact(b'{"a": 123456789012345678901, "b": 1.10, "c": [true, null]}') == {
        "a": "123456789012345678901",
        "b": "1.10",
        "c": [True, None],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("3", 3.0),
        ("0.5", 0.5),
        ("-1", 0.0),  # a negative delay means "now"
        ("nan", None),
        ("soon", None),
        ("Thu, 01 Jan 1970 00:16:50 GMT", 10.0),  # now = 1000
        ("Thu, 01 Jan 1970 00:00:01 GMT", 0.0),  # in the past
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1000.0) == expected


def test_rate_limited_carries_retry_after_from_an_http_date() -> None:
    prepared = coinbase_exchange.prepare_cancel(order_id="abc")
    with pytest.raises(errors.RateLimited) as caught:
        answer(
            prepared,
            429,
            b'{"message": "Private rate limit exceeded"}',
            {"Retry-After": "Thu, 01 Jan 1970 00:16:42 GMT"},
        )
    assert caught.value.retry_after == 2.0
    assert caught.value.retryable
