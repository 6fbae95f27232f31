"""No secret in a traceback rendered with frame locals when signing fails mid-way, for every signer.

Error trackers (Sentry, rich) render every frame's locals: ``repr`` of each, and the fields of
attrs/dataclass objects and containers. We render the traceback three ways (the standard
library's ``capture_locals=True``, rich's ``show_locals=True``, and a walk of attrs fields and
containers like Sentry's serializer) after making signing fail at several points (an unreadable
body, a crypto primitive that fails, the transport failing after a token was obtained), render
the traceback the same way and look for every form of every secret.

The failing crypto primitive is replaced by ``None`` (calling it raises ``TypeError`` from C), so
no test-owned Python frame holds the arguments: what is scanned is venuekit's frames only.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import httpx
import nacl.signing
import pytest
from cryptography.hazmat.primitives import serialization
from rich.console import Console
from rich.traceback import Traceback

from venuekit._credentials import (
    CoinbaseCdpCredentials,
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    DeribitCredentials,
    LoopringCredentials,
)
from venuekit._secret import Secret
from venuekit._signing import _babyjubjub, loopring
from venuekit.auth import (
    SIGN_AT,
    CoinbaseExchangeAuth,
    CoinbaseIntxAuth,
    DeribitHmacAuth,
    DeribitTokenAuth,
    LoopringAuth,
)

KEYS = json.loads((Path(__file__).parents[1] / "data" / "cdp_test_keys.json").read_text())
HMAC_KEY = b"frame-locals-hmac-key-bytes!"
CB_SECRET = base64.b64encode(HMAC_KEY).decode()
PASSPHRASE = "fl-passphrase-77"
LOOPRING_KEY = 0x0DFBBCC409FBCDB07DC350B50CF034FA0EBFD259346C81B3FD3BDB8951117A1
DERIBIT_SECRET = "frame-locals-deribit-client-secret"
ED_SEED = base64.b64decode(KEYS["ed25519"]["private_key"])[:32]
TOKEN = base64.b64encode(b"frame-locals-access-token").decode()  # no literal in the source


def _forms_of_bytes(value: bytes) -> list[str]:
    return [repr(value)[2:-1], value.hex(), base64.b64encode(value).decode().rstrip("=")]


SECRETS = [
    CB_SECRET,
    *_forms_of_bytes(HMAC_KEY),
    PASSPHRASE,
    f"{LOOPRING_KEY:x}",
    str(LOOPRING_KEY),
    DERIBIT_SECRET,
    KEYS["ed25519"]["private_key"][:40],
    *_forms_of_bytes(ED_SEED),
    *[line for line in KEYS["es256"]["private_key"].splitlines() if "-----" not in line],
]


def _expand(value: Any, depth: int = 0) -> Iterator[str]:
    """What a locals renderer shows: repr, plus attrs fields and container items (rich-style)."""
    yield repr(value)
    if depth > 3:
        return
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _expand(getattr(value, field.name), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _expand(key, depth + 1)
            yield from _expand(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _expand(item, depth + 1)
    elif hasattr(value, "__dict__") and type(value).__module__.startswith("venuekit"):
        for item in vars(value).values():
            yield from _expand(item, depth + 1)


def _rich(exc: BaseException) -> str:
    """rich's own locals rendering (as used by rich.traceback.install(show_locals=True))."""
    console = Console(file=io.StringIO(), width=400, record=True, color_system=None)
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            locals_max_length=1000,
            locals_max_string=10_000,
            max_frames=0,
            extra_lines=0,  # source lines are not locals; the test's own source names values
        )
    )
    return console.export_text()


def rendered(exc: BaseException) -> str:
    text = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    shown = [text, _rich(exc)]
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            shown.extend(_expand(value))
        tb = tb.tb_next
    return "\n".join(shown)


def assert_no_secret(exc: BaseException, extra: list[str] = ()) -> str:  # type: ignore[assignment]
    text = rendered(exc)
    for secret in [*SECRETS, *extra]:
        assert secret not in text, f"secret form {secret[:6]}… shown in traceback locals"
    assert "venuekit" in text  # the signing frames were rendered
    return text


def _auths() -> list[tuple[str, httpx.Auth]]:
    exchange = CoinbaseExchangeCredentials(
        api_key="api-key-001", api_secret=CB_SECRET, passphrase=PASSPHRASE
    )
    intx = CoinbaseIntxCredentials(
        api_key="api-key-001", api_secret=CB_SECRET, passphrase=PASSPHRASE
    )
    return [
        ("exchange", CoinbaseExchangeAuth(exchange)),
        ("intx", CoinbaseIntxAuth(intx)),
        (
            "deribit",
            DeribitHmacAuth(DeribitCredentials(client_id="cid-1", client_secret=DERIBIT_SECRET)),
        ),
    ]


