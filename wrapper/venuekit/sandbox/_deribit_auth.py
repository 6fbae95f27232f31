"""Deribit authentication of the sandbox: ``deri-hmac-sha256``, Bearer tokens, CDP JWTs.

Written from the documentation (venues.md, Deribit section), not by calling venuekit's signers,
so the sandbox is an independent check of them:

- ``Authorization: deri-hmac-sha256 id=<client_id>,ts=<ms>,sig=<hex>,nonce=<nonce>``, where
  ``sig = hex(HMAC_SHA256(client_secret, ts + "\\n" + nonce + "\\n" + RequestData))`` and
  ``RequestData = UPPER(method) + "\\n" + URI + "\\n" + body + "\\n"`` (URI: the raw path plus
  ``?query`` when one was sent; body: the exact bytes, empty for GET).
- ``public/auth`` grants ``client_credentials``, ``client_signature``, ``refresh_token`` and
  the Coinbase gateway's ``coinbase_cdp`` (a compact JWS: header ``alg`` EdDSA or ES256, ``kid``
  = key name, ``typ`` JWT; claims ``sub`` = key name, ``iss`` "cdp", ``nbf``, ``exp``), then
  ``Authorization: Bearer <access_token>``.

PyNaCl (Ed25519) and ``cryptography`` (P-256) are imported only when a JWT is checked.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hmac
import json
import secrets
import threading
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from venuekit.sandbox._coinbase_auth import parse_timestamp
from venuekit.sandbox._credentials import CdpKey, SandboxCredentials
from venuekit.sandbox._http import Request

__all__ = ["DeribitAuth", "Principal", "RpcError", "TradeScope", "hmac_signature"]

TradeScope = Literal["read_write", "read", "none"]
_SCOPE_RANK: dict[str, int] = {"none": 0, "read": 1, "read_write": 2}
_SCOPES: dict[str, TradeScope] = {"none": "none", "read": "read", "read_write": "read_write"}
_HMAC_SCHEME = "deri-hmac-sha256"


class RpcError(Exception):
    """A JSON-RPC error to answer: code, short message (errors.mdx, complete table) and data."""

    def __init__(self, code: int, message: str, **data: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.data = data


def unauthorized(reason: str, **data: str) -> RpcError:
    """13009 ``unauthorized``: wrong or expired token, or bad signature."""
    return RpcError(13009, "unauthorized", reason=reason, **data)


def invalid_credentials(reason: str) -> RpcError:
    """13004 ``invalid_credentials``."""
    return RpcError(13004, "invalid_credentials", reason=reason)


def invalid_params(param: str, reason: str) -> RpcError:
    """-32602 ``Invalid params`` with the parameter, as Deribit's data does."""
    return RpcError(-32602, "Invalid params", reason=reason, param=param)


@attrs.frozen
class Principal:
    """Who a private request acts for: the account (``user_id``) and the ``trade:`` scope."""

    user_id: int
    trade_scope: TradeScope
    main_account: bool


@attrs.frozen
class _Token:
    principal: Principal
    expires_at: float


