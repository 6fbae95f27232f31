"""Test-side Deribit signing, written from the documentation only (venues.md, Deribit section).

Nothing here imports venuekit's signers or the sandbox's checks, so a test that signs with these
helpers and is accepted by the sandbox checks both against the documented rule.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Generator
from typing import Any

import httpx


def deri_signature(secret: str, ts: str, nonce: str, data: bytes) -> str:
    """``hex(HMAC_SHA256(secret, ts + "\\n" + nonce + "\\n" + data))`` (venues.md)."""
    message = ts.encode() + b"\n" + nonce.encode() + b"\n" + data
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def request_data(method: str, uri: str, body: bytes = b"") -> bytes:
    """``UPPER(method) + "\\n" + URI + "\\n" + body + "\\n"``."""
    return method.upper().encode() + b"\n" + uri.encode() + b"\n" + body + b"\n"


class DeriHmac(httpx.Auth):
    """``Authorization: deri-hmac-sha256 id=..,ts=..,sig=..,nonce=..`` over the exact request.

    ``clock`` gives seconds; ``nonces`` yields the nonces (default ``n1``, ``n2`` ...). The last
    signed URI and body are kept in ``signed`` so a test can show what was covered.
    """

    def __init__(
        self,
        client_id: str,
        secret: str,
        clock: Callable[[], float],
        *,
        nonces: Any = None,
        skew_ms: int = 0,
    ) -> None:
        self.client_id = client_id
        self.secret = secret
        self.clock = clock
        self.nonces = iter(nonces) if nonces is not None else (f"n{i}" for i in itertools.count(1))
        self.skew_ms = skew_ms
        self.signed: list[tuple[str, bytes]] = []

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        uri = request.url.raw_path.decode("ascii")  # path plus "?query" exactly as sent
        body = request.content
        ts = str(round(self.clock() * 1000) + self.skew_ms)
        nonce = next(self.nonces)
        sig = deri_signature(self.secret, ts, nonce, request_data(request.method, uri, body))
        request.headers["Authorization"] = (
            f"deri-hmac-sha256 id={self.client_id},ts={ts},sig={sig},nonce={nonce}"
        )
        self.signed.append((uri, body))
        yield request


class Bearer(httpx.Auth):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def rpc(method: str, params: dict[str, Any] | None = None, request_id: int = 1) -> bytes:
    """A JSON-RPC 2.0 request body."""
    body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}
    return json.dumps(body).encode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def cdp_jwt(
    key_name: str,
    private_key: str,
    algorithm: str,
    now: float,
    *,
    header: dict[str, Any] | None = None,
    claims: dict[str, Any] | None = None,
) -> str:
    """A Coinbase CDP JWT as coinbase-advanced-py builds it (venues.md), signed independently.

    ``header``/``claims`` entries override (``None`` removes) the documented ones.
    """
    head: dict[str, Any] = {"alg": algorithm, "kid": key_name, "nonce": "0f" * 16, "typ": "JWT"}
    body: dict[str, Any] = {"sub": key_name, "iss": "cdp", "nbf": int(now), "exp": int(now) + 120}
    for target, changes in ((head, header), (body, claims)):
        for name, value in (changes or {}).items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
    signing_input = f"{_b64url(json.dumps(head).encode())}.{_b64url(json.dumps(body).encode())}"
    if algorithm == "EdDSA":
        from nacl.signing import SigningKey

        seed = base64.b64decode(private_key)[:32]
        signature = SigningKey(seed).sign(signing_input.encode()).signature
    else:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, utils

        key = serialization.load_pem_private_key(private_key.encode(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{_b64url(signature)}"
