"""DeribitTokenAuth: one public/auth for many concurrent calls, renewal, one re-auth, refusal."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from venuekit import Venue
from venuekit._credentials import CoinbaseCdpCredentials
from venuekit.auth import SIGN_AT, DeribitTokenAuth
from venuekit.errors import AuthenticationError, RateLimited, VenueError

from .test_cdp import verify_independently

KEYS = json.loads((Path(__file__).parents[1] / "data" / "cdp_test_keys.json").read_text())
ED = KEYS["ed25519"]
CREDS = CoinbaseCdpCredentials(key_name=ED["key_name"], private_key=ED["private_key"])
BASE = "https://drb.test/api/v2"


class Gateway:
    """A tiny stand-in for drb.coinbase.com: checks what was sent, issues and checks tokens."""

    def __init__(self, *, expires_in: int = 900) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []  # (method path, token or JWT)
        self.jwts: list[str] = []
        self.issued: list[str] = []
        self.expired: set[str] = set()  # tokens answered with 13009
        self.refuse: dict[str, Any] | None = None  # public/auth error to answer with
        self.expires_in = expires_in
        self.before_auth: Callable[[], None] = lambda: None

    def auth(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.query == b""  # the JWT is never in the URL
        assert request.headers["content-type"] == "application/json"
        body = json.loads(request.content)
        assert body["jsonrpc"] == "2.0"
        assert body["method"] == "public/auth"
        assert isinstance(body["id"], int)
        assert body["params"]["grant_type"] == "coinbase_cdp"
        jwt = body["params"]["token"]
        verify_independently(jwt, ED)
        with self.lock:
            self.jwts.append(jwt)
            self.log.append(("auth", request.url.path))
            if self.refuse is not None:
                return httpx.Response(
                    400, json={"jsonrpc": "2.0", "id": body["id"], "error": self.refuse}
                )
            token = f"access-token-{len(self.issued) + 1:04d}"
            self.issued.append(token)
        result = {
            "access_token": token,
            "expires_in": self.expires_in,
            "refresh_token": "refresh-" + token,
            "scope": "trade:read_write",
            "token_type": "bearer",
        }
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": result})

    def private(self, request: httpx.Request) -> httpx.Response:
        scheme, _, token = request.headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        with self.lock:
            self.log.append(("private", token))
            bad = token not in self.issued or token in self.expired
        if bad:
            error = {"code": 13009, "message": "unauthorized"}
            return httpx.Response(400, json={"jsonrpc": "2.0", "error": error})
        return httpx.Response(200, json={"jsonrpc": "2.0", "result": {"order_state": "cancelled"}})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path.endswith("/public/auth"):
            self.before_auth()
            return self.auth(request)
        return self.private(request)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.log if k == kind)


class AsyncGateway(Gateway):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/public/auth"):
            await self.release.wait()
        await asyncio.sleep(0)
        return self(request)


def _count_misses(auth: DeribitTokenAuth, on_miss: Callable[[int], None]) -> None:
    """Wrap the cache check so a test can tell when every caller has found no token."""
    real = auth._usable
    misses = [0]
    lock = threading.Lock()

    def usable(request: httpx.Request, stale: Any) -> Any:
        token = real(request, stale)
        if token is None:
            with lock:
                misses[0] += 1
                n = misses[0]
            on_miss(n)
        return token

    auth._usable = usable  # type: ignore[method-assign]


def test_concurrent_threads_share_one_public_auth() -> None:
    n = 8
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS)
    ready = threading.Event()
    # The first thread misses twice (outside and inside the lock); n + 1 misses means every
    # other thread has also found no token and is now queued on the lock.
    _count_misses(auth, lambda k: ready.set() if k >= n + 1 else None)

    def hold_auth() -> None:
        assert ready.wait(timeout=30), "not every thread reached the token check"

    gateway.before_auth = hold_auth
    results: list[int] = []
    with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client:

        def cancel(i: int) -> None:
            results.append(client.get("/private/cancel", params={"order_id": f"o-{i}"}).status_code)

        threads = [threading.Thread(target=cancel, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [200] * n
    assert gateway.count("auth") == 1
    assert gateway.count("private") == n
    assert {token for kind, token in gateway.log if kind == "private"} == {"access-token-0001"}


@pytest.mark.anyio
async def test_concurrent_tasks_share_one_public_auth() -> None:
    n = 8
    gateway = AsyncGateway()
    auth = DeribitTokenAuth(CREDS)
    _count_misses(auth, lambda k: gateway.release.set() if k >= n + 1 else None)
    async with httpx.AsyncClient(
        base_url=BASE, transport=httpx.MockTransport(gateway.handle), auth=auth
    ) as client:
        responses = await asyncio.gather(
            *(client.get("/private/cancel", params={"order_id": f"o-{i}"}) for i in range(n))
        )
    assert [r.status_code for r in responses] == [200] * n
    assert gateway.count("auth") == 1
    assert gateway.count("private") == n


@pytest.mark.parametrize("code", [13009, 13004])
def test_expired_token_is_replaced_once_and_the_call_succeeds(code: int) -> None:
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS)
    with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client:
        assert client.post("/private/cancel", json={"order_id": "a"}).status_code == 200
        gateway.expired.add("access-token-0001")
        real_private = gateway.private

        def private(request: httpx.Request) -> httpx.Response:
            response = real_private(request)
            if response.status_code == 400:  # answer with the parametrized code
                return httpx.Response(400, json={"error": {"code": code, "message": "x"}})
            return response

        gateway.private = private  # type: ignore[method-assign]
        response = client.post("/private/cancel", json={"order_id": "b"})
    assert response.status_code == 200
    assert gateway.log == [
        ("auth", "/api/v2/public/auth"),
        ("private", "access-token-0001"),
        ("private", "access-token-0001"),
        ("auth", "/api/v2/public/auth"),
        ("private", "access-token-0002"),
    ]
    # The re-sent request carried the same body.
    assert json.loads(response.request.content) == {"order_id": "b"}


@pytest.mark.anyio
async def test_async_expired_token_is_replaced_once() -> None:
    gateway = AsyncGateway()
    gateway.release.set()
    auth = DeribitTokenAuth(CREDS)
    async with httpx.AsyncClient(
        base_url=BASE, transport=httpx.MockTransport(gateway.handle), auth=auth
    ) as client:
        await client.get("/private/cancel", params={"order_id": "a"})
        gateway.expired.add("access-token-0001")
        response = await client.get("/private/cancel", params={"order_id": "a"})
    assert response.status_code == 200
    assert [k for k, _ in gateway.log] == ["auth", "private", "private", "auth", "private"]


@pytest.mark.parametrize("is_async", [False, True])
def test_a_token_refused_again_is_not_retried_in_a_loop(is_async: bool) -> None:
    gateway = Gateway()
    gateway.expired = {f"access-token-{i:04d}" for i in range(1, 10)}  # every token refused
    auth = DeribitTokenAuth(CREDS)

    async def run_async() -> httpx.Response:
        async def handle(request: httpx.Request) -> httpx.Response:
            return gateway(request)

        async with httpx.AsyncClient(
            base_url=BASE, transport=httpx.MockTransport(handle), auth=auth
        ) as client:
            return await client.get("/private/cancel", params={"order_id": "a"})

    if is_async:
        response = asyncio.run(run_async())
    else:
        with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as c:
            response = c.get("/private/cancel", params={"order_id": "a"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 13009
    assert [k for k, _ in gateway.log] == ["auth", "private", "auth", "private"]


@pytest.mark.parametrize("is_async", [False, True])
def test_refused_key_is_an_authentication_error_without_a_loop(is_async: bool) -> None:
    gateway = Gateway()
    gateway.refuse = {
        "code": 13004,
        "message": f"invalid_credentials for {ED['key_name']}",
        "data": {"reason": "bad key"},
    }
    auth = DeribitTokenAuth(CREDS)

    async def run_async() -> None:
        async def handle(request: httpx.Request) -> httpx.Response:
            return gateway(request)

        async with httpx.AsyncClient(
            base_url=BASE, transport=httpx.MockTransport(handle), auth=auth
        ) as client:
            await client.get("/private/cancel", params={"order_id": "a"})

    def run_sync() -> None:
        with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as c:
            c.get("/private/cancel", params={"order_id": "a"})

    with pytest.raises(AuthenticationError) as info:
        asyncio.run(run_async()) if is_async else run_sync()
    error = info.value
    assert (error.venue, error.code, error.status_code) == (Venue.DERIBIT, 13004, 400)
    assert "invalid_credentials for [REDACTED]" in str(error)
    assert ED["key_name"] not in str(error)
    assert ED["key_name"] not in repr(error)
    assert gateway.jwts[0] not in str(error)
    assert gateway.log == [("auth", "/api/v2/public/auth")]  # nothing else sent


def test_rate_limited_auth_is_a_retryable_error() -> None:
    gateway = Gateway()
    gateway.refuse = {"code": 10028, "message": "too_many_requests"}
    auth = DeribitTokenAuth(CREDS)
    with (
        httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client,
        pytest.raises(RateLimited) as info,
    ):
        client.get("/private/cancel", params={"order_id": "a"})
    assert info.value.retryable
    assert info.value.code == 10028


def test_token_is_renewed_before_expiry_on_the_injected_clock() -> None:
    gateway = Gateway(expires_in=100)
    now = [1000.0]
    auth = DeribitTokenAuth(CREDS, clock=lambda: now[0])
    with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client:
        client.get("/private/cancel", params={"order_id": "a"})
        now[0] = 1079.9  # before 0.8 x 100 s
        client.get("/private/cancel", params={"order_id": "a"})
        assert gateway.count("auth") == 1
        now[0] = 1080.0  # renewed at 0.8 x expires_in, before the venue's expiry
        client.get("/private/cancel", params={"order_id": "a"})
    assert gateway.count("auth") == 2
    assert [t for k, t in gateway.log if k == "private"] == [
        "access-token-0001",
        "access-token-0001",
        "access-token-0002",
    ]
    claims = [verify_independently(jwt, ED)[1] for jwt in gateway.jwts]
    assert [c["nbf"] for c in claims] == [1000, 1080]


def test_jwt_time_comes_from_sign_at_and_auth_path_from_the_request_base() -> None:
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS, clock=lambda: 5.0, nonce=lambda: "c0ffee")
    with httpx.Client(transport=httpx.MockTransport(gateway), auth=auth) as client:
        response = client.get(
            "https://drb.test/gw/api/v2/private/cancel?order_id=a",
            extensions={SIGN_AT: 1700000000.5},
            timeout=3.5,
        )
    assert gateway.log[0] == ("auth", "/gw/api/v2/public/auth")
    header, claims = verify_independently(gateway.jwts[0], ED)
    assert header["nonce"] == "c0ffee"
    assert (claims["nbf"], claims["exp"]) == (1700000000, 1700000120)
    auth_request = response.history[0].request
    assert auth_request.extensions["timeout"] == response.request.extensions["timeout"]


def test_token_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS)
    with (
        caplog.at_level("DEBUG"),
        httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client,
    ):
        client.get("/private/cancel", params={"order_id": "a"})
    shown = [repr(auth), str(auth), *(r.getMessage() for r in caplog.records)]
    assert any("token obtained" in text for text in shown)
    for text in shown:
        for secret in (*gateway.issued, *gateway.jwts, ED["private_key"]):
            assert secret not in text


def test_redaction_values_include_the_current_token() -> None:
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS)
    assert auth.redaction_values() == CREDS.redaction_values()
    with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client:
        client.get("/private/cancel", params={"order_id": "a"})
    assert {s.reveal() for s in auth.redaction_values()} >= {"access-token-0001", ED["key_name"]}


def test_an_unread_chunked_13009_is_left_to_the_caller_who_can_drop_the_token() -> None:
    gateway = Gateway()
    auth = DeribitTokenAuth(CREDS)
    real_private = gateway.private

    def private(request: httpx.Request) -> httpx.Response:
        response = real_private(request)
        if response.status_code == 400:  # the same answer, chunked (no Content-Length)
            return httpx.Response(401, content=iter([response.content]))
        return response

    gateway.private = private  # type: ignore[method-assign]
    with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as client:
        client.get("/private/cancel", params={"order_id": "a"})
        gateway.expired.add("access-token-0001")
        refused = client.get("/private/cancel", params={"order_id": "a"})
        assert "content-length" not in refused.headers
        assert refused.json()["error"]["code"] == 13009  # the caller maps it
        assert gateway.count("auth") == 1  # not read by the adapter: no re-auth in the flow
        auth.invalidate_token()
        assert client.get("/private/cancel", params={"order_id": "a"}).status_code == 200
    assert [t for k, t in gateway.log if k == "private"][-1] == "access-token-0002"


class Streamed(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent in chunks with no Content-Length, for both clients."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


@pytest.mark.parametrize("is_async", [False, True])
def test_streamed_auth_answers_work_and_oversized_ones_are_refused_unread(is_async: bool) -> None:
    gateway = Gateway()
    real_auth = gateway.auth
    oversized = [False]

    def auth_answer(request: httpx.Request) -> httpx.Response:
        answer = real_auth(request)
        if oversized[0]:
            return httpx.Response(
                200, headers={"Content-Length": "10000000"}, stream=Streamed(b"{")
            )
        return httpx.Response(
            answer.status_code, stream=Streamed(answer.content[:9], answer.content[9:])
        )

    gateway.auth = auth_answer  # type: ignore[method-assign]
    auth = DeribitTokenAuth(CREDS)

    async def run_async() -> httpx.Response:
        async def handle(request: httpx.Request) -> httpx.Response:
            return gateway(request)

        async with httpx.AsyncClient(
            base_url=BASE, transport=httpx.MockTransport(handle), auth=auth
        ) as client:
            return await client.get("/private/cancel", params={"order_id": "a"})

    def run_sync() -> httpx.Response:
        with httpx.Client(base_url=BASE, transport=httpx.MockTransport(gateway), auth=auth) as c:
            return c.get("/private/cancel", params={"order_id": "a"})

    run = (lambda: asyncio.run(run_async())) if is_async else run_sync
    assert run().status_code == 200
    auth.invalidate_token()
    oversized[0] = True
    with pytest.raises(VenueError, match="larger than 16384 bytes"):
        run()
