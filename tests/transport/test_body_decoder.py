"""The I/O-free body collector: any chunking, any supported coding chain, one exact size rule."""

from __future__ import annotations

import doctest
import gzip
import itertools
import types
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venuekit import _http, _http_body, _http_deadline, _http_deadline_async, _http_errors
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http_body import BodyTooLarge, BoundedBody, UndecodableBody, content_codings

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
}


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def feed_all(body: BoundedBody, chunks: list[bytes]) -> bytes:
    for chunk in chunks:
        body.feed(chunk)
    return body.finish()


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=3000), st.integers(0, 3000).map(bytes)),
    codings=st.lists(st.sampled_from(["gzip", "deflate"]), max_size=2),
    cuts=st.lists(st.integers(0, 10_000), max_size=6),
    max_body=st.integers(0, 3000),
)
def test_decodes_exactly_or_refuses_over_the_cap(data, codings, cuts, max_body):
    levels = [data]  # the body as decoded, then after each coding the server applied
    for coding in codings:
        levels.append(ENCODERS[coding](levels[-1]))
    body = BoundedBody(codings, max_body=max_body)
    chunks = split(levels[-1], cuts)
    if max(map(len, levels)) > max_body:
        # Refused exactly when the body at some level (received, between codings, decoded) is over.
        with pytest.raises(BodyTooLarge):
            feed_all(body, chunks)
        return
    assert feed_all(body, chunks) == data


class _Recording:
    """A zlib decompressor that records the size of each output it produces."""

    def __init__(self, real, sizes: list[int]) -> None:
        self._real = real
        self._sizes = sizes

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._real.decompress(data, max_length)
        self._sizes.append(len(out))
        return out

    def __getattr__(self, name: str):
        return getattr(self._real, name)


def test_a_bomb_never_inflates_past_the_cap_in_one_step(monkeypatch):
    sizes: list[int] = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda **kw: _Recording(real(**kw), sizes))
    bomb = gzip.compress(bytes(50 * 2**20))  # ~50 KB -> 50 MB
    body = BoundedBody(["gzip"], max_body=MAX_RESPONSE_BODY)
    chunks = [bomb[i : i + 8192] for i in range(0, len(bomb), 8192)]
    with pytest.raises(BodyTooLarge):
        feed_all(body, chunks)
    assert sizes
    assert len(bomb) < MAX_RESPONSE_BODY  # refused for what it inflates to, not its size
    assert max(sizes) <= MAX_RESPONSE_BODY + 1  # the cap plus the byte that proves "over"


def test_data_after_the_end_of_a_gzip_stream_is_ignored_but_counted():
    body = BoundedBody(["gzip"], max_body=100)
    body.feed(gzip.compress(b"{}") + b"trailing")
    assert body.finish() == b"{}"
    with pytest.raises(BodyTooLarge):
        body.feed(b"x" * 100)


def test_empty_body_with_a_coding_is_empty():
    body = BoundedBody(["gzip"], max_body=10)
    assert body.finish() == b""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (["identity"], []),
        (["GZip"], ["gzip"]),
        (["x-gzip, deflate"], ["gzip", "deflate"]),
        (["gzip", " deflate "], ["gzip", "deflate"]),
    ],
)
def test_content_codings(values, expected):
    assert content_codings(values) == expected


@pytest.mark.parametrize("value", ["br", "zstd", "compress", "gzip;q=1", "a" * 1000])
def test_unknown_codings_are_refused(value):
    with pytest.raises(UndecodableBody, match="unsupported Content-Encoding"):
        content_codings([value])


def test_unknown_coding_message_is_bounded():
    with pytest.raises(UndecodableBody) as caught:
        content_codings(["x" * 10_000])
    assert len(str(caught.value)) < 100


@pytest.mark.parametrize(
    "module",
    [_http, _http_body, _http_deadline, _http_deadline_async, _http_errors],
    ids=lambda m: m.__name__,
)
def test_all_is_sorted_and_documented(module: types.ModuleType) -> None:
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, type | types.FunctionType):
            assert value.__doc__, f"{module.__name__}.{name} has no docstring"
            assert value.__doc__.strip().splitlines()[0].strip()


def test_docstring_examples_run():
    failed, tried = doctest.testmod(_http_body, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failed == 0
