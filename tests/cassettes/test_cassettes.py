"""Each venue x each outcome, replayed from a cassette recorded against the sandbox over HTTP.

The cassettes are real recordings (``make cassettes``), scrubbed of secrets; CI replays them with
record mode ``none`` and the network blocked. Every recording is replayed through both ``Client``
and ``AsyncClient``: the same bytes must give the same result or error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from cassette_recorder import (
    RECORD_MODE,
    RECORDINGS,
    WRONG_EXCHANGE_SECRET,
    WRONG_INTX_SECRET,
    WRONG_LOOPRING_KEY,
    cassette_vcr,
)

import venuekit
from venuekit import errors
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    Faults,
    SandboxConfig,
    SandboxState,
    create_app,
    run_in_thread,
)

VENUES = ("coinbase_exchange", "coinbase_intx", "loopring")
OUTCOMES = ("success", "already_done", "not_found", "bad_signature", "rate_limited", "server_error")
FAULT_FIELD = {"coinbase_exchange": "exchange", "coinbase_intx": "intx", "loopring": "loopring"}
REPLAY_URL = "http://127.0.0.1:9"  # never contacted: replay answers from the cassette
EXPECTED_ERROR: dict[str, type[errors.VenueError]] = {
    "already_done": errors.OrderAlreadyDone,
    "not_found": errors.OrderNotFound,
    "bad_signature": errors.AuthenticationError,
    "rate_limited": errors.RateLimited,
    "server_error": errors.VenueUnavailable,
}


def sandbox_config(venue: str, outcome: str) -> SandboxConfig:
    """The sandbox set-up that produces ``outcome`` on ``venue`` (same seed: same orders)."""
    faults = {
        "rate_limited": Faults(rate_limit_rate=1.0),
        "server_error": Faults(error_rate=1.0),
    }.get(outcome, Faults())
    return SandboxConfig(seed=7, **{FAULT_FIELD[venue]: faults})


def client_kwargs(
    venue: str, outcome: str, base_url: str, *, asynchronous: bool = False
) -> dict[str, Any]:
    """Credentials (wrong ones for ``bad_signature``) and the base URL for one venue."""
    accounts = DEFAULT_CREDENTIALS
    wrong = outcome == "bad_signature"
    credentials: object
    if venue == "coinbase_exchange":
        credentials = venuekit.CoinbaseExchangeCredentials(
            api_key=accounts.exchange.api_key,
            api_secret=WRONG_EXCHANGE_SECRET if wrong else accounts.exchange.api_secret,
            passphrase=accounts.exchange.passphrase,
        )
    elif venue == "coinbase_intx":
        credentials = venuekit.CoinbaseIntxCredentials(
            api_key=accounts.intx.api_key,
            api_secret=WRONG_INTX_SECRET if wrong else accounts.intx.api_secret,
            passphrase=accounts.intx.passphrase,
        )
    else:
        credentials = venuekit.LoopringCredentials(
            api_key=accounts.loopring.api_key,
            eddsa_private_key=WRONG_LOOPRING_KEY if wrong else accounts.loopring.eddsa_private_key,
            account_id=accounts.loopring.account_id,
        )
    # attempts=1, rate_limits=False: one recorded exchange per outcome (no retries, no pacing).
    # The transport is httpx's own on purpose: vcrpy records and replays by patching
    # httpx.HTTPTransport.handle_request / AsyncHTTPTransport.handle_async_request, and venuekit's
    # default transport (its deadline transport, issue 11) sends through its own connection code
    # that vcrpy does not see: with it, recording would write nothing and replay would try the
    # network (REPLAY_URL, port 9) instead of the cassette.
    return {
        venue: credentials,
        "base_urls": {venue: base_url},
        "attempts": 1,
        "rate_limits": False,
        "transport": httpx.AsyncHTTPTransport() if asynchronous else httpx.HTTPTransport(),
    }


def cancel_calls(
    client: venuekit.Client | venuekit.AsyncClient, venue: str, state: SandboxState
) -> tuple[Callable[[], Any], Callable[[], Any], str]:
    """(cancel an open order, cancel an unknown one, the open order's id) for ``venue``."""
    if venue == "coinbase_exchange":
        order = state.exchange_orders()[0]
        handle = client.coinbase_exchange
        return (
            lambda: handle.cancel_order(order_id=order.id, product_id=order.product_id),
            lambda: handle.cancel_order(order_id="00000000-0000-4000-8000-00000000dead"),
            order.id,
        )
    if venue == "coinbase_intx":
        intx = state.intx_orders()[0]
        portfolio = DEFAULT_CREDENTIALS.intx.portfolio_uuid
        intx_handle = client.coinbase_intx
        return (
            lambda: intx_handle.cancel_order(order_id=str(intx.order_id), portfolio=portfolio),
            lambda: intx_handle.cancel_order(order_id="99999999999999999", portfolio=portfolio),
            str(intx.order_id),
        )
    ring = state.loopring_orders()[0]
    ring_handle = client.loopring
    return (
        lambda: ring_handle.cancel_order(order_hash=ring.hash),
        lambda: ring_handle.cancel_order(client_order_id="never-placed"),
        ring.hash,
    )


@contextlib.contextmanager
def venue_under_test(venue: str, outcome: str, *, record: bool) -> Iterator[tuple[str, Any]]:
    """Yield (base URL, sandbox state): a live sandbox when recording, its seed when replaying."""
    config = sandbox_config(venue, outcome)
    if record:
        with run_in_thread(config=config) as sandbox:
            yield sandbox.url, sandbox.state
    else:
        yield REPLAY_URL, create_app(config).state


def run_case(open_cancel: Callable[[], Any], unknown: Callable[[], Any], outcome: str) -> Any:
    """Do what ``outcome`` needs; return the result or raise the venue's error."""
    if outcome == "not_found":
        return unknown()
    if outcome == "already_done":
        open_cancel()
    return open_cancel()


def check(outcome: str, order_id: str, run: Callable[[], Any]) -> None:
    if outcome == "success":
        result = run()
        assert result.state is venuekit.CancelState.CANCELLED
        assert result.order_id == order_id
        return
    with pytest.raises(EXPECTED_ERROR[outcome]) as info:
        run()
    assert info.value.status_code is not None


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("venue", VENUES)
def test_sync_client(venue: str, outcome: str) -> None:
    record = RECORD_MODE == "sandbox"
    cassette = f"{venue}/{outcome}.yaml"
    with (
        venue_under_test(venue, outcome, record=record) as (url, state),
        cassette_vcr(record=record).use_cassette(cassette) as tape,
        venuekit.Client(**client_kwargs(venue, outcome, url)) as client,
    ):
        open_cancel, unknown, order_id = cancel_calls(client, venue, state)
        check(outcome, order_id, lambda: run_case(open_cancel, unknown, outcome))
    assert tape.play_count == len(tape) or record, "every recorded exchange is replayed"


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("venue", VENUES)
def test_async_client_replays_the_same_recording(venue: str, outcome: str) -> None:
    cassette = f"{venue}/{outcome}.yaml"

    async def main() -> None:
        with cassette_vcr(record=False).use_cassette(cassette) as tape:
            state = create_app(sandbox_config(venue, outcome)).state
            async with venuekit.AsyncClient(
                **client_kwargs(venue, outcome, REPLAY_URL, asynchronous=True)
            ) as client:
                open_cancel, unknown, order_id = cancel_calls(client, venue, state)

                async def run_async() -> Any:
                    if outcome == "not_found":
                        return await unknown()
                    if outcome == "already_done":
                        await open_cancel()
                    return await open_cancel()

                results: list[Any] = []
                failure: list[BaseException] = []
                try:
                    results.append(await run_async())
                except errors.VenueError as exc:
                    failure.append(exc)
                check(outcome, order_id, lambda: _replay(results, failure))
            assert tape.play_count == len(tape)

    anyio.run(main)


def _replay(results: list[Any], failure: list[BaseException]) -> Any:
    if failure:
        raise failure[0]
    return results[0]


def test_every_venue_and_outcome_has_a_recording() -> None:
    recorded = sorted(
        str(p.relative_to(RECORDINGS)) for v in VENUES for p in (RECORDINGS / v).rglob("*.yaml")
    )
    assert recorded == sorted(f"{v}/{o}.yaml" for v in VENUES for o in OUTCOMES)
    # Deribit's recordings (RECORDINGS / "deribit") are checked by test_deribit_cassettes.py.
