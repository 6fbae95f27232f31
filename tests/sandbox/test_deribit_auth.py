"""Deribit sandbox authentication: deri-hmac-sha256 checks, Bearer tokens, CDP JWTs, scopes."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import httpx
import pytest
from deribit_sandbox import Bearer, DeriHmac, cdp_jwt, rpc

from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxApp, SandboxConfig, create_app

ACCOUNT = DEFAULT_CREDENTIALS.deribit
CDP = DEFAULT_CREDENTIALS.cdp
CANCEL = "/api/v2/private/cancel"
AUTH = "/api/v2/public/auth"
LIFETIME = 30.0


def _body(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.content, parse_float=Decimal)
    return body


def _error(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    error = _body(response)["error"]
    return error["code"], error["message"], error.get("data", {})


@pytest.fixture
def app(clock: Any) -> SandboxApp:
    config = SandboxConfig(seed=2, clock=clock, orders_per_venue=0, deribit_token_lifetime=LIFETIME)
    return create_app(config)


def _auth(client: httpx.Client, params: dict[str, Any]) -> httpx.Response:
    return client.post(AUTH, content=rpc("public/auth", params))


def _token(client: httpx.Client, **extra: str) -> dict[str, Any]:
    params = {
        "grant_type": "client_credentials",
        "client_id": ACCOUNT.client_id,
        "client_secret": ACCOUNT.client_secret,
    }
    response = _auth(client, params | extra)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = _body(response)["result"]
    return result


def _cancel(client: httpx.Client, order_id: str, auth: httpx.Auth | None = None) -> httpx.Response:
    if auth is None:
        return client.get(CANCEL, params={"order_id": order_id})
    return client.get(CANCEL, params={"order_id": order_id}, auth=auth)


# --- deri-hmac-sha256 ------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["get", "post"])
def test_private_method_without_auth_is_13009(app: SandboxApp, connect: Any, form: str) -> None:
    order = app.state.deribit.add_order()
    client = connect(app)
    if form == "get":
        response = _cancel(client, order.order_id)
    else:
        response = client.post(CANCEL, content=rpc("private/cancel", {"order_id": order.order_id}))
    assert response.status_code == 400
    assert _error(response) == (13009, "unauthorized", {"reason": "authorization required"})
    assert app.state.deribit.get(order.order_id).order_state == "open"  # type: ignore[union-attr]


def test_unknown_client_id_is_13004_and_wrong_secret_is_13009(
    app: SandboxApp, connect: Any, clock: Any
) -> None:
    client = connect(app)
    stranger = DeriHmac("nobody", ACCOUNT.client_secret, clock)
    assert _error(_cancel(client, "ETH-1", stranger))[:2] == (13004, "invalid_credentials")
    wrong = DeriHmac(ACCOUNT.client_id, "not-the-secret", clock)
    assert _error(_cancel(client, "ETH-1", wrong)) == (
        13009,
        "unauthorized",
        {"reason": "bad signature"},
    )


def test_query_changed_after_signing_is_refused(app: SandboxApp, connect: Any, clock: Any) -> None:
    order = app.state.deribit.add_order()
    signer = DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock)
    request = httpx.Request("GET", f"http://sandbox.invalid{CANCEL}?order_id=ETH-1")
    header = next(signer.auth_flow(request)).headers["Authorization"]
    client = connect(app)
    tampered = client.get(
        CANCEL, params={"order_id": order.order_id}, headers={"Authorization": header}
    )
    assert _error(tampered)[2] == {"reason": "bad signature"}
    assert app.state.deribit.get(order.order_id).order_state == "open"  # type: ignore[union-attr]


@pytest.mark.parametrize(("skew_ms", "accepted"), [(60_000, True), (-60_000, True), (60_001, False), (-60_001, False)])  # fmt: skip
def test_timestamp_window_is_60_seconds(
    app: SandboxApp, connect: Any, clock: Any, skew_ms: int, accepted: bool
) -> None:
    signer = DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock, skew_ms=skew_ms)
    response = _cancel(connect(app), "ETH-1", signer)
    expected = (
        (10004, "order_not_found", {})
        if accepted
        else (
            13009,
            "unauthorized",
            {"reason": "timestamp out of the 60 s window"},
        )
    )
    assert _error(response) == expected


def test_a_nonce_is_used_once(app: SandboxApp, connect: Any, clock: Any) -> None:
    client = connect(app)
    signer = DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock, nonces=["a", "a", "b"])
    assert _error(_cancel(client, "ETH-1", signer))[0] == 10004
    assert _error(_cancel(client, "ETH-1", signer))[2] == {"reason": "nonce already used"}
    assert _error(_cancel(client, "ETH-1", signer))[0] == 10004
    # A refused signature does not spend its nonce.
    bad = DeriHmac(ACCOUNT.client_id, "wrong", clock, nonces=["c"])
    assert _error(_cancel(client, "ETH-1", bad))[2] == {"reason": "bad signature"}
    good = DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock, nonces=["c"])
    assert _error(_cancel(client, "ETH-1", good))[0] == 10004


@pytest.mark.parametrize(
    "header",
    [
        "deri-hmac-sha256 id=sandboxDrbt,ts=1,sig=00",  # no nonce
        f"deri-hmac-sha256 id=sandboxDrbt,ts={'9' * 5000},sig=ab,nonce=x",  # int() would raise
        "deri-hmac-sha256 garbage",
        "Basic c2FuZGJveDpzZWNyZXQ=",
        "Bearer",
    ],
)
def test_malformed_authorization_is_13009(app: SandboxApp, connect: Any, header: str) -> None:
    response = connect(app).get(CANCEL, params={"order_id": "1"}, headers={"Authorization": header})
    assert _error(response)[:2] == (13009, "unauthorized")


# --- Bearer tokens ---------------------------------------------------------------------------


def test_client_credentials_token_then_expiry(app: SandboxApp, connect: Any, clock: Any) -> None:
    client = connect(app)
    result = _token(client)
    assert list(result) == [
        "access_token",
        "expires_in",
        "refresh_token",
        "scope",
        "enabled_features",
        "token_type",
    ]
    assert result["expires_in"] == LIFETIME
    assert result["token_type"] == "bearer"
    assert result["scope"] == "connection mainaccount trade:read_write"
    orders = [app.state.deribit.add_order() for _ in range(2)]
    bearer = Bearer(result["access_token"])
    assert _body(_cancel(client, orders[0].order_id, bearer))["result"]["order_state"] == (
        "cancelled"
    )
    clock.advance(LIFETIME)
    expired = _cancel(client, orders[1].order_id, bearer)
    assert _error(expired) == (
        13009,
        "unauthorized",
        {"reason": "token has expired", "param": "access_token"},
    )
    assert _error(_cancel(client, orders[1].order_id, Bearer("1.made-up")))[2]["reason"] == (
        "invalid token"
    )
    fresh = Bearer(_token(client)["access_token"])
    assert _body(_cancel(client, orders[1].order_id, fresh))["result"]["order_state"] == "cancelled"


def test_token_by_get_query_and_refresh(app: SandboxApp, connect: Any, clock: Any) -> None:
    client = connect(app)
    query = {
        "grant_type": "client_credentials",
        "client_id": ACCOUNT.client_id,
        "client_secret": ACCOUNT.client_secret,
    }
    first = _body(client.get(AUTH, params=query))["result"]
    clock.advance(LIFETIME - 1)
    refreshed = _auth(
        client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    second = _body(refreshed)["result"]
    assert second["access_token"] != first["access_token"]
    clock.advance(2)  # the first token has expired, the refreshed one has not
    assert _error(_cancel(client, "ETH-1", Bearer(first["access_token"])))[0] == 13009
    assert _error(_cancel(client, "ETH-1", Bearer(second["access_token"])))[0] == 10004
    again = _auth(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert _error(again)[:2] == (13009, "unauthorized")  # a refresh token is single-use


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"grant_type": "client_credentials", "client_id": ACCOUNT.client_id, "client_secret": "nope"}, 13004),
        ({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": ACCOUNT.client_secret}, 13004),
        ({"grant_type": "client_credentials", "client_id": ACCOUNT.client_id}, -32602),
        ({"grant_type": "password"}, -32602),
        ({"grant_type": "client_signature", "client_id": ACCOUNT.client_id, "timestamp": "9" * 5000, "nonce": "n", "signature": "ab", "data": ""}, 13004),
        ({}, -32602),
    ],
)  # fmt: skip
def test_refused_grants(app: SandboxApp, connect: Any, params: dict[str, Any], code: int) -> None:
    assert _error(_auth(connect(app), params))[0] == code


def test_read_scope_token_is_forbidden_to_cancel(app: SandboxApp, connect: Any) -> None:
    client = connect(app)
    order = app.state.deribit.add_order()
    result = _token(client, scope="trade:read")
    assert result["scope"].endswith("trade:read")
    response = _cancel(client, order.order_id, Bearer(result["access_token"]))
    assert _error(response) == (13021, "forbidden", {"reason": "scope trade:read_write required"})
    assert app.state.deribit.get(order.order_id).order_state == "open"  # type: ignore[union-attr]


def test_secrets_never_reach_the_log(
    app: SandboxApp, connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="venuekit.sandbox")
    client = connect(app)
    query = {
        "grant_type": "client_credentials",
        "client_id": ACCOUNT.client_id,
        "client_secret": ACCOUNT.client_secret,
    }
    token = _body(client.get(AUTH, params=query))["result"]["access_token"]
    _cancel(client, "ETH-1", Bearer(token))
    assert caplog.records  # the requests were logged ...
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert ACCOUNT.client_secret not in logged  # ... without the secret or the token
    assert token not in logged


# --- Coinbase CDP keys (drb.coinbase.com) ----------------------------------------------------


@pytest.mark.parametrize("key", [CDP.ed25519, CDP.es256], ids=["EdDSA", "ES256"])
def test_cdp_jwt_token_acts_for_the_subaccount(
    app: SandboxApp, connect: Any, clock: Any, key: Any
) -> None:
    client = connect(app)
    jwt = cdp_jwt(key.key_name, key.private_key, key.algorithm, clock())
    response = _auth(client, {"grant_type": "coinbase_cdp", "token": jwt})
    assert response.status_code == 200, response.text
    result = _body(response)["result"]
    assert result["scope"] == "connection trade:read_write"  # a subaccount: no "mainaccount"
    bearer = Bearer(result["access_token"])
    mine = app.state.deribit.add_order(user_id=CDP.user_id, label="cb")
    main = app.state.deribit.add_order(label="cb")
    assert _body(_cancel(client, mine.order_id, bearer))["result"]["order_state"] == "cancelled"
    assert _error(_cancel(client, main.order_id, bearer))[0] == 10004
    by_label = client.get("/api/v2/private/cancel_by_label", params={"label": "cb"}, auth=bearer)
    assert _body(by_label)["result"] == 0  # the main account's "cb" order is not its to cancel


def test_cdp_key_forms_are_the_documented_ones() -> None:
    import base64

    assert len(base64.b64decode(CDP.ed25519.private_key)) == 64
    assert CDP.es256.private_key.startswith("-----BEGIN EC PRIVATE KEY-----\n")
    for key in CDP.all_keys():
        org, key_id = key.key_name.removeprefix("organizations/").split("/apiKeys/")
        assert org
        assert key_id


def _es_key_signed_as_ed(now: float) -> str:
    return cdp_jwt(CDP.es256.key_name, CDP.ed25519.private_key, "EdDSA", now)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now, header={"typ": "JOSE"}), "unexpected JWT header"),
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now, header={"kid": "organizations/x/apiKeys/y"}), "unknown key"),
        (_es_key_signed_as_ed, "unexpected JWT header"),
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now, header={"kid": CDP.es256.key_name, "alg": "ES256"}), "bad JWT signature"),
        (lambda now: cdp_jwt(CDP.es256.key_name, CDP.es256.private_key, "ES256", now, claims={"iss": "coinbase"}), "unexpected JWT claims"),
        (lambda now: cdp_jwt(CDP.es256.key_name, CDP.es256.private_key, "ES256", now, claims={"sub": CDP.ed25519.key_name}), "unexpected JWT claims"),
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now - 121), "JWT not valid now"),
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now, claims={"nbf": int(now) + 61}), "JWT not valid now"),
        (lambda now: cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", now, claims={"exp": None}), "JWT not valid now"),
        (lambda now: "a.b", "malformed JWT"),
    ],
    ids=["typ", "kid", "alg-mismatch", "es256-garbage-sig", "iss", "sub", "expired", "nbf", "no-exp", "shape"],
)  # fmt: skip
def test_refused_cdp_jwts_are_13004(
    app: SandboxApp, connect: Any, clock: Any, make: Any, reason: str
) -> None:
    response = _auth(connect(app), {"grant_type": "coinbase_cdp", "token": make(clock())})
    assert _error(response) == (13004, "invalid_credentials", {"reason": reason})


def test_cdp_jwt_tampered_claims_fail_the_signature(
    app: SandboxApp, connect: Any, clock: Any
) -> None:
    jwt = cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", clock())
    head, claims, sig = jwt.split(".")
    other = cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", clock() + 1)
    forged = f"{head}.{other.split('.')[1]}.{sig}"
    response = _auth(connect(app), {"grant_type": "coinbase_cdp", "token": forged})
    assert _error(response)[2] == {"reason": "bad JWT signature"}
    assert claims  # the original claims part was replaced, not empty


def test_cdp_jwt_signed_by_another_ed25519_key_is_refused(
    app: SandboxApp, connect: Any, clock: Any
) -> None:
    import base64

    stranger = base64.b64encode(bytes(range(32))).decode()  # a valid key, not the account's
    jwt = cdp_jwt(CDP.ed25519.key_name, stranger, "EdDSA", clock())
    response = _auth(connect(app), {"grant_type": "coinbase_cdp", "token": jwt})
    assert _error(response) == (13004, "invalid_credentials", {"reason": "bad JWT signature"})


def test_served_access_log_drops_deribit_queries(caplog: pytest.LogCaptureFixture) -> None:
    from venuekit.sandbox._server import _hide_drops

    secret_query = f"grant_type=client_credentials&client_secret={ACCOUNT.client_secret}"
    access = logging.getLogger("uvicorn.access")
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    with _hide_drops():  # what `serve` installs around uvicorn (access log on)
        # uvicorn's own access-log call (uvicorn/protocols/http/h11_impl.py)
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"{AUTH}?{secret_query}", "1.1", 200
        )
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/time?x=1", "1.1", 200)
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        f'127.0.0.1:5 - "GET {AUTH}?... HTTP/1.1" 200',
        '127.0.0.1:5 - "GET /time?x=1 HTTP/1.1" 200',
    ]
