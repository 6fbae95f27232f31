"""A refused gateway token is dropped by the client, whatever the shape of the refusal.

``DeribitTokenAuth`` re-authenticates by itself only on refusals it may read (a declared
``Content-Length`` up to 16 KiB). A chunked refusal reaches the engine as a mapped 13009
``AuthenticationError``; the engine then yields ``Forget`` and the driver drops the token, so the
next cancel obtains a new one instead of being refused until the token's renewal time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from harness import Harness

from venuekit import CancelState, errors
from venuekit.sandbox import DEFAULT_CREDENTIALS

from .test_deribit_adapter import ORDER

CDP = DEFAULT_CREDENTIALS.cdp.ed25519.credentials()


class Chunked(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent in chunks with no Content-Length, for both clients."""

    def __init__(self, body: bytes) -> None:
        self.chunks = (body[:10], body[10:])

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


class Gateway:
    """Issues tokens on ``public/auth``; refuses expired ones with a chunked 13009."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.issued: list[str] = []
        self.expired: set[str] = set()
        self.cancels: list[str] = []  # the token each cancel carried

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/public/auth"):
            with self.lock:
                token = f"access-token-{len(self.issued) + 1:04d}"
                self.issued.append(token)
            result = {"access_token": token, "expires_in": 900, "token_type": "bearer"}
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": result})
        token = request.headers["authorization"].removeprefix("Bearer ")
        with self.lock:
            self.cancels.append(token)
            refused = token in self.expired
        if refused:
            body = {"jsonrpc": "2.0", "error": {"code": 13009, "message": "unauthorized"}}
            return httpx.Response(400, stream=Chunked(json.dumps(body).encode()))
        envelope = {"jsonrpc": "2.0", "result": ORDER, "usIn": 1, "usOut": 2, "usDiff": 1}
        return httpx.Response(200, json=envelope)


def test_a_chunked_13009_drops_the_token_so_the_next_cancel_gets_a_new_one(
    harness: Harness,
) -> None:
    gateway = Gateway()

    def calls(client: Any) -> tuple[Any, Any, Any]:
        first = client.deribit.cancel_order(order_id=ORDER["order_id"])
        gateway.expired.add(gateway.issued[-1])  # the venue revokes the token
        with pytest.raises(errors.AuthenticationError) as refused:
            client.deribit.cancel_order(order_id=ORDER["order_id"])
        return first, refused.value, client.deribit.cancel_order(order_id=ORDER["order_id"])

    async def async_calls(client: Any) -> tuple[Any, Any, Any]:
        first = await client.deribit.cancel_order(order_id=ORDER["order_id"])
        gateway.expired.add(gateway.issued[-1])
        with pytest.raises(errors.AuthenticationError) as refused:
            await client.deribit.cancel_order(order_id=ORDER["order_id"])
        return first, refused.value, await client.deribit.cancel_order(order_id=ORDER["order_id"])

    first, refused, after = harness.run(
        gateway,
        calls if harness.mode == "sync" else async_calls,
        deribit=CDP,
        attempts=1,
    )
    assert first.state is CancelState.CANCELLED
    assert refused.code == 13009
    assert after.state is CancelState.CANCELLED
    # The refused token was never sent again: the third cancel carried a new one.
    assert gateway.issued == ["access-token-0001", "access-token-0002"]
    assert gateway.cancels == ["access-token-0001", "access-token-0001", "access-token-0002"]