def hmac_signature(secret: str, timestamp: str, nonce: str, data: bytes) -> str:
    """Return ``hex(HMAC_SHA256(secret, timestamp + "\\n" + nonce + "\\n" + data))``."""
    message = f"{timestamp}\n{nonce}\n".encode() + data
    return hmac.digest(secret.encode(), message, "sha256").hex()


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class DeribitAuth:
    """Checks requests and issues tokens for the sandbox's Deribit and CDP keys.

    Nonces of ``deri-hmac-sha256`` (and ``client_signature``) are remembered per client id for
    the clock window, so a replayed header is refused (13009) while memory stays bounded.
    """

    def __init__(
        self, credentials: SandboxCredentials, *, window: float, token_lifetime: float
    ) -> None:
        deribit = credentials.deribit
        self._keys = {deribit.client_id: deribit}
        self._main = Principal(deribit.user_id, deribit.trade_scope, main_account=True)
        self._cdp_keys = {key.key_name: key for key in credentials.cdp.all_keys()}
        self._cdp = Principal(credentials.cdp.user_id, "read_write", main_account=False)
        self._window = window
        self._lifetime = token_lifetime
        self._lock = threading.Lock()
        self._nonces: dict[str, collections.OrderedDict[str, float]] = {}
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._public_keys: dict[str, Any] = {}

    # --- private requests ---------------------------------------------------------------------

    def authenticate(self, request: Request, now: float) -> Principal:
        """Return who the request acts for, or raise the venue's `RpcError` (13004/13009)."""
        header = request.headers.get("authorization", "").strip()
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "bearer":
            return self._bearer(rest.strip(), now)
        if scheme.lower() == _HMAC_SCHEME:
            return self._hmac(request, rest, now)
        raise unauthorized("authorization required")

    def _bearer(self, access_token: str, now: float) -> Principal:
        with self._lock:
            token = self._tokens.get(access_token)
            if token is None:
                raise unauthorized("invalid token", param="access_token")
            if now >= token.expires_at:
                del self._tokens[access_token]
                raise unauthorized("token has expired", param="access_token")
            return token.principal

    def _hmac(self, request: Request, fields_text: str, now: float) -> Principal:
        fields: dict[str, str] = {}
        for part in fields_text.split(","):
            name, _, value = part.strip().partition("=")
            fields.setdefault(name.strip(), value.strip())
        if not all(fields.get(name) for name in ("id", "ts", "sig", "nonce")):
            raise unauthorized("malformed deri-hmac-sha256 header")
        account = self._keys.get(fields["id"])
        if account is None:
            raise invalid_credentials("unknown client id")
        uri = request.raw_path + (f"?{request.query_string}" if request.query_string else "")
        request_data = f"{request.method.upper()}\n{uri}\n".encode("latin-1") + request.body + b"\n"
        self._check_signed(account.client_id, account.client_secret, fields, request_data, now)
        return self._main

    def _check_signed(
        self, client_id: str, secret: str, fields: Mapping[str, str], data: bytes, now: float
    ) -> None:
        """Timestamp window, HMAC, then nonce reuse (only signed requests spend a nonce)."""
        ts = fields["ts"]
        # Digits only, length-capped: a 5,000-digit value is malformed, not an int() error (500).
        millis = parse_timestamp(ts, integer=True) if ts == ts.strip() else None
        if millis is None:
            raise unauthorized("invalid timestamp")
        if abs(millis / 1000 - now) > self._window:
            raise unauthorized("timestamp out of the 60 s window")
        expected = hmac_signature(secret, ts, fields["nonce"], data)
        if not hmac.compare_digest(fields["sig"].lower().encode(), expected.encode()):
            raise unauthorized("bad signature")
        with self._lock:
            seen = self._nonces.setdefault(client_id, collections.OrderedDict())
            while seen and next(iter(seen.values())) < now - self._window:
                seen.popitem(last=False)
            if fields["nonce"] in seen:
                raise unauthorized("nonce already used")
            seen[fields["nonce"]] = millis / 1000

    # --- public/auth --------------------------------------------------------------------------

    def issue(self, params: Mapping[str, Any], now: float) -> dict[str, object]:
        """``public/auth``: check the grant, then answer a fresh access and refresh token."""
        grant = params.get("grant_type")
        if grant == "client_credentials":
            principal = self._client_credentials(params)
        elif grant == "client_signature":
            principal = self._client_signature(params, now)
        elif grant == "refresh_token":
            principal = self._refreshed(params, now)
        elif grant == "coinbase_cdp":
            principal = self._coinbase_cdp(_text(params, "token"), now)
        elif grant is None:
            raise invalid_params("grant_type", "required")
        else:
            raise invalid_params("grant_type", "invalid grant_type")
        requested = params.get("scope")
        if requested is not None and not isinstance(requested, str):
            raise invalid_params("scope", "must be a string")
        principal = _narrowed(principal, requested or "")
        stamp = int(now * 1000)  # Deribit's tokens start with the issue time in ms
        access = f"{stamp}.{secrets.token_urlsafe(32)}"
        refresh = f"{stamp}.{secrets.token_urlsafe(32)}"
        token = _Token(principal, now + self._lifetime)
        with self._lock:
            for store in (self._tokens, self._refresh):
                for key in [k for k, t in store.items() if t.expires_at <= now]:
                    del store[key]
            self._tokens[access] = token
            self._refresh[refresh] = attrs.evolve(token, expires_at=now + 10 * self._lifetime)
        scope = ["connection"] + (["mainaccount"] if principal.main_account else [])
        return {
            "access_token": access,
            "expires_in": int(self._lifetime),
            "refresh_token": refresh,
            "scope": " ".join([*scope, f"trade:{principal.trade_scope}"]),
            "enabled_features": [],
            "token_type": "bearer",
        }

    def _client_credentials(self, params: Mapping[str, Any]) -> Principal:
        account = self._keys.get(_text(params, "client_id"))
        secret = _text(params, "client_secret")
        if account is None or not hmac.compare_digest(
            secret.encode(), account.client_secret.encode()
        ):
            raise invalid_credentials("invalid client id or secret")
        return self._main

    def _client_signature(self, params: Mapping[str, Any], now: float) -> Principal:
        account = self._keys.get(_text(params, "client_id"))
        timestamp = params.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int | str):
            raise invalid_params("timestamp", "required")
        fields = {
            "ts": str(timestamp),
            "nonce": _text(params, "nonce", required=False),
            "sig": _text(params, "signature"),
        }
        if account is None:
            raise invalid_credentials("unknown client id")
        data = _text(params, "data", required=False).encode()
        try:
            self._check_signed(account.client_id, account.client_secret, fields, data, now)
        except RpcError as error:
            raise invalid_credentials(str(error.data.get("reason"))) from None
        return self._main

    def _refreshed(self, params: Mapping[str, Any], now: float) -> Principal:
        key = _text(params, "refresh_token")
        with self._lock:
            token = self._refresh.pop(key, None)  # single use
        if token is None or now >= token.expires_at:
            raise unauthorized("invalid refresh token", param="refresh_token")
        return token.principal

    def _coinbase_cdp(self, jwt: str, now: float) -> Principal:
        """Verify a CDP JWT: header, signature with the key's public key, then the claims."""
        parts = jwt.split(".")
        try:
            if len(parts) != 3:
                raise ValueError("not a compact JWS")
            header = json.loads(_b64url(parts[0]))
            claims = json.loads(_b64url(parts[1]))
            signature = _b64url(parts[2])
        except (ValueError, binascii.Error):
            raise invalid_credentials("malformed JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise invalid_credentials("malformed JWT")
        key = self._cdp_keys.get(header.get("kid"))  # type: ignore[arg-type]
        if key is None:
            raise invalid_credentials("unknown key")
        if header.get("typ") != "JWT" or header.get("alg") != key.algorithm:
            raise invalid_credentials("unexpected JWT header")
        if not self._verify(key, f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
            raise invalid_credentials("bad JWT signature")
        nbf, exp = _number(claims.get("nbf")), _number(claims.get("exp"))
        if claims.get("sub") != key.key_name or claims.get("iss") != "cdp":
            raise invalid_credentials("unexpected JWT claims")
        if nbf is None or exp is None or nbf > now + self._window or exp <= now:
            raise invalid_credentials("JWT not valid now")
        return self._cdp

    def _verify(self, key: CdpKey, signing_input: bytes, signature: bytes) -> bool:
        public = self._public_keys.get(key.key_name)
        if key.algorithm == "EdDSA":
            from nacl.exceptions import BadSignatureError
            from nacl.signing import SigningKey

            if public is None:
                public = SigningKey(base64.b64decode(key.private_key)[:32]).verify_key
                self._public_keys[key.key_name] = public
            try:
                public.verify(signing_input, signature)
            except BadSignatureError:
                return False
            return True
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, utils

        if public is None:
            private = serialization.load_pem_private_key(key.private_key.encode(), None)
            assert isinstance(private, ec.EllipticCurvePrivateKey)
            public = private.public_key()
            self._public_keys[key.key_name] = public
        if len(signature) != 64:  # JWS ES256: r || s, 32 bytes each (RFC 7518 section 3.4)
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        try:
            public.verify(
                utils.encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            return False
        return True


def _text(params: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = params.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise invalid_params(name, "required" if value is None else "must be a string")
    return value


def _narrowed(principal: Principal, scope: str) -> Principal:
    """Apply a requested ``trade:`` scope; a token never gets more than its key."""
    for part in scope.split():
        name, _, level = part.partition(":")
        wanted = _SCOPES.get(level) if name == "trade" else None
        if wanted is not None and _SCOPE_RANK[wanted] < _SCOPE_RANK[principal.trade_scope]:
            principal = attrs.evolve(principal, trade_scope=wanted)
    return principal
