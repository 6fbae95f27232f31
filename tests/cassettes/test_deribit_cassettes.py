"""Deribit x both key types x each outcome, replayed from cassettes recorded against the sandbox.

Key types: a Deribit key (``deribit_hmac``: ``deri-hmac-sha256`` on every request) and Coinbase
CDP keys through the gateway (``cdp_ed25519``, ``cdp_es256``: a CDP JWT POSTed to
``public/auth``, then the cancel with ``Authorization: Bearer``). A CDP cassette therefore holds
the ``public/auth`` exchange first; replay goes through the same token flow, because vcrpy
matches on method, path and query only (the JWT, the token and the signatures are scrubbed and
differ on every run anyway).

`CASES` is the table: one row per cassette, with the JSON-RPC error code it holds. Every code of
venuekit's Deribit error table (``venuekit._venues.deribit.ERROR_CODES``, issue 12 item 4) is in
at least one row, and `test_every_mapped_error_code_is_recorded` reads the code from the
recorded answer itself. Most rows are the sandbox answering as it would anyway (wrong key, real
rate-limit bucket, real fault knob). Four codes the sandbox cannot give to venuekit's requests
are ``injected`` (see `InjectAnswer`): 10010 and 10047 (the sandbox never answers them), 11029
(the sandbox's only 11029 is a label over 64 characters, which the client refuses before
sending) and 11050 (the sandbox's 11050s are for malformed POST bodies and non-GET/POST
methods; the client sends well-formed GETs). For those the request is still authenticated and
executed by the sandbox; only the answer's ``result`` is replaced by the documented error
(errors.mdx's code and short message).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import pytest
import yaml
from cassette_recorder import (
    RECORD_MODE,
    RECORDINGS,
    WRONG_CDP_ED25519_KEY,
    WRONG_CDP_ES256_KEY,
    WRONG_DERIBIT_SECRET,
    WireSpy,
    cassette_vcr,
    secret_field_values,
)

import venuekit
from venuekit import errors
from venuekit._venues.deribit import ERROR_CODES
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    Faults,
    RateLimit,
    SandboxConfig,
    SandboxState,
    create_app,
    run_in_thread,
)
from venuekit.sandbox._deribit import http_status

NO_FAULTS = Faults()
KEYS = ("deribit_hmac", "cdp_ed25519", "cdp_es256")
DERIBIT = RECORDINGS / "deribit"
REPLAY_URL = "http://127.0.0.1:9/api/v2"  # never contacted: replay answers from the cassette
SEED = 7
LABEL = "sbx-grid"  # the sandbox gives this label to several orders of each account
UNKNOWN_ORDER = "ETH-999999999"
#: One credit in the account's matching-engine bucket, never refilled: the first cancel spends
#: it, the second is refused with 10028 by the sandbox's real rate limit (not an injected 429).
ONE_CREDIT = {"deribit_rate_limit": RateLimit(rate=0, burst=1)}
#: The CDP server-error recording needs ``public/auth`` to pass and the cancel to get the
#: injected 500. The sandbox draws each request's fate from ``random.Random`` seeded by the
#: config's seed (same seed, same sequence); with seed 7 the first two Deribit draws of the
#: error number are 0.388 and 0.012, so ``error_rate=0.2`` fails the second request only.
#: ``make cassettes`` checks it: the recording asserts ``public/auth`` succeeded.
CDP_SERVER_ERROR = Faults(error_rate=0.2)
#: The ``public/auth`` answers carry tokens that live 0 s: each is expired when the cancel
#: arrives (13009), so the client renews it once, is refused again, and stops.
TOKENS_EXPIRE_AT_ONCE = {"deribit_token_lifetime": 0.0}


def _read_only_key() -> dict[str, Any]:
    """The sandbox's Deribit key with ``trade:read`` only: its cancels are 13021 ``forbidden``."""
    accounts = DEFAULT_CREDENTIALS
    read_only = attrs.evolve(accounts.deribit, trade_scope="read")
    return {"credentials": attrs.evolve(accounts, deribit=read_only)}


