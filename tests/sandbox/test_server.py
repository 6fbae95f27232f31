"""The sandbox over a real socket (uvicorn on 127.0.0.1, free port): one end-to-end test."""

from __future__ import annotations

import httpx
import pytest

from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth
from venuekit.sandbox import DEFAULT_CREDENTIALS, Faults, SandboxConfig, run_in_thread


def test_real_server_cancels_and_drops_connections() -> None:
    config = SandboxConfig(seed=5, exchange=Faults(drop_rate=1.0, drop_after_apply=1.0))
    with run_in_thread(config=config, host="127.0.0.1", port=0) as sandbox:
        assert sandbox.port > 0
        assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
        urls = dict(sandbox.base_urls)
        assert urls.pop("deribit") == f"{sandbox.url}/api/v2"
        assert set(urls.values()) == {sandbox.url}
        creds = sandbox.credentials

        intx_order = sandbox.state.intx_orders()[0]
        intx_auth = CoinbaseIntxAuth(creds.intx.credentials())
        with httpx.Client(base_url=sandbox.intx_url, auth=intx_auth) as client:
            response = client.delete(
                f"/api/v1/orders/{intx_order.order_id}",
                params={"portfolio": creds.intx.portfolio_uuid},
            )
        assert response.status_code == 200
        assert response.json()["order_status"] == "DONE"
        assert len(response.headers.get_list("date")) == 1

        # The Loopring signature covers http://127.0.0.1:<port>/api/v3/order.
        loopring_order = sandbox.state.loopring_orders()[0]
        with httpx.Client(
            base_url=sandbox.loopring_url, auth=LoopringAuth(creds.loopring.credentials())
        ) as client:
            response = client.delete(
                "/api/v3/order",
                params={"accountId": creds.loopring.account_id, "orderHash": loopring_order.hash},
            )
        assert (response.status_code, response.json()["status"]) == (200, "cancelled")

        # Exchange drops every connection after applying the cancel: a transport error for the
        # client, a cancelled order in the book.
        order = sandbox.state.exchange_orders()[0]
        exchange_auth = CoinbaseExchangeAuth(creds.exchange.credentials())
        with (
            httpx.Client(base_url=sandbox.exchange_url, auth=exchange_auth) as client,
            pytest.raises(httpx.RemoteProtocolError),
        ):
            client.delete(f"/orders/{order.id}")
        assert sandbox.state.exchange_orders()[0].status == "cancelled"
    assert creds == DEFAULT_CREDENTIALS
