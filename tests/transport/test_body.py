"""Response bodies are read with a size cap that counts decoded bytes, against real servers.

Peak memory is not asserted here (``scripts/benchmarks/bench_hostile.py`` measures it); these
tests check the outcome: the right error, never ``MemoryError`` or a raw httpx/zlib error.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import httpx
import pytest

from venuekit import errors
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http import Answer

MODES = ["sync", "async"]
CANCEL_ANSWER = b'{"id":"d0c5340b-6d6c-49d9-b567-48c4bfca13d2","status":"done"}'


def answering(body: bytes, *headers: str, content_length: bool = True):
    """A handler that reads the request and answers 200 with ``body`` and ``headers``."""

    def handler(conn: Any) -> None:
        conn.read_request()
        lines = ["HTTP/1.1 200 OK", *headers]
        lines.append(f"Content-Length: {len(body)}" if content_length else "Connection: close")
        conn.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    return handler


def endless(block: bytes, *headers: str):
    """A handler that answers 200 and then sends ``block`` over and over, no Content-Length."""

    def handler(conn: Any) -> None:
        conn.read_request()
        conn.send(
            ("\r\n".join(["HTTP/1.1 200 OK", *headers, "Connection: close"]) + "\r\n\r\n").encode()
        )
        while conn.send(block):
            pass

    return handler


def assert_over_size(outcome: object, limit: int = MAX_RESPONSE_BODY) -> None:
    assert isinstance(outcome, errors.TransportError), outcome
    assert type(outcome) is errors.ResponseTooLarge
    assert outcome.may_have_reached_venue is True
    assert f"over {limit} bytes" in str(outcome)
    assert "may have reached the venue" in str(outcome)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("encoded", "coding"),
    [
        (CANCEL_ANSWER, None),
        (gzip.compress(CANCEL_ANSWER), "gzip"),
        (gzip.compress(CANCEL_ANSWER), "x-gzip"),
        (zlib.compress(CANCEL_ANSWER), "deflate"),
        # RFC 9110 says zlib-wrapped; some servers send raw deflate under the same name.
        (zlib.compress(CANCEL_ANSWER, wbits=-15), "deflate"),
        (zlib.compress(gzip.compress(CANCEL_ANSWER)), "gzip, deflate"),
        (gzip.compress(CANCEL_ANSWER), "identity, GZIP"),
    ],
    ids=["identity", "gzip", "x-gzip", "deflate", "raw-deflate", "gzip-then-deflate", "mixed-case"],
)
def test_normal_answers_are_decoded(serve, exchange, mode, encoded, coding):
    headers = [] if coding is None else [f"Content-Encoding: {coding}"]
    server = serve(answering(encoded, *headers))
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, Answer), outcome
    assert outcome.status_code == 200
    assert outcome.content == CANCEL_ANSWER


@pytest.mark.parametrize("mode", MODES)
def test_body_of_exactly_max_body_is_read_and_one_more_byte_is_refused(serve, exchange, mode):
    body = bytes(range(256)) * 4  # 1024 bytes
    ok = serve(answering(body, content_length=False))
    outcome, _ = exchange(mode, ok.url, max_body=1024)
    assert isinstance(outcome, Answer), outcome
    assert outcome.content == body

    over = serve(answering(body + b"!", content_length=False))
    outcome, _ = exchange(mode, over.url, max_body=1024)
    assert_over_size(outcome, 1024)


@pytest.mark.parametrize("mode", MODES)
def test_decoded_size_counts_not_the_compressed_size(serve, exchange, mode):
    body = b"a" * 1024
    ok = serve(answering(gzip.compress(body), "Content-Encoding: gzip"))
    outcome, _ = exchange(mode, ok.url, max_body=1024)
    assert isinstance(outcome, Answer), outcome
    assert outcome.content == body

    # 1025 bytes inflate from ~30: over the cap although far fewer bytes were received.
    over = serve(answering(gzip.compress(body + b"a"), "Content-Encoding: gzip"))
    outcome, _ = exchange(mode, over.url, max_body=1024)
    assert_over_size(outcome, 1024)


@pytest.mark.parametrize("mode", MODES)
def test_100_mb_body_is_refused(serve, exchange, mode):
    """Announced by Content-Length (refused before reading) and sent without one (streamed)."""
    block = b"x" * 2**20

    def announced(conn: Any) -> None:
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
        for _ in range(100):
            if not conn.send(block):
                return

    for handler in (announced, endless(block)):
        server = serve(handler)
        outcome, _ = exchange(mode, server.url, deadline_in=30.0)
        assert_over_size(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_gzip_bomb_100_kb_to_100_mb_is_refused(serve, exchange, mode, gzip_100mb):
    assert len(gzip_100mb) < 200_000
    for handler in (
        answering(gzip_100mb, "Content-Encoding: gzip"),  # refused from its Content-Length
        answering(gzip_100mb, "Content-Encoding: gzip", content_length=False),  # inflated
    ):
        server = serve(handler)
        outcome, _ = exchange(mode, server.url, deadline_in=30.0)
        assert_over_size(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_gzip_bomb_smaller_than_the_cap_is_refused_for_what_it_inflates_to(serve, exchange, mode):
    bomb = gzip.compress(bytes(10 * 10**6))  # ~10 KB -> 10 MB
    assert len(bomb) < MAX_RESPONSE_BODY
    server = serve(answering(bomb, "Content-Encoding: gzip"))
    outcome, _ = exchange(mode, server.url, deadline_in=30.0)
    assert_over_size(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_gzip_bomb_1_mb_to_1_gb_is_refused_without_memory_error(serve, exchange, mode, gzip_1gb):
    assert len(gzip_1gb) < 2_000_000
    for handler in (
        answering(gzip_1gb, "Content-Encoding: gzip"),
        answering(gzip_1gb, "Content-Encoding: gzip", content_length=False),
    ):
        server = serve(handler)
        outcome, _ = exchange(mode, server.url, deadline_in=30.0)
        assert_over_size(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_deflate_bomb_is_refused(serve, exchange, mode):
    deflated = zlib.compress(bytes(10**7), 9)  # ~10 KB inflating to 10 MB
    server = serve(answering(deflated, "Content-Encoding: deflate"))
    outcome, _ = exchange(mode, server.url, deadline_in=30.0)
    assert_over_size(outcome)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br"])
def test_unknown_content_encoding_is_an_error(serve, exchange, mode, coding):
    server = serve(answering(b"\x8b\x00\x80" + CANCEL_ANSWER, f"Content-Encoding: {coding}"))
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, errors.TransportError), outcome
    assert "unsupported Content-Encoding" in str(outcome)
    assert outcome.may_have_reached_venue is True


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "encoded",
    [gzip.compress(CANCEL_ANSWER)[:-12], b"\x1f\x8b\x08\x00garbage-not-gzip" * 4],
    ids=["truncated", "corrupt"],
)
def test_broken_compressed_body_is_an_error(serve, exchange, mode, encoded):
    server = serve(answering(encoded, "Content-Encoding: gzip"))
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, errors.TransportError), outcome
    assert "could not be decoded" in str(outcome)
    assert outcome.may_have_reached_venue is True


class _ExplodingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A transport body that fails the way a huge allocation does."""

    def __iter__(self):
        yield b"{"
        raise MemoryError

    async def __aiter__(self):
        yield b"{"
        raise MemoryError


@pytest.mark.parametrize("mode", MODES)
def test_memory_error_in_a_transport_becomes_a_transport_error(exchange, mode):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=_ExplodingStream()))
    outcome, _ = exchange(mode, "http://venue.test", transport=transport)
    assert isinstance(outcome, errors.TransportError), outcome
    assert "MemoryError" in str(outcome)
    assert outcome.may_have_reached_venue is True


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_read_before_send_sees_it_is_not_decoded_twice(exchange, mode):
    """httpx decodes a body when it reads it (Deribit's token check reads small answers)."""
    body = b'{"jsonrpc":"2.0","result":[]}'
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=gzip.compress(body), headers={"Content-Encoding": "gzip"}
        )
    )
    outcome, _ = exchange(mode, "http://venue.test", transport=transport)
    assert isinstance(outcome, Answer), outcome
    assert outcome.content == body


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_read_before_send_sees_it_is_still_capped(exchange, mode):
    big = b"x" * (MAX_RESPONSE_BODY + 1)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=gzip.compress(big), headers={"Content-Encoding": "gzip"}
        )
    )
    outcome, _ = exchange(mode, "http://venue.test", transport=transport)
    assert isinstance(outcome, errors.ResponseTooLarge), outcome
