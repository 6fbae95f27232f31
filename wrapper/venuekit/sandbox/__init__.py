"""A local sandbox of Coinbase Exchange, INTX, Loopring and Deribit that checks requests like them.

One raw ASGI application (no web framework) serves every venue's endpoints on one base URL
(Deribit under ``/api/v2``: use ``{url}/api/v2`` as its base URL).
Run it in-process (`transport`, `sync_transport`: no sockets) or over a socket with uvicorn
(`run_in_thread`, `serve`, ``venuekit sandbox --port N``; uvicorn is the ``sandbox`` extra and is
imported only when serving). The credentials it accepts are `DEFAULT_CREDENTIALS`: public and fake.
`serve_with_exports` seeds N orders per venue, takes faults as ``VENUE.FIELD=VALUE`` text
(`parse_faults`) and prints the ``export VENUEKIT_...`` lines to paste (`export_lines`).

Example:
    >>> import httpx
    >>> from venuekit.sandbox import IN_PROCESS_URL, create_app, sync_transport
    >>> app = create_app()
    >>> with httpx.Client(transport=sync_transport(app), base_url=IN_PROCESS_URL) as client:
    ...     client.get("/time").status_code
    200

Behaviour, and the fact it mirrors (``shared/design/venues.md`` unless said otherwise;
"CONTRACT" = the project's shared sandbox-facing facts):

Every request first (all venues, every route, ``_guard``; ASSUMPTION: the venues document none
of these answers, the statuses are RFC 9110's and the bodies each venue's error shape)
    - A request head over 16 KiB is 431 (over a socket, h11 answers 400 first); a duplicated auth or framing header (``Host``,
      ``Content-Length``, ``Content-Type``, ``CB-ACCESS-*``, ``X-API-*``) or a duplicated venue
      parameter (``portfolio``, ``product_id``, ``profile_id``, ``accountId``, ``orderHash``,
      ``clientOrderId``), a malformed ``Host``, ``Content-Length`` or method is 400.
    - The body limit (``SandboxConfig.max_body_bytes``, 64 KiB) is checked on
      ``Content-Length`` before a byte is read (413 at once) and while reading a chunked body
      (413 as soon as it passes the limit; the rest is never read).
    - Hostile values never reach a 500: timestamps parse only as short ASCII digits, ids are
      looked up as text, non-ASCII bytes are compared as bytes (fuzzed with hypothesis).

Served over a socket (`run_in_thread`, `serve`, `serve_with_exports`; `ServerLimits`)
    - At most 1,000 connections: one more is closed as soon as it is accepted (requests beyond
      that many in flight get uvicorn's 503). An idle keep-alive connection closes after 5 s.
    - A client has 5 s to send a complete request head from connecting (or from the first byte
      of a later request on the connection): one that sends nothing, or a byte at a time, is
      disconnected. uvicorn has no such timeout: a small subclass of its h11 protocol adds it.

Routing (all venues)
    - Routes on the raw, still percent-encoded path (``scope["raw_path"]``): an order id is the
      single raw segment after ``/orders/`` or ``/api/v1/orders/``, percent-decoded, so ``a%2Fb``
      is the id ``a/b`` and ``..%2F`` is an id, never another endpoint.
    - Unknown path: 404 with the venue's body shape (chosen by path prefix); known path, other
      method: 405 with an ``Allow`` header.
    - Every response has a ``Date`` header from the venue's sandbox clock (INTX: "the Date
      response header is the only clock reference").

Coinbase Exchange -- ``DELETE /orders/{order_id}[?product_id=&profile_id=]``, ``GET /time``
    - ``CB-ACCESS-KEY`` must be known (else 401 "Invalid API Key"), ``CB-ACCESS-PASSPHRASE`` must
      match (401 "Invalid Passphrase").
    - Signature ``base64(HMAC_SHA256(base64decode(secret), timestamp + METHOD + requestPath +
      body))`` with ``requestPath`` = raw path **plus** ``?query`` when sent (venues.md: the
      official SDKs sign the query); a mismatch is 401 "invalid signature".
    - Timestamp: seconds, decimals allowed; more than 30 s from the sandbox clock is 401 "request
      timestamp expired" (exactly 30 s is accepted). Unparsable: 401 "invalid timestamp"
      (ASSUMPTION: the docs give no text).
    - ``order_id`` is the exchange id or ``client:<client_oid>``. Success: 200 with the id as a
      bare JSON string (the client_oid, without the prefix, when cancelled by client id; Exchange
      docs, seed 000). Second cancel: 400 "Order already done". Unknown UUID-shaped id or unknown
      client_oid: 404 "NotFound"; an unknown id that is not a UUID: 400 "Invalid order id".
    - ``product_id`` other than the order's: 404 "ProductNotFound" (the docs list "(404)
      ProductNotFound" for an unknown ``product_id``; ccxt maps "Product not found"; the order
      stays open). ``profile_id`` other than the key's: 404 "NotFound" (ASSUMPTION: the venue's
      exact answer is not documented).
    - ``GET /time``: ``{"iso": "...Z", "epoch": 1700000000.123}``, unauthenticated.
    - Rate limit: token bucket of 15/s, burst 30, per API key: 429 "Private rate limit exceeded".

Coinbase INTX -- ``DELETE /api/v1/orders/{id}?portfolio=...``
    - Same HMAC as Exchange but the signed path is the raw path **without** the query, and the
      timestamp is integer seconds within 5 s of the sandbox clock (current docs).
    - Auth failures: 401 ``{"message": "Unauthorized", "detail": <reason>}`` where reason is
      "Invalid API Key", "Invalid Passphrase", "invalid timestamp", "request timestamp expired"
      or "invalid signature" (ASSUMPTION: INTX gives no per-cause text; ``detail`` is ours).
    - ``portfolio`` is required and must be the key's portfolio, by UUID or numeric id: else 400
      ``{"title": "Invalid attribute", "status": 400}``.
    - ``id`` is the exchange order id or the client order id. Order and portfolio ids are text
      of any form: the real venue's ``2v2ckc1g-1-0`` (generated by default) or 17 digits.
      Success: 200 shaped like the answer recorded from the real venue (nautilus_trader's
      ``http_delete_orders.json``): every id, price and size a JSON string, ``order_uuid``,
      ``event_type`` "CANCELED", ``order_status`` "DONE", ``leaves_qty`` the size.
      ``SandboxConfig(intx_answers="docs")`` sends the docs' example instead (seed 003: JSON
      numbers, 17-digit ids, ``event_time`` ...), to test a client's tolerance. Second cancel: 400 ``{"title": "Order already done", "status":
      400}`` (ASSUMPTION: the docs give no text; CONTRACT). Unknown: 404 ``{"title": "Order not
      found", "status": 404}``.
    - Rate limit: 40/s per API key (burst 40): 429 ``{"message": "Rate limit exceeded"}``.

Loopring v3 -- ``DELETE /api/v3/order?accountId=&orderHash=|clientOrderId=``
    - Errors are HTTP 400 ``{"resultInfo": {"code": N, "message": ...}}``: 104001 empty
      ``X-API-KEY``, 104002 unknown key, 104003 ``accountId`` missing or not the key's account,
      104004 no ``X-API-SIG``, 104005 wrong signature, 107002 neither orderHash nor
      clientOrderId, 107003 unknown order, 102117 already cancelled, 102120 malformed unknown
      orderHash.
    - ``X-API-SIG`` is verified with `venuekit._signing.loopring.verify` against the account's
      public key, over the signature base of the URL the client called (``scheme://`` + Host
      header + path) and the query parameters as sent (loopring-eddsa.md; CONTRACT).
    - Success: 200 ``{"hash", "clientOrderId", "status": "cancelled", "isIdempotent": false}``.
    - Rate limit: 5/s per account key (burst 5): 429 with a ``resultInfo`` body (ASSUMPTION:
      code 100000, the docs give no body).

Deribit API v2 -- ``GET /api/v2/<method>?params`` or ``POST /api/v2[/<method>]`` (JSON-RPC)
    - Methods: ``public/auth``, ``public/get_time`` (result: ms), ``private/cancel`` (result:
      the order), ``private/cancel_by_label``, ``private/cancel_all``,
      ``private/cancel_all_by_currency``, ``private/cancel_all_by_instrument`` (result: the number
      cancelled). Any other method: -32601 "Method not found". POST: the body's ``method`` (or
      the path's) and ``params`` (an empty body takes the query); ``id`` is echoed.
    - Envelope: ``{"jsonrpc": "2.0", ["id",] "result" | "error": {"code", "message"[, "data"]},
      "usIn", "usOut", "usDiff", "testnet": true}`` (µs of the venue's sandbox clock; usDiff is
      the real handling time). Messages are the short messages of errors.mdx's complete table;
      ``data`` is ``{"reason"[, "param"]}``.
    - HTTP status: 200 with a result; errors 400, except 10028 (429) and the injected 10001
      (500). ASSUMPTION: errors.mdx names no status; clients must read the body (venues.md).
    - ``deri-hmac-sha256`` (venues.md): unknown id 13004; malformed header, timestamp more than
      60 s from the venue clock (exactly 60 s passes), bad signature or a nonce already used by
      that client id within the window: 13009 with ``data.reason``. The signature covers
      ``UPPER(method) \n URI \n body \n`` with the raw path plus ``?query`` and the exact body
      bytes. No ``Authorization``: 13009 (ASSUMPTION: venues.md and errors.mdx give 13009 for
      a bad or missing authorization; errors.mdx's 10000 ``authorization_required``, "invalid
      or absent signature", would also fit).
    - ``public/auth`` grants: ``client_credentials``, ``client_signature`` (the docs' vector
      passes), ``refresh_token`` (single use) and ``coinbase_cdp`` (a JWT verified with the CDP
      key's public key: Ed25519 via PyNaCl, ES256 via ``cryptography``; header ``typ`` JWT,
      ``alg`` the key's, ``kid`` a known key name; claims ``sub`` = kid, ``iss`` "cdp", ``nbf``
      at most 60 s ahead, ``exp`` in the future). Refused credentials or JWT: 13004; missing
      or unknown ``grant_type``: -32602. Tokens live ``SandboxConfig.deribit_token_lifetime``
      (900 s by default); expired or unknown Bearer: 13009. ``scope`` ``trade:read`` (or
      ``trade:none``) narrows the token: cancels with it are 13021 ``forbidden``.
    - Accounts: the Deribit key trades for the main account (user 100001); both CDP keys for
      the Coinbase gateway's subaccount (100002). Neither sees the other's orders.
    - Order state: cancel of an open or untriggered order answers the order with
      ``order_state`` "cancelled" and ``cancel_reason`` "user_request"; again, or a filled
      one: 11044 ``not_open_order``; unknown id (or another account's): 10004
      ``order_not_found``. A label is not unique: ``cancel_by_label`` cancels every open order
      with it (optionally of one ``currency``). Mass cancels filter on the instrument's
      settlement currency, ``kind`` and ``type`` (``detailed`` is accepted; the answer is
      always the count). Unknown instrument: 13020 ``not_found``; missing/invalid parameters:
      -32602 ``{"reason", "param"}``; a label over 64 characters: 11029 (ASSUMPTION).
    - Malformed bodies: -32700 "Parse error"; not a JSON-RPC object, ``jsonrpc`` not "2.0" or
      a ``method`` that differs from the path: 11050 ``bad_request``; over 32 kB: -32600.
    - Rate limit: the matching-engine default tier per account, 5/s with bursts of 20, spent by
      the ``private/`` methods after authentication: 10028 ``too_many_requests`` (HTTP 429).

State
    - Orders are seeded per venue for the configured account (profile / portfolio / account),
      deterministically from ``SandboxConfig.seed``; add and list them through
      ``app.state`` (`SandboxState.add_exchange_order`, ``add_intx_order``,
      ``add_loopring_order``, ``exchange_orders`` ...). Cancels are atomic under a lock.
    - Deribit's orders are in ``app.state.deribit`` (`DeribitBook`): ``add_order(user_id=...,
      instrument_name=..., label=..., order_type=...)`` (default account: the main one; pass
      ``DEFAULT_CREDENTIALS.cdp.user_id`` for the CDP keys' subaccount), ``orders()``,
      ``get(order_id)``. Ids have Deribit's forms (``"4008716877"`` for BTC, ``"ETH-349249"``,
      ``"USDC-123456"``); instruments are `DERIBIT_INSTRUMENTS`.
    - ``SandboxConfig(state_file=path)`` makes the book durable (`JournaledState`): every added
      order and applied cancel is appended to the file (one JSON line, one ``write``) before the
      sandbox answers, and a sandbox started on that file replays it instead of seeding, so a
      sandbox killed with SIGKILL and started again keeps its book (a machine crash may lose
      the last lines: no ``fsync``). `read_journal` reads the book back without a sandbox.

Faults (per venue, `Faults`)
    - ``latency`` (async sleep), ``error_rate`` (500), ``rate_limit_rate`` (429), ``drop_rate``
      (the connection is dropped after ``http.response.start``: uvicorn aborts the connection,
      the in-process transports raise `httpx.RemoteProtocolError`); ``drop_after_apply`` is the
      share of drops that happen after the cancel was applied (the rest happen before), and
      ``clock_offset`` skews that venue's clock (``GET /time``, ``Date``, timestamp checks).
    - Each venue draws four numbers per request from its own ``random.Random`` seeded from the
      config's seed: the same seed and request order give the same sequence of outcomes.
    - Faults apply to the venue endpoints, ``GET /time`` and every ``/api/v2`` call, not to
      404/405 answers. Deribit's fault answers use its envelope (500: 10001, 429: 10028).
    - ``app.stats`` (``venuekit.sandbox._stats.SandboxStats``) counts every answer by venue, endpoint, fate and status, so
      a load test can tell injected 429s (fate ``rate_limited``) from earned ones (fate
      ``normal``, status 429) and count drops.

Assumptions beyond the docs are marked ASSUMPTION above; the Coinbase HMAC check is written from
venues.md independently of `venuekit._signing.coinbase`, and the Deribit checks (HMAC, JWT) from
venues.md independently of venuekit's signers, so they are real checks of the signers.
"""

