"""Deribit request auth for httpx: `DeribitHmacAuth` (Deribit keys), `DeribitTokenAuth` (CDP keys).

- `DeribitHmacAuth`: stateless ``deri-hmac-sha256`` per request over the exact bytes sent (method,
  raw path with ``?query``, body), a new millisecond timestamp and a new random nonce on every
  attempt; only the client id, timestamp, nonce and signature go on the wire.
- `DeribitTokenAuth`: a Bearer token from ``POST {base}/public/auth`` with
  ``grant_type=coinbase_cdp`` and a CDP JWT in the JSON-RPC body (never in a URL). ``{base}`` is
  the request's own prefix (``/api/v2`` of ``/api/v2/private/cancel``). The token is cached and
  shared by concurrent requests (one ``public/auth`` for N concurrent cancels: a `threading.Lock`
  in the sync flow, an `anyio.Lock` in the async flow), renewed once
  ``DERIBIT_TOKEN_REFRESH_FRACTION`` of its ``expires_in`` has passed, and obtained again once
  when an answer carries JSON-RPC error 13004 or 13009 (the request is then re-sent once, never
  in a loop). Only answers with a declared ``Content-Length`` of at most
  ``DERIBIT_TOKEN_ANSWER_MAX_BYTES`` are read for that (a token error is ~100 bytes; a larger or
  chunked body is left unread for the caller's own size-capped read; venuekit's clients then
  call `DeribitTokenAuth.invalidate_token` when they find 13004/13009 there). A ``public/auth``
  answer over that cap is refused unread; a refused key raises `AuthenticationError` (a 5xx
  there: `VenueUnavailable`), the venue's message with credentials and token redacted.

Both read the signing time from ``request.extensions["venuekit.sign_at"]`` when the engine sets
it, else from ``clock() + clock_offset``.

Example:
    >>> import httpx
    >>> from venuekit._credentials import DeribitCredentials
    >>> auth = DeribitHmacAuth(DeribitCredentials(client_id="AMANDA", client_secret="AMANDASECRECT"),
    ...                        clock=lambda: 1576074319.0, nonce=lambda: "1iqt2wls")
    >>> request = httpx.Request("GET", "https://www.deribit.com/api/v2/private/cancel?order_id=1")
    >>> auth.sign(request)
    >>> request.headers["Authorization"][:60]
    'deri-hmac-sha256 id=AMANDA,ts=1576074319000,sig=0f5021a7c485'
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Final

import anyio
import attrs
import httpx

from venuekit._auth_common import Clock, ClockedAuth, replace_headers
from venuekit._credentials import CoinbaseCdpCredentials, DeribitCredentials
from venuekit._secret import Secret, redact
from venuekit._signing import cdp, deribit
from venuekit._venues._spec import Venue
from venuekit.errors import AuthenticationError, RateLimited, VenueError, VenueUnavailable

__all__ = ["DeribitHmacAuth", "DeribitTokenAuth", "random_nonce"]

#: A ``public/auth`` token is renewed once this fraction of its ``expires_in`` has passed
#: (Coinbase's own client refreshes at 0.8 x expires_in; venues.md, Deribit section).
DERIBIT_TOKEN_REFRESH_FRACTION: Final = 0.8
#: JSON-RPC error codes that mean "the Bearer token is no longer good": 13004
#: ``invalid_credentials`` and 13009 ``unauthorized`` (Deribit's complete error table). On one
#: of them the token is obtained again once and the request re-sent once.
DERIBIT_REAUTH_ERROR_CODES: Final = frozenset({13004, 13009})
#: Largest declared ``Content-Length`` of an answer the token adapter reads to look for those
#: codes; a token error is ~200 bytes, larger answers are left unread for the caller's own
#: size-capped read.
DERIBIT_TOKEN_ANSWER_MAX_BYTES: Final = 16_384

_LOG = logging.getLogger("venuekit.auth")
_RATE_LIMIT_CODES = frozenset({10028, 10047})  # too_many_requests, matching_engine_queue_full
_SECRET_FIELDS = frozenset({"access_token", "refresh_token"})


def random_nonce() -> str:
    """16 random hex digits (64 bits) from `secrets`: the default nonce source.

    Example:
        >>> len(random_nonce())
        16
    """
    return secrets.token_hex(8)


class DeribitHmacAuth(ClockedAuth):
    """Sign Deribit requests with ``deri-hmac-sha256`` (Deribit API keys).

    ``nonce`` returns a fresh nonce per attempt (default: 16 random hex digits).

    Example:
        >>> from venuekit._credentials import DeribitCredentials
        >>> creds = DeribitCredentials(client_id="AMANDA", client_secret="AMANDASECRECT")
        >>> DeribitHmacAuth(creds)
        DeribitHmacAuth(credentials=DeribitCredentials(client_id='…'), clock_offset=0.0)
    """

    requires_request_body = True

    def __init__(
        self,
        credentials: DeribitCredentials,
        *,
        clock: Clock = time.time,
        clock_offset: float = 0.0,
        nonce: Callable[[], str] = random_nonce,
    ) -> None:
        super().__init__(clock, clock_offset)
        self.credentials = credentials
        self._nonce = nonce

    def __repr__(self) -> str:
        return (
            f"DeribitHmacAuth(credentials={self.credentials!r}, clock_offset={self.clock_offset!r})"
        )

    def sign(self, request: httpx.Request) -> None:
        """Set a fresh ``Authorization: deri-hmac-sha256 ...`` header (body already read)."""
        ts = deribit.timestamp_ms(self.signing_time(request))
        nonce = self._nonce()
        data = deribit.request_data(request.method, request.url.raw_path, request.content)
        string = deribit.string_to_sign(ts, nonce, data)
        _LOG.debug("DeribitHmacAuth string to sign: %r", string)
        sig = deribit.signature(self.credentials.client_secret, string)
        header = deribit.authorization_header(self.credentials.client_id, ts, nonce, sig)
        replace_headers(request, {"Authorization": header})


@attrs.frozen(repr=False)
class _Token:
    """A Bearer token and when to stop using it (signing-clock seconds)."""

    value: Secret[str]
    refresh_at: float


def _hide_tokens(obj: dict[str, Any]) -> dict[str, Any]:
    """``json.loads`` hook: token fields become `Secret`s the moment they are parsed."""
    return {
        k: Secret(v) if k in _SECRET_FIELDS and isinstance(v, str) else v for k, v in obj.items()
    }


def _json(content: bytes) -> Any:
    try:
        return json.loads(content, object_hook=_hide_tokens)
    except (ValueError, UnicodeDecodeError):
        return None


def _declared_length(response: httpx.Response) -> int | None:
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


def _auth_url(url: httpx.URL) -> httpx.URL:
    """``{prefix}/public/auth`` for a request to ``{prefix}/private/...`` or ``/public/...``."""
    path = url.raw_path.partition(b"?")[0]
    cuts = [i for i in (path.find(b"/private/"), path.find(b"/public/")) if i >= 0]
    if not cuts:
        raise ValueError("Deribit request path has no /private/ or /public/ method part")
    return url.copy_with(raw_path=path[: min(cuts)] + b"/public/auth")


class DeribitTokenAuth(ClockedAuth):
    """Authenticate Coinbase-gateway requests with a cached Bearer token from a CDP JWT.

    ``nonce`` returns the JWT header's hex nonce (default: 16 random hex digits).

    Example:
        >>> from venuekit._credentials import CoinbaseCdpCredentials
        >>> creds = CoinbaseCdpCredentials(key_name="organizations/o/apiKeys/k",
        ...                                private_key="A" * 43 + "=")
        >>> DeribitTokenAuth(creds)
        DeribitTokenAuth(credentials=CoinbaseCdpCredentials(key_name='orga…'), clock_offset=0.0)
    """

    def __init__(
        self,
        credentials: CoinbaseCdpCredentials,
        *,
        clock: Clock = time.time,
        clock_offset: float = 0.0,
        nonce: Callable[[], str] = random_nonce,
    ) -> None:
        super().__init__(clock, clock_offset)
        self.credentials = credentials
        self._nonce = nonce
        self._ids = itertools.count(1)
        self._state_lock = threading.Lock()  # guards _token; held only for a few statements
        self._token: _Token | None = None
        self._sync_lock = threading.Lock()  # one public/auth at a time among threads
        self._async_lock: anyio.Lock | None = None  # ... and among tasks (made on first use)

    def __repr__(self) -> str:
        return (
            f"DeribitTokenAuth(credentials={self.credentials!r}, "
            f"clock_offset={self.clock_offset!r})"
        )

    def invalidate_token(self) -> None:
        """Forget the cached token, so the next request obtains a new one.

        The flow does this by itself for answers it can read (declared ``Content-Length`` up to
        ``DERIBIT_TOKEN_ANSWER_MAX_BYTES``); venuekit's clients call it when they find
        13004/13009 in any other answer, so the next call does not reuse a refused token.

        Example:
            >>> from venuekit._credentials import CoinbaseCdpCredentials
            >>> DeribitTokenAuth(CoinbaseCdpCredentials(key_name="k", private_key="A" * 43 + "=")
            ...                  ).invalidate_token()
        """
        with self._state_lock:
            self._token = None

    def redaction_values(self) -> tuple[Secret[str], ...]:
        """The credentials' `redaction_values` plus the current Bearer token, if any.

        Example:
            >>> from venuekit._credentials import CoinbaseCdpCredentials
            >>> auth = DeribitTokenAuth(CoinbaseCdpCredentials(key_name="k", private_key="A" * 43 + "="))
            >>> auth.redaction_values() == auth.credentials.redaction_values()
            True
        """
        with self._state_lock:
            token = self._token
        extra = () if token is None else (token.value,)
        return (*self.credentials.redaction_values(), *extra)

    # -- I/O-free steps ----------------------------------------------------------------------

    def _usable(self, request: httpx.Request, stale: _Token | None) -> _Token | None:
        """The cached token, unless missing, refused (``stale``) or due for renewal."""
        now = self.signing_time(request)
        with self._state_lock:
            token = self._token
            if token is None or token is stale or now >= token.refresh_at:
                self._token = None
                return None
            return token

    def _auth_request(self, request: httpx.Request) -> tuple[httpx.Request, Secret[str]]:
        """The ``public/auth`` request for ``request``'s base, and its JWT (for redaction)."""
        jwt = Secret(
            cdp.build_jwt(self.credentials.key, now=self.signing_time(request), nonce=self._nonce())
        )
        extensions = {k: v for k, v in request.extensions.items() if k == "timeout"}
        headers = {"Accept": "application/json"}
        if "user-agent" in request.headers:
            headers["User-Agent"] = request.headers["user-agent"]
        auth_request = httpx.Request(
            "POST",
            _auth_url(request.url),
            headers=headers,
            extensions=extensions,
            json={
                "jsonrpc": "2.0",
                "id": next(self._ids),
                "method": "public/auth",
                "params": {"grant_type": "coinbase_cdp", "token": jwt.reveal()},
            },
        )
        return auth_request, jwt

    @staticmethod
    def _auth_answer_fits(response: httpx.Response) -> bool:
        """A ``public/auth`` answer declared larger than the cap is refused without reading."""
        length = _declared_length(response)
        return length is None or length <= DERIBIT_TOKEN_ANSWER_MAX_BYTES

    def _accept(self, request: httpx.Request, response: httpx.Response, jwt: Secret[str]) -> _Token:
        """Cache the token from a (read) ``public/auth`` answer, or raise the venue's refusal."""
        if not self._auth_answer_fits(response):
            raise VenueError(
                f"public/auth answer larger than {DERIBIT_TOKEN_ANSWER_MAX_BYTES} bytes",
                venue=Venue.DERIBIT,
                status_code=response.status_code,
            )
        body = _json(response.content)
        result = body.get("result") if isinstance(body, dict) else None
        if isinstance(result, dict) and isinstance(result.get("access_token"), Secret):
            expires_in = result.get("expires_in")
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
                lifetime = max(0.0, float(expires_in)) * DERIBIT_TOKEN_REFRESH_FRACTION
                token = _Token(result["access_token"], self.signing_time(request) + lifetime)
                with self._state_lock:
                    self._token = token
                _LOG.debug("DeribitTokenAuth: token obtained, renewed in %.0f s", lifetime)
                return token
        raise self._refusal(response, body, jwt)

    def _refusal(self, response: httpx.Response, body: Any, jwt: Secret[str]) -> VenueError:
        status = response.status_code
        error = body.get("error") if isinstance(body, dict) else None
        hidden = (*self.credentials.redaction_values(), jwt)
        if isinstance(error, dict):
            code = error.get("code") if isinstance(error.get("code"), int) else None
            message = redact(str(error.get("message", "")), hidden)
            kind: type[VenueError]
            if code in _RATE_LIMIT_CODES:
                kind = RateLimited
            elif status >= 500:  # the venue failed (e.g. 10001 with HTTP 500): not a refused key
                kind = VenueUnavailable
            elif code is not None and 13000 <= code < 14000:  # 13004, 13009, 13021 ...
                kind = AuthenticationError
            else:
                kind = VenueError
            return kind(
                f"public/auth refused: {message}",
                venue=Venue.DERIBIT,
                code=code,
                status_code=status,
            )
        if status == 429:
            return RateLimited("public/auth: HTTP 429", venue=Venue.DERIBIT, status_code=status)
        if status >= 500:
            return VenueUnavailable(
                f"public/auth: HTTP {status}", venue=Venue.DERIBIT, status_code=status
            )
        return VenueError(
            "public/auth answered without a usable access_token",
            venue=Venue.DERIBIT,
            status_code=status,
        )

    def _apply(self, request: httpx.Request, token: _Token) -> None:
        request.headers["Authorization"] = "Bearer " + token.value.reveal()

    @staticmethod
    def _worth_reading(response: httpx.Response) -> bool:
        """Whether the answer is small enough to look for a token error (see module doc)."""
        length = _declared_length(response)
        return length is not None and length <= DERIBIT_TOKEN_ANSWER_MAX_BYTES

    @staticmethod
    def _token_refused(response: httpx.Response) -> bool:
        body = _json(response.content)
        error = body.get("error") if isinstance(body, dict) else None
        return isinstance(error, dict) and error.get("code") in DERIBIT_REAUTH_ERROR_CODES

    # -- flows ---------------------------------------------------------------------------------
    # At most two sends of the request: the second only after a 13004/13009 answer to the first,
    # with a token obtained after that answer (never a loop).

    def _tasks_lock(self) -> anyio.Lock:
        with self._state_lock:
            if self._async_lock is None:
                self._async_lock = anyio.Lock()
            return self._async_lock

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Attach a (shared, cached) Bearer token; re-authenticate once on 13004/13009."""
        request.read()
        stale: _Token | None = None
        for attempt in range(2):
            token = self._usable(request, stale)
            if token is None:
                with self._sync_lock:
                    token = self._usable(request, stale)  # another thread may have renewed it
                    if token is None:
                        auth_request, jwt = self._auth_request(request)
                        auth_response = yield auth_request
                        if self._auth_answer_fits(auth_response):
                            auth_response.read()
                        token = self._accept(request, auth_response, jwt)
            self._apply(request, token)
            response = yield request
            if attempt or not self._worth_reading(response):
                return
            response.read()
            if not self._token_refused(response):
                return
            stale = token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The async twin of `sync_auth_flow` (tasks share one token and one renewal)."""
        await request.aread()
        stale: _Token | None = None
        for attempt in range(2):
            token = self._usable(request, stale)
            if token is None:
                async with self._tasks_lock():
                    token = self._usable(request, stale)  # another task may have renewed it
                    if token is None:
                        auth_request, jwt = self._auth_request(request)
                        auth_response = yield auth_request
                        if self._auth_answer_fits(auth_response):
                            await auth_response.aread()
                        token = self._accept(request, auth_response, jwt)
            self._apply(request, token)
            response = yield request
            if attempt or not self._worth_reading(response):
                return
            await response.aread()
            if not self._token_refused(response):
                return
            stale = token
