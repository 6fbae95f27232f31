"""What a failed exchange means: how far it got, and the ``TransportError`` that says so.

``Progress`` follows one exchange through httpcore's ``trace`` events, or through the steps
venuekit's own transports report to ``PROGRESS`` (cheaper: no trace hook); ``transport_error``
turns a failure into ``venuekit.errors.TransportError`` with ``may_have_reached_venue`` set:
``False`` only when nothing of the request can have left (the failure came before httpcore
started sending the request headers, or, for a transport that reports no events, it is a
connect or pool error), ``True`` otherwise.

Example::

    progress = Progress()
    progress.event("connection.connect_tcp.started")
    transport_error(httpx.ConnectTimeout("timed out"), progress, deadline_hit=True, max_body=100)
    # TransportError('deadline reached while connecting', may_have_reached_venue=False)
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import Literal

import attrs
import httpx

from venuekit import errors
from venuekit._http_body import BodyTooLarge, UndecodableBody

__all__ = ["CONVERTED", "DEADLINE", "PROGRESS", "Progress", "report_step", "transport_error"]

#: Failures that happen before a request is sent, for transports that do not trace.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
#: Failures caused by the request itself (an unusable URL); nothing was sent.
_UNSENDABLE = (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError)


@attrs.define
class Progress:
    """How far one exchange got, from httpcore's ``trace`` events and from ``send`` itself.

    Example: ``progress.event("http11.send_request_headers.started"); progress.sending  # True``
    """

    #: A trace event arrived: the transport reports its steps.
    traced: bool = False
    #: httpcore started sending the request headers: bytes may have left.
    sending: bool = False
    phase: str = "waiting for the transport"

    def event(self, name: str) -> None:
        """Note one ``trace`` event (``"<layer>.<step>.started"`` and so on)."""
        self.traced = True
        if not name.endswith(".started"):
            return
        if ".send_request" in name:
            self.sending = True
            self.phase = "sending the request"
        elif ".receive_response_headers" in name:
            self.phase = "waiting for the response headers"
        elif name.startswith("connection."):
            self.phase = "connecting"

    def step(self, step: Literal["connect", "write", "read"]) -> None:
        """Note a step a transport reports itself (see ``report_step``)."""
        self.traced = True
        if step == "write":
            self.sending = True
            self.phase = "sending the request"
        elif step == "read":
            if self.phase == "sending the request":
                self.phase = "waiting for the response headers"
        elif not self.sending:
            self.phase = "connecting"

    def may_have_reached(self, exc: BaseException | None) -> bool:
        """Whether the request may have reached the venue, given the failure ``exc``."""
        if self.sending or self.phase == "reading the body":
            return True
        if isinstance(exc, (*_UNSENDABLE, httpx.PoolTimeout)):
            return False
        if self.traced:
            return False  # events arrived, none of them was a send
        return not isinstance(exc, _NOT_SENT)


#: Absolute ``time.monotonic()`` deadline of the call running in this context; ``inf``: none.
#: Set by ``send`` / ``send_async``; venuekit's deadline transports cut every socket operation to it.
DEADLINE: ContextVar[float] = ContextVar("venuekit_http_deadline", default=math.inf)

#: The exchange ``send`` / ``send_async`` runs in this context, when its transport reports its
#: own steps (venuekit's deadline transports do) instead of through a ``trace`` hook.
PROGRESS: ContextVar[Progress | None] = ContextVar("venuekit_http_progress", default=None)


def report_step(step: Literal["start", "connect", "write", "read"]) -> None:
    """Tell the exchange in progress (if any) that the transport reached ``step``.

    ``"start"``: the transport took the request (nothing has left yet); ``"connect"``: it opens
    a connection; ``"write"``: bytes of the request may leave; ``"read"``: it reads the answer.

    Example: ``report_step("write")``
    """
    progress = PROGRESS.get()
    if progress is None:
        return
    if step == "start":
        progress.traced = True
    else:
        progress.step(step)


def transport_error(
    exc: BaseException | None, progress: Progress, *, deadline_hit: bool, max_body: int
) -> errors.TransportError:
    """The ``TransportError`` for a failed exchange (``exc`` is ``None`` for a deadline).

    Example: ``transport_error(None, Progress(), deadline_hit=True, max_body=100)``
    """
    if isinstance(exc, BodyTooLarge):
        return errors.ResponseTooLarge(
            f"the answer was over {max_body} bytes and was not read; the cancel may have "
            "reached the venue",
            may_have_reached_venue=True,
        )
    reached = progress.may_have_reached(exc)
    if isinstance(exc, UndecodableBody):
        text = f"the answer's body could not be decoded: {exc}"
    elif deadline_hit:
        text = f"deadline reached while {progress.phase}"
    elif isinstance(exc, MemoryError | OverflowError):
        text = f"{type(exc).__name__} while {progress.phase}"
    else:
        text = f"{type(exc).__name__} while {progress.phase}: {exc}"
    if reached:
        text += "; the cancel may have reached the venue"
    return errors.TransportError(text, may_have_reached_venue=reached)


#: What ``send`` / ``send_async`` turn into ``TransportError``. ``StreamError`` is a misuse of
#: httpx's stream API (not an ``HTTPError``); ``OverflowError``: a socket timeout beyond what
#: the OS accepts.
CONVERTED = (
    httpx.HTTPError,
    httpx.StreamError,
    httpx.InvalidURL,
    BodyTooLarge,
    UndecodableBody,
    MemoryError,
    OverflowError,
)
