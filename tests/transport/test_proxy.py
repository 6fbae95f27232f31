"""Proxies named by the environment are used by both clients, and the deadline holds through them."""

from __future__ import annotations

from typing import Any

import pytest

from venuekit import errors
from venuekit._http import Answer
from venuekit._http_deadline import DeadlineTransport, environment_proxy

MODES = ["sync", "async"]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"]


@pytest.fixture
def clean_env(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize("mode", MODES)
def test_http_proxy_from_the_environment_is_used(serve, exchange, clean_env, mode):
    def proxy(conn: Any) -> None:
        conn.read_request()
        conn.send(OK)

    server = serve(proxy)
    clean_env.setenv("HTTP_PROXY", server.url)
    outcome, _ = exchange(mode, "http://venue.test")  # never resolved: only the proxy is dialled
    assert isinstance(outcome, Answer), outcome
    (head,) = server.requests
    assert head.startswith(b"GET http://venue.test/cancel HTTP/1.1\r\n")


@pytest.mark.parametrize("mode", MODES)
def test_deadline_holds_through_a_proxy_that_drips(serve, exchange, clean_env, mode):
    def dripping_proxy(conn: Any) -> None:
        conn.read_request()
        conn.drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 150 + b"\r\n\r\n", every=0.2)

    server = serve(dripping_proxy)
    clean_env.setenv("HTTP_PROXY", server.url)
    outcome, elapsed = exchange(mode, "http://venue.test", deadline_in=1.0)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is True
    assert elapsed < 1.0 + 2.0


def test_environment_proxy_follows_scheme_all_and_no_proxy(clean_env):
    assert environment_proxy("https://api.exchange.coinbase.com") is None
    clean_env.setenv("ALL_PROXY", "http://all.proxy:1")
    assert environment_proxy("https://api.exchange.coinbase.com") == "http://all.proxy:1"
    clean_env.setenv("https_proxy", "http://tls.proxy:2")
    assert environment_proxy("https://api.exchange.coinbase.com") == "http://tls.proxy:2"
    assert environment_proxy("http://127.0.0.1:8080") == "http://all.proxy:1"
    clean_env.setenv("NO_PROXY", "coinbase.com")
    assert environment_proxy("https://api.exchange.coinbase.com") is None
    assert environment_proxy("https://api3.loopring.io") == "http://tls.proxy:2"


def test_socks_proxies_are_refused_not_bypassed():
    with pytest.raises(ValueError, match="unsupported proxy scheme 'socks5'"):
        DeadlineTransport(proxy="socks5://127.0.0.1:1080")
