"""Client and AsyncClient against the in-process sandbox (no sockets): real signatures checked.

Each test runs twice, with ``Client`` and ``AsyncClient`` (the ``on_sandbox`` fixture).

The sandbox verifies every signature independently of venuekit's signers and routes on the raw
path, so these tests show that what the client sends is accepted as a venue would accept it.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

import venuekit
from venuekit import CancelState, errors
from venuekit import sandbox as sb

CREDS = sb.DEFAULT_CREDENTIALS


@pytest.fixture
def app() -> sb.SandboxApp:
    return sb.create_app()


def test_exchange_cancel_then_already_done(on_sandbox: Any, app: sb.SandboxApp) -> None:
    order = app.state.exchange_orders()[0]

    def cancel(c: Any) -> Any:
        return c.coinbase_exchange.cancel_order(order_id=order.id, product_id=order.product_id)

    result = on_sandbox(app, cancel)
    assert (result.order_id, result.state) == (order.id, CancelState.CANCELLED)
    with pytest.raises(errors.OrderAlreadyDone):
        on_sandbox(app, cancel)


def test_exchange_cancel_by_client_oid(on_sandbox: Any, app: sb.SandboxApp) -> None:
    order = app.state.exchange_orders()[1]
    result = on_sandbox(
        app, lambda c: c.coinbase_exchange.cancel_order(client_oid=order.client_oid)
    )
    assert result.client_order_id == order.client_oid


def test_intx_cancel_keeps_exact_ids_and_prices(on_sandbox: Any, app: sb.SandboxApp) -> None:
    order = app.state.intx_orders()[0]

    def cancel(c: Any) -> Any:
        return c.coinbase_intx.cancel_order(
            order_id=str(order.order_id), portfolio=CREDS.intx.portfolio_uuid
        )

    result = on_sandbox(app, cancel)
    assert result.order_id == str(order.order_id)
    assert result.price == order.price
    assert result.size == order.size
    assert (result.state, result.venue_status) == (CancelState.CANCELLED, "CANCELED")
    with pytest.raises(errors.OrderAlreadyDone):
        on_sandbox(app, cancel)


def test_loopring_cancel_then_already_done(on_sandbox: Any, app: sb.SandboxApp) -> None:
    order = app.state.loopring_orders()[0]

    def cancel(c: Any) -> Any:
        return c.loopring.cancel_order(order_hash=order.hash)

    result = on_sandbox(app, cancel)
    assert (result.order_id, result.state) == (order.hash, CancelState.CANCELLED)
    with pytest.raises(errors.OrderAlreadyDone) as caught:
        on_sandbox(app, cancel)
    assert caught.value.code == 102117


@pytest.mark.parametrize("hostile", ["../accounts", "a/b", "x?y=1", "%2F"])
def test_hostile_ids_reach_the_cancel_endpoint_as_unknown_orders(
    on_sandbox: Any, app: sb.SandboxApp, hostile: str
) -> None:
    with pytest.raises(errors.OrderNotFound):
        on_sandbox(
            app,
            lambda c: c.coinbase_intx.cancel_order(
                order_id=hostile, portfolio=CREDS.intx.portfolio_uuid
            ),
        )


def test_wrong_secret_is_an_authentication_error(on_sandbox: Any, app: sb.SandboxApp) -> None:
    wrong = venuekit.CoinbaseExchangeCredentials(
        api_key=CREDS.exchange.api_key,
        api_secret=base64.b64encode(b"not the sandbox secret").decode(),
        passphrase=CREDS.exchange.passphrase,
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        on_sandbox(
            app,
            lambda c: c.coinbase_exchange.cancel_order(order_id="x"),
            coinbase_exchange=wrong,
        )
    assert caught.value.status_code == 401
