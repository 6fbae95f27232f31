"""Connection limits for the served sandbox: a connection cap and a deadline for each request head.

uvicorn bounds concurrency (``limit_concurrency``: 503 beyond it) and idle keep-alive connections
(``timeout_keep_alive``), and h11 bounds the size of a request head
(``h11_max_incomplete_event_size``), but nothing bounds how *long* a client may take to send a
head: a connection that sends nothing, or one byte a second, stays open for ever. The chosen fix
is a small subclass of uvicorn's own h11 protocol (no socket-level wrapper, no fork of uvicorn):

- ``connection_made``: a connection beyond ``max_connections`` is closed at once; any other one
  gets a head timer of ``header_timeout`` seconds;
- after every ``data_received`` and every completed response, the timer runs exactly while h11 is
  waiting for a request head (``their_state`` is ``IDLE``) and the connection is either new or
  holds part of a head; it is cancelled as soon as h11 has parsed the head. An idle keep-alive
  connection is left to uvicorn's own keep-alive timeout;
- when the timer fires and the head is still incomplete, the connection is closed.

uvicorn is imported only by `guarded_protocol`, so ``import venuekit.sandbox`` does not need it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import attrs

from venuekit._constants import (
    SANDBOX_HEADER_TIMEOUT,
    SANDBOX_KEEP_ALIVE_TIMEOUT,
    SANDBOX_MAX_CONNECTIONS,
    SANDBOX_MAX_HEADER_BYTES,
)

if TYPE_CHECKING:
    from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ServerLimits", "guarded_protocol"]


def _positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{attribute.name} must be a finite number > 0, got {value!r}")


@attrs.frozen
class ServerLimits:
    """What a sandbox served over a socket tolerates before it hangs up (defaults: _constants).

    Attributes:
        max_connections: open connections at once; one more is closed as soon as it is accepted
            (and requests beyond this many in flight get uvicorn's 503).
        keep_alive_timeout: seconds an idle keep-alive connection stays open.
        header_timeout: seconds a client has to send a complete request head, from the moment
            the connection opens or the first byte of a later request arrives.
        max_head_bytes: largest request head (request line and headers); h11 answers 400 beyond.

    Example:
        >>> ServerLimits(header_timeout=1.0).max_connections
        1000
    """

    max_connections: int = attrs.field(
        default=SANDBOX_MAX_CONNECTIONS, validator=attrs.validators.ge(1)
    )
    keep_alive_timeout: float = attrs.field(default=SANDBOX_KEEP_ALIVE_TIMEOUT, validator=_positive)
    header_timeout: float = attrs.field(default=SANDBOX_HEADER_TIMEOUT, validator=_positive)
    max_head_bytes: int = attrs.field(
        default=SANDBOX_MAX_HEADER_BYTES, validator=attrs.validators.ge(1024)
    )


def guarded_protocol(limits: ServerLimits) -> type[H11Protocol]:
    """Return uvicorn's h11 protocol class with ``limits``' connection cap and head deadline."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        """uvicorn's h11 protocol plus a connection cap and a deadline for each request head."""

        _head_timer: asyncio.TimerHandle | None = None
        _fresh = True  # no byte received since the connection opened

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn's Config takes whole seconds; the protocol itself accepts a float.
            self.timeout_keep_alive = limits.keep_alive_timeout  # type: ignore[assignment]

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                transport.close()
                return
            self._update_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._fresh = False
            super().data_received(data)
            self._update_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._update_head_timer()

        def _waiting_for_head(self) -> bool:
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return False
            buffered, _closed = self.conn.trailing_data
            return self._fresh or bool(buffered)

        def _update_head_timer(self) -> None:
            if not self._waiting_for_head():
                self._cancel_head_timer()
            elif self._head_timer is None:
                self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timeout)

        def _cancel_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            if self._waiting_for_head():
                self.transport.close()

    return GuardedH11Protocol