from __future__ import annotations

from venuekit.sandbox._app import Fate, SandboxApp, create_app
from venuekit.sandbox._config import Faults, RateLimit, SandboxConfig
from venuekit.sandbox._credentials import (
    DEFAULT_CREDENTIALS,
    CdpAccount,
    CdpKey,
    DeribitAccount,
    ExchangeAccount,
    IntxAccount,
    LoopringAccount,
    SandboxCredentials,
)
from venuekit.sandbox._deribit_state import (
    DERIBIT_INSTRUMENTS,
    DeribitBook,
    DeribitInstrument,
    DeribitOrder,
)
from venuekit.sandbox._exports import banner_lines, export_lines, parse_faults, serve_with_exports
from venuekit.sandbox._http import ConnectionDropped
from venuekit.sandbox._journal import JournaledState, read_journal
from venuekit.sandbox._protocol import ServerLimits
from venuekit.sandbox._server import RunningSandbox, run_in_thread, serve
from venuekit.sandbox._state import (
    INTX_INSTRUMENTS,
    CancelOutcome,
    ExchangeOrder,
    IntxInstrument,
    IntxOrder,
    LoopringOrder,
    SandboxState,
)
from venuekit.sandbox._transport import (
    IN_PROCESS_URL,
    AsyncSandboxTransport,
    SyncSandboxTransport,
    sync_transport,
    transport,
)

__all__ = [
    "DEFAULT_CREDENTIALS",
    "DERIBIT_INSTRUMENTS",
    "INTX_INSTRUMENTS",
    "IN_PROCESS_URL",
    "AsyncSandboxTransport",
    "CancelOutcome",
    "CdpAccount",
    "CdpKey",
    "ConnectionDropped",
    "DeribitAccount",
    "DeribitBook",
    "DeribitInstrument",
    "DeribitOrder",
    "ExchangeAccount",
    "ExchangeOrder",
    "Fate",
    "Faults",
    "IntxAccount",
    "IntxInstrument",
    "IntxOrder",
    "JournaledState",
    "LoopringAccount",
    "LoopringOrder",
    "RateLimit",
    "RunningSandbox",
    "SandboxApp",
    "SandboxConfig",
    "SandboxCredentials",
    "SandboxState",
    "ServerLimits",
    "SyncSandboxTransport",
    "banner_lines",
    "create_app",
    "export_lines",
    "parse_faults",
    "read_journal",
    "run_in_thread",
    "serve",
    "serve_with_exports",
    "sync_transport",
    "transport",
]