@dataclasses.dataclass(frozen=True)
class Case:
    """One cassette: what is asked, how the sandbox is set up, and what the client must say."""

    key: str
    name: str
    action: str  # see `calls`
    error: type[errors.VenueError] | None = None  # None: a result
    code: int | None = None  # the JSON-RPC error code of the recorded answer
    wrong_key: bool = False
    faults: Faults = NO_FAULTS
    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    inject: tuple[int, str] | None = None  # (code, errors.mdx short message)

    @property
    def cassette(self) -> str:
        return f"deribit/{self.key}/{self.name}.yaml"

    @property
    def id(self) -> str:
        return f"{self.key}/{self.name}"

    def sandbox_config(self) -> SandboxConfig:
        return SandboxConfig(seed=SEED, deribit=self.faults, **self.config)


def _per_key(key: str, bad_credentials_code: int, server_error: Faults) -> list[Case]:
    return [
        Case(key, "success", "cancel"),
        Case(key, "already_done", "cancel_twice", errors.OrderAlreadyDone, 11044),
        Case(key, "not_found", "unknown", errors.OrderNotFound, 10004),
        Case(
            key, "rate_limited", "spend_then_cancel", errors.RateLimited, 10028, config=ONE_CREDIT
        ),
        Case(
            key,
            "bad_credentials",
            "cancel",
            errors.AuthenticationError,
            bad_credentials_code,
            wrong_key=True,
        ),
        Case(key, "invalid_params", "bad_currency", errors.VenueRejectedRequest, -32602),
        Case(key, "server_error", "cancel", errors.VenueUnavailable, 10001, faults=server_error),
        Case(key, "cancel_by_label", "by_label"),
        Case(key, "cancel_all", "all"),
    ]


# fmt: off
CASES: tuple[Case, ...] = (
    # A wrong HMAC secret: 13009 (bad signature). A wrong CDP key: 13004 at public/auth.
    *_per_key("deribit_hmac", 13009, Faults(error_rate=1.0)),
    *_per_key("cdp_ed25519", 13004, CDP_SERVER_ERROR),
    *_per_key("cdp_es256", 13004, CDP_SERVER_ERROR),
    Case("deribit_hmac", "forbidden", "cancel", errors.AuthenticationError, 13021,
         config=_read_only_key()),
    # An unmapped code (13020 not_found, unknown instrument): a plain VenueError with the code.
    Case("deribit_hmac", "unknown_instrument", "unknown_instrument", errors.VenueError, 13020),
    Case("deribit_hmac", "already_closed", "cancel", errors.OrderAlreadyDone, 10010,
         inject=(10010, "already_closed")),
    Case("deribit_hmac", "bad_request", "cancel", errors.VenueRejectedRequest, 11050,
         inject=(11050, "bad_request")),
    Case("cdp_ed25519", "token_refused", "cancel", errors.AuthenticationError, 13009,
         config=TOKENS_EXPIRE_AT_ONCE),
    Case("cdp_ed25519", "queue_full", "cancel", errors.RateLimited, 10047,
         inject=(10047, "matching_engine_queue_full")),
    Case("cdp_es256", "invalid_arguments", "cancel", errors.VenueRejectedRequest, 11029,
         inject=(11029, "invalid_arguments")),
)
# fmt: on
CASE_IDS = [case.id for case in CASES]


# --- set-up -------------------------------------------------------------------------------


def credentials(key: str, *, wrong: bool) -> object:
    """The sandbox's credentials for ``key`` (a wrong secret or private key when ``wrong``)."""
    accounts = DEFAULT_CREDENTIALS
    if key == "deribit_hmac":
        secret = WRONG_DERIBIT_SECRET if wrong else accounts.deribit.client_secret
        return venuekit.DeribitCredentials(
            client_id=accounts.deribit.client_id, client_secret=secret
        )
    cdp_key, wrong_key = (
        (accounts.cdp.ed25519, WRONG_CDP_ED25519_KEY)
        if key == "cdp_ed25519"
        else (accounts.cdp.es256, WRONG_CDP_ES256_KEY)
    )
    return venuekit.CoinbaseCdpCredentials(
        key_name=cdp_key.key_name, private_key=wrong_key if wrong else cdp_key.private_key
    )