def _sign_failure(auth: httpx.Auth, request: httpx.Request) -> BaseException:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)), auth=auth) as c:
        try:
            c.send(request)
        except Exception as exc:
            return exc
    raise AssertionError("signing did not fail")


@pytest.mark.parametrize(("name", "auth"), _auths(), ids=lambda x: x if isinstance(x, str) else "")
def test_hmac_signers_failing_in_the_hmac_show_no_secret(
    name: str, auth: httpx.Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hmac, "digest", None)  # the HMAC primitive fails with the key in hand
    exc = _sign_failure(
        auth, httpx.Request("POST", "https://x/api/v2/private/cancel?a=1", json={"b": 2})
    )
    assert isinstance(exc, TypeError)
    assert_no_secret(exc)


@pytest.mark.parametrize(("name", "auth"), _auths(), ids=lambda x: x if isinstance(x, str) else "")
def test_hmac_signers_failing_on_the_body_or_time_show_no_secret(name: str, auth: Any) -> None:
    streamed = httpx.Request("POST", "https://x/api/v2/private/cancel", content=iter([b"{}"]))
    with pytest.raises(httpx.RequestNotRead) as info:
        auth.sign(streamed)  # a body that cannot be hashed (never read)
    assert_no_secret(info.value)
    bad_time = httpx.Request("GET", "https://x/api/v2/private/cancel", extensions={SIGN_AT: "now"})
    with pytest.raises(ValueError, match="sign_at") as info2:
        auth.sign(bad_time)
    assert_no_secret(info2.value)


@pytest.mark.parametrize("step", ["base_mul", "poseidon"])
def test_loopring_failing_mid_signature_shows_no_key_or_nonce(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = LoopringCredentials(
        api_key="api-key-001", eddsa_private_key=hex(LOOPRING_KEY), account_id=1
    )
    target = (_babyjubjub, "base_mul") if step == "base_mul" else (loopring, "poseidon")
    monkeypatch.setattr(*target, None)
    exc = _sign_failure(
        LoopringAuth(creds), httpx.Request("GET", "https://x/api/v3/order?accountId=1")
    )
    monkeypatch.undo()
    # The nonce r is as secret as the key: derive it the way the signer does and look for it.
    message = loopring.message(
        loopring.signature_base(
            method="GET", url="https://x/api/v3/order", params=[("accountId", "1")]
        )
    )
    r = loopring.nonce(creds.private_key, message)
    assert_no_secret(exc, [str(r), f"{r:x}"])


def _cdp_auth(kind: str) -> DeribitTokenAuth:
    key = KEYS[kind]
    return DeribitTokenAuth(
        CoinbaseCdpCredentials(key_name=key["key_name"], private_key=key["private_key"])
    )


@pytest.mark.parametrize(
    ("kind", "patch"),
    [
        ("ed25519", (nacl.signing, "SigningKey")),
        ("es256", (serialization, "load_pem_private_key")),
    ],
)
def test_cdp_jwt_signing_failure_shows_no_private_key(
    kind: str, patch: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = _cdp_auth(kind)
    monkeypatch.setattr(*patch, None)
    exc = _sign_failure(auth, httpx.Request("GET", "https://x/api/v2/private/cancel?order_id=1"))
    assert isinstance(exc, TypeError)
    assert_no_secret(exc)


def test_token_flow_failing_after_the_token_arrived_shows_no_token_or_jwt() -> None:
    sent: list[Secret[str]] = []  # the test's own frame is rendered too: keep the JWT hidden

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/public/auth"):
            sent.append(Secret(json.loads(request.content)["params"]["token"]))
            result = {"access_token": TOKEN, "expires_in": 900}
            return httpx.Response(200, json={"result": result})
        raise httpx.ConnectError("connection dropped", request=request)

    auth = _cdp_auth("ed25519")
    with (
        httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client,
        pytest.raises(httpx.ConnectError) as info,
    ):
        client.get("https://x/api/v2/private/cancel?order_id=1")
    # (revealed inline: this test's own frame is part of the rendered traceback)
    assert_no_secret(info.value, [TOKEN, sent[0].reveal(), sent[0].reveal().split(".")[2]])


def test_the_scan_itself_finds_a_secret_held_in_a_local() -> None:
    """The detector can fail: a frame that keeps the revealed value is caught."""

    def leaky(secret: Secret[str]) -> None:
        revealed = secret.reveal()  # what signers must not do
        raise RuntimeError(type(revealed).__name__)

    with pytest.raises(RuntimeError) as info:
        leaky(Secret(DERIBIT_SECRET))
    with pytest.raises(AssertionError, match="shown in traceback locals"):
        assert_no_secret(info.value)
