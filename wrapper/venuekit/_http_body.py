"""Reading a response body with a size cap that the decoded (decompressed) size respects.

I/O-free: ``BoundedBody`` is fed the raw bytes as they arrive and keeps at most ``max_body``
decoded bytes. httpx's own decoders decompress a whole chunk at once (a 64 KiB chunk of a gzip
bomb becomes ~64 MB); here every ``zlib`` step is given ``max_length``, so no step can produce
more than what is left of the budget plus one byte, whatever the compression ratio.

Example::

    >>> import gzip
    >>> body = BoundedBody(["gzip"], max_body=100)
    >>> body.feed(gzip.compress(b'{"ok": true}'))
    >>> body.finish()
    b'{"ok": true}'
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = ["BodyTooLarge", "BoundedBody", "UndecodableBody", "content_codings"]


class BodyTooLarge(Exception):  # noqa: N818 (a condition, not an error of the caller)
    """The body (as received or as decoded) is over the size cap."""

    def __init__(self, max_body: int) -> None:
        super().__init__(f"over {max_body} bytes")
        self.max_body = max_body


class UndecodableBody(Exception):  # noqa: N818
    """The body uses an unknown content coding, or its compressed data is corrupt or truncated."""


def content_codings(values: Iterable[str]) -> list[str]:
    """The codings of ``Content-Encoding`` header values, in the order applied, ``identity`` dropped.

    ``UndecodableBody`` for a coding other than gzip (``x-gzip``) and deflate::

        >>> content_codings(["gzip, identity", "deflate"])
        ['gzip', 'deflate']
        >>> content_codings(["br"])
        Traceback (most recent call last):
        ...
        venuekit._http_body.UndecodableBody: unsupported Content-Encoding 'br'
    """
    codings: list[str] = []
    for value in values:
        for part in value.split(","):
            coding = part.strip().lower()
            if coding in {"", "identity"}:
                continue
            if coding in {"gzip", "x-gzip"}:
                codings.append("gzip")
            elif coding == "deflate":
                codings.append("deflate")
            else:
                raise UndecodableBody(f"unsupported Content-Encoding {coding[:40]!r}")
    return codings


class _Inflater:
    """One gzip or deflate stage; ``deflate`` accepts zlib-wrapped and raw data (RFC 9110 8.4.1.2)."""

    def __init__(self, coding: str) -> None:
        self._raw_fallback = coding == "deflate"
        self._started = False
        #: Bytes this stage has output so far.
        self.produced = 0
        wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits=wbits)

    def step(self, data: bytes, max_length: int) -> bytes:
        """Decode ``data``, returning at most ``max_length`` bytes (``0``: no limit)."""
        try:
            out = self._inflate.decompress(data, max_length)
        except zlib.error as exc:
            if not (self._raw_fallback and not self._started):
                raise UndecodableBody(f"corrupt compressed body ({exc})") from None
            # Some servers send raw deflate data under "deflate"; try that once, from the start.
            self._raw_fallback = False
            self._inflate = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
            return self.step(data, max_length)
        self._started = True
        return out

    def unfinished(self) -> bool:
        """``True`` when input is still waiting (``max_length`` was reached)."""
        return bool(self._inflate.unconsumed_tail)

    def end(self) -> None:
        """``UndecodableBody`` when the compressed data stopped before its end marker."""
        if self._started and not self._inflate.eof:
            raise UndecodableBody("compressed body is truncated")


class BoundedBody:
    """Collects one response body, decoded, and refuses to hold more than ``max_body`` bytes.

    ``codings`` are the body's content codings in the order the server applied them (see
    ``content_codings``). ``feed`` raises ``BodyTooLarge`` as soon as the bytes received or the
    output of any decoding stage (the last one is the decoded body) exceed ``max_body``, and
    ``UndecodableBody`` for corrupt data. Data after the end of a compressed stream is ignored
    (as httpx does) but counts as received.

    Example::

        >>> body = BoundedBody([], max_body=4)
        >>> body.feed(b"12345")
        Traceback (most recent call last):
        ...
        venuekit._http_body.BodyTooLarge: over 4 bytes
    """

    def __init__(self, codings: Iterable[str], *, max_body: int) -> None:
        # Applied in reverse: the last coding the server applied is removed first.
        self._stages = [_Inflater(coding) for coding in reversed(list(codings))]
        self._max = max_body
        self._received = 0
        self._parts: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        """Add the next raw chunk of the body."""
        self._received += len(chunk)
        if self._received > self._max:
            raise BodyTooLarge(self._max)
        data = chunk
        for stage in self._stages:
            if not data:
                return
            # One byte more than the budget allows tells "over the cap" from "exactly at it".
            budget = self._max - stage.produced
            data = stage.step(data, budget + 1)
            if len(data) > budget or stage.unfinished():
                raise BodyTooLarge(self._max)
            stage.produced += len(data)
        if data:
            self._parts.append(data)

    def finish(self) -> bytes:
        """The whole decoded body; ``UndecodableBody`` when a compressed stream is incomplete."""
        for stage in self._stages:
            stage.end()
        return b"".join(self._parts)
