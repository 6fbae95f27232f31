"""Fixtures for the sandbox tests: a fake clock, apps, signed in-process clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from epoch_clock import EpochClock

from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    IN_PROCESS_URL,
    SandboxApp,
    SandboxConfig,
    create_app,
    sync_transport,
)

START = 1_700_000_000.0


@pytest.fixture
def clock() -> EpochClock:
    """The sandbox's and the signers' clock: ``venuekit.testing.FakeClock``, made callable."""
    return EpochClock(epoch=START)


@pytest.fixture
def app(clock: EpochClock) -> SandboxApp:
    return create_app(SandboxConfig(seed=1, clock=clock))


def make_client(app: SandboxApp, auth: httpx.Auth | None = None) -> httpx.Client:
    return httpx.Client(transport=sync_transport(app), base_url=IN_PROCESS_URL, auth=auth)


Connect = Callable[..., httpx.Client]


@pytest.fixture
def connect() -> Iterator[Connect]:
    """Return ``connect(app, auth=None)``: an in-process sync client, closed after the test."""
    clients: list[httpx.Client] = []

    def _connect(app: SandboxApp, auth: httpx.Auth | None = None) -> httpx.Client:
        client = make_client(app, auth)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.close()


@pytest.fixture
def exchange(app: SandboxApp, clock: EpochClock) -> Iterator[httpx.Client]:
    auth = CoinbaseExchangeAuth(DEFAULT_CREDENTIALS.exchange.credentials(), clock=clock)
    with make_client(app, auth) as client:
        yield client


@pytest.fixture
def intx(app: SandboxApp, clock: EpochClock) -> Iterator[httpx.Client]:
    auth = CoinbaseIntxAuth(DEFAULT_CREDENTIALS.intx.credentials(), clock=clock)
    with make_client(app, auth) as client:
        yield client


@pytest.fixture
def loopring(app: SandboxApp) -> Iterator[httpx.Client]:
    with make_client(app, LoopringAuth(DEFAULT_CREDENTIALS.loopring.credentials())) as client:
        yield client
