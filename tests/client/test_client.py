"""Client and AsyncClient end to end over httpx.MockTransport (each test runs for both).

What went on the wire is asserted as the request line (method + raw path with query), so a
reader sees exactly what a venue would have received.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from cancels import (
    CANCELS,
    EXCHANGE_CANCEL,
    INTX_CANCEL,
    LOOPRING_CANCEL,
    PREPARED,
    VENUE_ERRORS,
    error_id,
)
from harness import EXCHANGE_SECRET, INTX_SECRET, Harness

import venuekit
from coinbase_intx_api.models.order_result_v1 import OrderResultV1
from venuekit import CancelState, LoopringCancelResponse, Venue, errors
from venuekit._signing import coinbase, loopring
from venuekit._venues import RawResponse, interpret

Call = Any


def adapters_error(venue: Venue, status: int, body: Any, headers: dict[str, str]) -> Any:
    """The error the venue module maps this answer to (the mapping is tested in test_adapters)."""
    raw = RawResponse(
        status_code=status,
        headers=httpx.Headers({"content-type": "application/json", **headers}),
        content=json.dumps(body).encode(),
        now=time.time(),
    )
    with pytest.raises(errors.VenueError) as caught:
        interpret(PREPARED[venue], raw)
    return caught.value


@pytest.mark.parametrize("row", VENUE_ERRORS, ids=[error_id(row) for row in VENUE_ERRORS])
def test_the_client_raises_the_error_the_venue_module_maps_with_the_calls_record(
    harness: Any, row: tuple[Any, ...]
) -> None:
    # Which class each documented answer maps to is asserted once, at the adapter level
    # (test_adapters.py::test_every_documented_venue_error_maps_to_its_class). The client's job:
    # raise exactly that error (class, fields, message), with the call's record.
    venue, status, body, _ = row
    headers = {"Retry-After": "7"}
    with pytest.raises(errors.VenueError) as caught:  # one attempt: the mapping is the subject
        harness.run(harness.json(status, body, **headers), CANCELS[venue], attempts=1)

    error = caught.value
    expected = adapters_error(venue, status, body, headers)
    assert type(error) is type(expected)
    assert error.venue is venue
    assert (error.status_code, error.code, error.message) == (
        expected.status_code,
        expected.code,
        expected.message,
    )
    assert str(error) == str(expected)
    assert getattr(error, "field", None) == getattr(expected, "field", None)
    assert getattr(error, "retry_after", None) == getattr(expected, "retry_after", None)
    assert len(harness.requests) == 1
    assert error.attempts == 1
    assert [(r.number, r.status_code, r.error) for r in error.history] == [
        (1, status, type(expected).__name__)
    ]


# --- successes -----------------------------------------------------------------------------


def test_exchange_success(harness: Any) -> None:
    result = harness.run(
        harness.json(200, "abc"),
        lambda c: c.coinbase_exchange.cancel_order(order_id="abc", product_id="BTC-USD"),
    )
    assert harness.wire_line == "DELETE /orders/abc?product_id=BTC-USD"
    assert result.venue is Venue.COINBASE_EXCHANGE
    assert (result.order_id, result.state, result.response) == ("abc", CancelState.CANCELLED, "abc")


def test_intx_success_keeps_17_digit_ids_exact(harness: Any) -> None:
    body = b'{"order_id": 43877033468085760, "price": 20215.53, "event_type": "CANCELED"}'
    result = harness.run(
        harness.raw(200, body, **{"content-type": "application/json"}),
        lambda c: c.coinbase_intx.cancel_order(order_id="43877033468085760", portfolio="p-1"),
    )
    assert harness.wire_line == "DELETE /api/v1/orders/43877033468085760?portfolio=p-1"
    assert result.order_id == "43877033468085760"
    assert str(result.price) == "20215.53"
    assert isinstance(result.response, OrderResultV1)
    assert result.state is CancelState.CANCELLED


def test_loopring_success(harness: Any) -> None:
    body = {"hash": "0xabc", "clientOrderId": None, "status": "cancelling", "isIdempotent": False}
    result = harness.run(harness.json(200, body), LOOPRING_CANCEL)
    assert harness.wire_line == "DELETE /api/v3/order?accountId=10001&orderHash=0xabc"
    assert result.state is CancelState.CANCEL_PENDING
    assert result.venue_status == "cancelling"
    assert isinstance(result.response, LoopringCancelResponse)


# --- path safety ---------------------------------------------------------------------------

HOSTILE_IDS = [
    ("../accounts", "..%2Faccounts"),
    ("a/b", "a%2Fb"),
    ("x?y=1", "x%3Fy%3D1"),
    ("x#y", "x%23y"),
    ("%2F", "%252F"),
    ("..%2F..", "..%252F.."),
    ("a b", "a%20b"),
    (" ", None),
    ("ü€", "%C3%BC%E2%82%AC"),
    ("&portfolio=other", "%26portfolio%3Dother"),
    (".", None),
    ("..", None),
]


def _assert_single_segment(request: httpx.Request, prefix: bytes, encoded: str) -> None:
    path, _, _ = request.url.raw_path.partition(b"?")
    assert path.startswith(prefix)
    rest = path[len(prefix) :]
    assert rest == encoded.encode()
    assert b"/" not in rest


@pytest.mark.parametrize(("order_id", "encoded"), HOSTILE_IDS)
def test_hostile_exchange_ids_stay_on_the_cancel_endpoint(
    harness: Any, order_id: str, encoded: str | None
) -> None:
    def cancel(c: Any) -> Any:
        return c.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")

    if encoded is None:
        with pytest.raises(errors.InvalidRequest) as caught:
            harness.run(harness.json(200, order_id), cancel)
        assert caught.value.field == "order_id"
        assert harness.requests == []
        return
    harness.run(harness.json(200, order_id), cancel)
    assert harness.wire_line == f"DELETE /orders/{encoded}?product_id=BTC-USD"
    request = harness.requests[0]
    _assert_single_segment(request, b"/orders/", encoded)
    assert request.url.host == "exchange.test"
    assert list(request.url.params.multi_items()) == [("product_id", "BTC-USD")]
    _assert_exchange_signature(request)


@pytest.mark.parametrize(("order_id", "encoded"), HOSTILE_IDS)
def test_hostile_intx_ids_stay_on_the_cancel_endpoint(
    harness: Any, order_id: str, encoded: str | None
) -> None:
    def cancel(c: Any) -> Any:
        return c.coinbase_intx.cancel_order(order_id=order_id, portfolio="p-1")

    if encoded is None:
        with pytest.raises(errors.InvalidRequest) as caught:
            harness.run(harness.json(200, {}), cancel)
        assert caught.value.field == "order_id"
        assert harness.requests == []
        return
    harness.run(harness.json(200, {"order_id": "1", "event_type": "CANCELED"}), cancel)
    assert harness.wire_line == f"DELETE /api/v1/orders/{encoded}?portfolio=p-1"
    request = harness.requests[0]
    _assert_single_segment(request, b"/api/v1/orders/", encoded)
    assert list(request.url.params.multi_items()) == [("portfolio", "p-1")]
    _assert_intx_signature(request)


@pytest.mark.parametrize("value", ["../accounts", "x&accountId=1", "x#y", "a b", "ü", "%2F"])
def test_hostile_loopring_values_stay_in_their_query_parameter(harness: Any, value: str) -> None:
    harness.run(
        harness.json(200, {"hash": "0x1", "status": "cancelled"}),
        lambda c: c.loopring.cancel_order(client_order_id=value),
    )
    request = harness.requests[0]
    assert request.url.raw_path.startswith(b"/api/v3/order?")
    assert list(request.url.params.multi_items()) == [
        ("accountId", "10001"),
        ("clientOrderId", value),
    ]
    _assert_loopring_signature(request)


def _assert_exchange_signature(request: httpx.Request) -> None:
    prehash = coinbase.exchange_prehash(
        timestamp=request.headers["CB-ACCESS-TIMESTAMP"],
        method=request.method,
        request_path=request.url.raw_path.decode("ascii"),  # as sent, with ?query
    )
    secret = coinbase.decode_secret(EXCHANGE_SECRET)
    assert request.headers["CB-ACCESS-SIGN"] == coinbase.signature(
        secret_key=secret, prehash=prehash
    )


def _assert_intx_signature(request: httpx.Request) -> None:
    prehash = coinbase.intx_prehash(
        timestamp=request.headers["CB-ACCESS-TIMESTAMP"],
        method=request.method,
        request_path=request.url.raw_path.partition(b"?")[0].decode("ascii"),
    )
    secret = coinbase.decode_secret(INTX_SECRET)
    assert request.headers["CB-ACCESS-SIGN"] == coinbase.signature(
        secret_key=secret, prehash=prehash
    )


def _assert_loopring_signature(request: httpx.Request) -> None:
    creds = Harness.loopring
    base = loopring.signature_base(
        method="DELETE",
        url="https://loopring.test/api/v3/order",
        params=parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True),
    )
    assert loopring.verify(creds.public_key, loopring.message(base), request.headers["X-API-SIG"])
    assert request.headers["X-API-KEY"] == creds.api_key


@pytest.mark.parametrize(
    ("kwargs", "line"),
    [
        ({"client_oid": "oid-1"}, "DELETE /orders/client:oid-1"),
        ({"client_oid": "client:oid-1"}, "DELETE /orders/client:oid-1"),
        ({"order_id": "client:oid-1"}, "DELETE /orders/client:oid-1"),
        ({"client_oid": "a/b"}, "DELETE /orders/client:a%2Fb"),
    ],
)
def test_client_oid_gets_the_namespace_once(
    harness: Any, kwargs: dict[str, str], line: str
) -> None:
    result = harness.run(
        harness.json(200, "oid-1"), lambda c: c.coinbase_exchange.cancel_order(**kwargs)
    )
    assert harness.wire_line == line
    assert result.client_order_id == "oid-1"
    _assert_exchange_signature(harness.requests[0])


# --- validation before I/O -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.coinbase_exchange.cancel_order(), "order_id"),
        (lambda c: c.coinbase_exchange.cancel_order(order_id="a", client_oid="b"), "client_oid"),
        (lambda c: c.coinbase_exchange.cancel_order(order_id=""), "order_id"),
        (lambda c: c.coinbase_exchange.cancel_order(client_oid="  "), "client_oid"),
        (lambda c: c.coinbase_intx.cancel_order(order_id="1", portfolio=""), "portfolio"),
        (lambda c: c.coinbase_intx.cancel_order(order_id=" ", portfolio="p"), "order_id"),
        (lambda c: c.loopring.cancel_order(), "order_hash"),
        (
            lambda c: c.loopring.cancel_order(order_hash="0x1", client_order_id="c"),
            "client_order_id",
        ),
        (lambda c: c.loopring.cancel_order(order_hash="0x1", account_id=True), "account_id"),
        (lambda c: c.loopring.cancel_order(order_hash="0x1", account_id="1"), "account_id"),
        # Control characters, lone surrogates and over-long ids are refused before sending
        # (issue 11); a CR/LF used to be percent-encoded and sent.
        (lambda c: c.coinbase_exchange.cancel_order(order_id="a\r\nX-Evil: 1"), "order_id"),
        (lambda c: c.coinbase_intx.cancel_order(order_id="a\x00", portfolio="p"), "order_id"),
        (lambda c: c.coinbase_intx.cancel_order(order_id="1", portfolio="p\ud800"), "portfolio"),
        (lambda c: c.coinbase_exchange.cancel_order(order_id="\udcff"), "order_id"),
        (lambda c: c.coinbase_exchange.cancel_order(client_oid="x" * 1_000_000), "client_oid"),
        (lambda c: c.loopring.cancel_order(order_hash="0x" + "a" * 300), "order_hash"),
        (
            lambda c: c.coinbase_exchange.cancel_order(order_id="a", product_id="B\x7f"),
            "product_id",
        ),
        (lambda c: c.coinbase_exchange.cancel_order(order_id=1), "order_id"),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments_send_nothing(harness: Any, call: Call, field: str) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        harness.run(harness.json(200, "x"), call)
    assert caught.value.field == field
    assert harness.requests == []


def test_unconfigured_venue_raises_venue_not_configured(harness: Any) -> None:
    with pytest.raises(errors.VenueNotConfigured) as caught:
        harness.run(harness.json(200, "x"), INTX_CANCEL, coinbase_intx=None)
    assert caught.value.field == "coinbase_intx"
    assert "VENUEKIT_COINBASE_INTX_API_KEY" in str(caught.value)
    assert isinstance(caught.value, errors.InvalidRequest)
    assert harness.requests == []


def test_wrong_credentials_type_is_refused() -> None:
    with pytest.raises(errors.InvalidCredentials) as caught:
        venuekit.Client(coinbase_exchange=Harness.intx)  # type: ignore[arg-type]
    assert caught.value.field == "coinbase_exchange"


@pytest.mark.parametrize(
    "base_urls",
    [
        {"kraken": "https://x"},
        {"loopring": "ftp://x"},
        {"loopring": "https://x/?a=1"},
        {"coinbase_exchange": "https://user:hunter2@x"},
    ],
)
def test_bad_base_urls_are_refused(base_urls: dict[str, str]) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        venuekit.Client(loopring=None, coinbase_intx=Harness.intx, base_urls=base_urls)
    assert caught.value.field == "base_urls"
    assert "hunter2" not in str(caught.value)


# --- transport and odd answers -------------------------------------------------------------


def test_redirects_are_not_followed(harness: Any) -> None:
    with pytest.raises(errors.VenueError) as caught:
        harness.run(
            harness.raw(302, b"", location="https://elsewhere.test/orders/abc"), EXCHANGE_CANCEL
        )
    assert type(caught.value) is errors.VenueError
    assert caught.value.status_code == 302
    assert "elsewhere.test" in str(caught.value)
    assert len(harness.requests) == 1


@pytest.mark.parametrize(
    ("exc", "reached"),
    [
        (httpx.ConnectError("connection refused"), False),
        (httpx.ConnectTimeout("connect timed out"), False),
        (httpx.ReadTimeout("read timed out"), True),
        (httpx.RemoteProtocolError("server disconnected"), True),
    ],
)
def test_transport_failures_raise_transport_error(
    harness: Any, exc: httpx.HTTPError, reached: bool
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(errors.TransportError) as caught:
        harness.run(fail, EXCHANGE_CANCEL)
    # The httpx exception is named, not chained: its frames' locals hold the signed headers.
    assert type(exc).__name__ in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.may_have_reached_venue is reached
    assert caught.value.venue is Venue.COINBASE_EXCHANGE
    assert caught.value.retryable


def test_secrets_never_appear_in_errors(harness: Any) -> None:
    creds = harness.exchange
    echo = f"<pre>CB-ACCESS-KEY: {creds.api_key}\nCB-ACCESS-PASSPHRASE: {creds.passphrase.reveal()}</pre>"
    with pytest.raises(errors.VenueError) as caught:
        harness.run(harness.raw(400, echo.encode()), EXCHANGE_CANCEL)
    with pytest.raises(errors.AuthenticationError) as caught2:
        harness.run(
            harness.json(401, {"message": f"bad passphrase {creds.passphrase.reveal()}"}),
            EXCHANGE_CANCEL,
        )
    for error in (caught.value, caught2.value):
        for text in (str(error), repr(error), error.message):
            assert creds.passphrase.reveal() not in text
            assert creds.api_key not in text
            assert creds.api_secret.reveal() not in text
        assert "[REDACTED]" in error.message


def test_client_repr_shows_no_secret(harness: Any) -> None:
    text = harness.run(harness.json(200, "x"), lambda c: _awaitable_repr(c, harness.mode))
    assert "test-passphrase" not in text
    assert harness.exchange.api_secret.reveal() not in text
    assert "coinbase_exchange='https://exchange.test'" in text


def _awaitable_repr(client: Any, mode: str) -> Any:
    if mode == "sync":
        return repr(client)

    async def inner() -> str:
        return repr(client)

    return inner()


# --- from_env ------------------------------------------------------------------------------

FULL_ENV = {
    "VENUEKIT_COINBASE_EXCHANGE_API_KEY": "env-exchange-key",
    "VENUEKIT_COINBASE_EXCHANGE_API_SECRET": EXCHANGE_SECRET,
    "VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE": "env-pass",
    "VENUEKIT_COINBASE_EXCHANGE_BASE_URL": "https://exchange.test/",
    "VENUEKIT_LOOPRING_API_KEY": "env-loopring-key",
    "VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY": "0x1234abcd",
    "VENUEKIT_LOOPRING_ACCOUNT_ID": "42",
}


@pytest.mark.parametrize("cls", [venuekit.Client, venuekit.AsyncClient])
def test_from_env_configures_the_venues_it_finds(cls: Any) -> None:
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json="abc")

    client = cls.from_env(environ=FULL_ENV, transport=httpx.MockTransport(respond))
    assert client.venues == {Venue.COINBASE_EXCHANGE, Venue.LOOPRING}
    assert "https://exchange.test'" in repr(client)
    with pytest.raises(errors.VenueNotConfigured):
        client.coinbase_intx  # noqa: B018
    if cls is venuekit.Client:
        with client:
            client.coinbase_exchange.cancel_order(order_id="abc")
        assert str(seen[0].url) == "https://exchange.test/orders/abc"
        assert seen[0].headers["CB-ACCESS-KEY"] == "env-exchange-key"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE": ""}, "VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE"),
        (
            {"VENUEKIT_COINBASE_EXCHANGE_API_SECRET": "not base64!"},
            "VENUEKIT_COINBASE_EXCHANGE_API_SECRET",
        ),
        ({"VENUEKIT_LOOPRING_ACCOUNT_ID": "forty-two"}, "VENUEKIT_LOOPRING_ACCOUNT_ID"),
        ({"VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY": "0x0"}, "VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY"),
        ({"VENUEKIT_COINBASE_INTX_API_KEY": "only-the-key"}, "VENUEKIT_COINBASE_INTX_API_SECRET"),
    ],
)
def test_from_env_names_the_bad_variable(change: dict[str, str], field: str) -> None:
    env = {**FULL_ENV, **change}
    with pytest.raises(errors.InvalidCredentials) as caught:
        venuekit.Client.from_env(environ=env)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert "not base64!" not in str(caught.value)


def test_from_env_with_nothing_set_gives_a_client_with_no_venues() -> None:
    with venuekit.Client.from_env(environ={}) as client:
        assert client.venues == frozenset()
        with pytest.raises(errors.VenueNotConfigured):
            client.coinbase_exchange.cancel_order(order_id="abc")