def client_kwargs(
    case: Case, base_url: str, transport: httpx.BaseTransport | httpx.AsyncBaseTransport
) -> dict[str, Any]:
    # attempts=1, rate_limits=False: one recorded exchange per call (no retries, no pacing).
    # httpx's own transports on purpose: vcrpy patches httpx.HTTPTransport /
    # AsyncHTTPTransport, not venuekit's default deadline transport (see test_cassettes.py).
    return {
        "deribit": credentials(case.key, wrong=case.wrong_key),
        "base_urls": {"deribit": base_url},
        "attempts": 1,
        "rate_limits": False,
        "transport": transport,
    }


class InjectAnswer:
    """The sandbox app, except that its first accepted ``private/`` answer becomes an error.

    The sandbox authenticates and executes the request as usual; when it answers 200, the
    envelope keeps its ``jsonrpc``/``usIn``/``usOut``/``usDiff``/``testnet`` and its ``result``
    is replaced by ``{"code", "message"}`` (errors.mdx), with the sandbox's status for an error
    (``http_status``) and the right ``Content-Length``. Any other answer passes unchanged.
    """

    def __init__(self, app: Any, code: int, message: str) -> None:
        self.app = app
        self.state = app.state
        self.config = app.config
        self.code = code
        self.message = message
        self.injected = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        private = scope["type"] == "http" and scope["path"].startswith("/api/v2/private/")
        if not private or self.injected:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}

        async def replace(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body, status = message.get("body", b""), start["status"]
            if status == 200:
                envelope = dict(_rename(json.loads(body), "result", "error"))
                envelope["error"] = {"code": self.code, "message": self.message}
                body = json.dumps(envelope, separators=(",", ":")).encode()
                status = http_status(self.code)
                self.injected += 1
            headers = [
                (name, str(len(body)).encode() if name.lower() == b"content-length" else value)
                for name, value in start["headers"]
            ]
            await send({**start, "status": status, "headers": headers})
            await send({**message, "body": body})

        await self.app(scope, receive, replace)


def _rename(mapping: Mapping[str, Any], old: str, new: str) -> Iterator[tuple[str, Any]]:
    for key, value in mapping.items():
        yield (new if key == old else key), value


@contextlib.contextmanager
def deribit_under_test(case: Case, *, record: bool) -> Iterator[tuple[str, SandboxState]]:
    """Yield (base URL, sandbox state): a served sandbox when recording, its seed when replaying."""
    app = create_app(case.sandbox_config())
    if not record:
        yield REPLAY_URL, app.state
        return
    served = app if case.inject is None else InjectAnswer(app, *case.inject)
    with run_in_thread(served) as sandbox:  # type: ignore[arg-type]  # an ASGI app with .state
        yield sandbox.deribit_url, app.state
    if case.inject is not None:
        assert served.injected == 1, "the injected answer was sent once"  # type: ignore[union-attr]


# --- what is asked, and what must come back -----------------------------------------------


def account_orders(state: SandboxState, key: str) -> list[Any]:
    """The seeded orders of the account ``key`` trades for (main account / gateway subaccount)."""
    accounts = DEFAULT_CREDENTIALS
    user = accounts.deribit.user_id if key == "deribit_hmac" else accounts.cdp.user_id
    return list(state.deribit.orders(user_id=user))


def calls(handle: Any, case: Case, orders: list[Any]) -> list[Callable[[], Any]]:
    """The calls of one case, in order; all but the last must succeed."""
    target = orders[0].order_id
    cancel = lambda: handle.cancel_order(order_id=target)  # noqa: E731
    return {
        "cancel": [cancel],
        "cancel_twice": [cancel, cancel],
        "unknown": [lambda: handle.cancel_order(order_id=UNKNOWN_ORDER)],
        "spend_then_cancel": [lambda: handle.cancel_order(order_id=orders[1].order_id), cancel],
        "by_label": [lambda: handle.cancel_by_label(label=LABEL)],
        "all": [lambda: handle.cancel_all()],
        "bad_currency": [lambda: handle.cancel_all(currency="DOGE")],
        "unknown_instrument": [lambda: handle.cancel_all(instrument_name="BTC-31DEC99")],
    }[case.action]


def check(case: Case, orders: list[Any], outcome: Any) -> None:
    """``outcome``: the last call's result, or the `errors.VenueError` it raised."""
    if case.error is not None:
        assert type(outcome) is case.error, outcome
        assert outcome.code == case.code
        assert outcome.status_code is not None
        if case.code == -32602:
            assert outcome.field == "currency"
        return
    assert not isinstance(outcome, BaseException), outcome
    if case.action == "cancel":
        order = orders[0]
        assert outcome.state is venuekit.CancelState.CANCELLED
        assert outcome.venue_status == "cancelled"
        assert outcome.order_id == order.order_id
        assert outcome.size == Decimal(order.amount)
        if order.price == "market_price":  # a stop-market order: the venue's word is kept
            assert outcome.raw["price"] == "market_price"
        else:
            assert outcome.price == order.price
        assert outcome.client_order_id == (order.label or None)
    elif case.action == "by_label":
        labelled = [o for o in orders if o.label == LABEL]
        assert len(labelled) >= 2, "the seed gives the label to several orders"
        assert outcome.action == "cancel_by_label"
        assert outcome.cancelled_count == len(labelled)
    else:
        assert outcome.action == "cancel_all"
        assert outcome.cancelled_count == len(orders)


def recorded_requests(tape: Any) -> list[tuple[str, str]]:
    return [(r.method, r.path.removeprefix("/api/v2/")) for r in tape.requests]


def check_tape(case: Case, tape: Any) -> None:
    """The recorded exchanges are those of the key type's auth flow."""
    sent = recorded_requests(tape)
    private = [path for method, path in sent if path.startswith("private/")]
    if case.key == "deribit_hmac":
        assert all(method == "GET" for method, _ in sent)
        assert len(private) == len(sent), "a Deribit key signs every request: no public/auth"
        assert all(r.headers["authorization"] == "deri-hmac-sha256 REDACTED" for r in tape.requests)
        return
    assert sent[0] == ("POST", "public/auth"), "a CDP key first exchanges its JWT for a token"
    if case.name == "bad_credentials":
        assert sent == [("POST", "public/auth")], "a refused key: no cancel is sent"
    elif case.name == "token_refused":
        auth = ("POST", "public/auth")
        assert sent == [auth, ("GET", "private/cancel"), auth, ("GET", "private/cancel")], (
            "a refused token is renewed once, then the error is final"
        )
    else:
        assert sent.count(("POST", "public/auth")) == 1, "one token serves every call"
    for request in tape.requests:
        if "/private/" in request.path:
            assert request.headers["authorization"] == "Bearer REDACTED"


# --- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_sync_client(case: Case) -> None:
    record = RECORD_MODE == "sandbox"
    spy = WireSpy()
    with deribit_under_test(case, record=record) as (url, state):
        orders = account_orders(state, case.key)
        with (
            cassette_vcr(record=record).use_cassette(case.cassette) as tape,
            venuekit.Client(**client_kwargs(case, url, spy)) as client,
        ):
            outcome: Any = None
            for call in calls(client.deribit, case, orders):
                try:
                    outcome = call()
                except errors.VenueError as exc:
                    outcome = exc
                    break
            check(case, orders, outcome)
        check_tape(case, tape)
        assert tape.play_count == len(tape) or record, "every recorded exchange is replayed"
    if record:
        assert spy.secrets, "the recording sent signatures or tokens"
        for path in RECORDINGS.rglob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            leaked = [secret for secret in spy.secrets if secret in text]
            assert not leaked, f"a signature, JWT or token used while recording is in {path}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_async_client_replays_the_same_recording(case: Case) -> None:
    async def main() -> None:
        state = create_app(case.sandbox_config()).state
        orders = account_orders(state, case.key)
        with cassette_vcr(record=False).use_cassette(case.cassette) as tape:
            transport = httpx.AsyncHTTPTransport()
            async with venuekit.AsyncClient(**client_kwargs(case, REPLAY_URL, transport)) as client:
                outcome: Any = None
                for call in calls(client.deribit, case, orders):
                    pending: Awaitable[Any] = call()
                    try:
                        outcome = await pending
                    except errors.VenueError as exc:
                        outcome = exc
                        break
                check(case, orders, outcome)
            assert tape.play_count == len(tape)

    anyio.run(main)


def _recorded_error_codes(path: Path) -> set[int]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = set()
    for interaction in document["interactions"]:
        body = json.loads(interaction["response"]["body"]["string"])
        if isinstance(body.get("error"), dict):
            codes.add(body["error"]["code"])
    return codes


def test_every_mapped_error_code_is_recorded() -> None:
    """Issue 12 item 4: every code of the client's table is in a recorded answer (see CASES)."""
    by_code: dict[int, list[str]] = {}
    for case in CASES:
        if case.code is not None:
            assert case.code in _recorded_error_codes(RECORDINGS / case.cassette), case.id
            by_code.setdefault(case.code, []).append(case.key)
    assert set(ERROR_CODES) <= set(by_code), set(ERROR_CODES) - set(by_code)
    for code in (10004, 11044, 10028, -32602, 10001):  # the same outcome for every key type
        assert sorted(by_code[code]) == sorted(KEYS), code


def test_cdp_cassettes_hold_the_token_exchange_scrubbed() -> None:
    """The JWT sent and the tokens received are in the cassettes only as the placeholder."""
    for case in CASES:
        if case.key == "deribit_hmac":
            continue
        first = yaml.safe_load((RECORDINGS / case.cassette).read_text(encoding="utf-8"))[
            "interactions"
        ][0]
        sent = json.loads(first["request"]["body"])
        assert sent["method"] == "public/auth"
        assert sent["params"] == {"grant_type": "coinbase_cdp", "token": "REDACTED"}
        answer = json.loads(first["response"]["body"]["string"])
        if case.name != "bad_credentials":
            assert answer["result"]["access_token"] == "REDACTED"
            assert answer["result"]["refresh_token"] == "REDACTED"
        assert set(secret_field_values(answer)) <= {"REDACTED"}


def test_replay_matches_on_method_path_and_query_only() -> None:
    """Headers and bodies hold a fresh signature, JWT or token on every run (and are scrubbed):
    matching on them would make every Deribit replay miss. The CDP replays above are the proof
    that the token flow replays; this pins the reason."""
    assert tuple(cassette_vcr(record=False).match_on) == ("method", "path", "query")


def test_every_case_has_a_recording_and_nothing_else() -> None:
    recorded = sorted(str(p.relative_to(RECORDINGS)) for p in DERIBIT.rglob("*.yaml"))
    assert recorded == sorted(case.cassette for case in CASES)
    assert {p.name for p in RECORDINGS.iterdir()} == {
        "coinbase_exchange",
        "coinbase_intx",
        "loopring",
        "deribit",
    }


def test_a_server_error_at_public_auth_is_venue_unavailable_not_a_refused_key() -> None:
    """Found while recording the CDP server errors: the fault knob also hits ``public/auth``."""
    from venuekit.sandbox import IN_PROCESS_URL, sync_transport

    app = create_app(SandboxConfig(seed=SEED, deribit=Faults(error_rate=1.0)))
    with (
        venuekit.Client(
            deribit=DEFAULT_CREDENTIALS.cdp.ed25519.credentials(),
            base_urls={"deribit": f"{IN_PROCESS_URL}/api/v2"},
            attempts=1,
            rate_limits=False,
            transport=sync_transport(app),
        ) as client,
        pytest.raises(errors.VenueError) as info,
    ):
        client.deribit.cancel_order(order_id=UNKNOWN_ORDER)
    assert (info.value.status_code, info.value.code) == (500, 10001)
    assert type(info.value) is errors.VenueUnavailable
