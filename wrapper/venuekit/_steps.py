"""What the engine yields and what it reports: the ``Step`` kinds, the ``Answer`` it expects back
for a ``Send``, and the ``Event`` of the ``on_event`` hook.

Example::

    >>> Sleep(seconds=0.25)
    Sleep(seconds=0.25)
"""

from __future__ import annotations

from typing import Protocol, TypeAlias

import attrs
import httpx

from venuekit._ratelimit import Bucket

__all__ = ["Answer", "Event", "Forget", "Pause", "Reserve", "Send", "Sleep", "Step"]


class Answer(Protocol):
    """What a driver sends back for ``Send``: the venue's answer, read whole."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    received_at: float


# Not frozen: built for every attempt, and frozen attrs classes cost ~55 ns more per field.
@attrs.define(kw_only=True)
class Send:
    """Step: send this request (signed by the venue's ``httpx.Auth`` at ``sign_at``)."""

    method: str
    url: str
    #: Venue clock (epoch seconds) the signer must use.
    sign_at: float
    timeout: httpx.Timeout
    #: Absolute ``clock.monotonic()`` time the exchange must be over by (``math.inf``: none).
    deadline: float
    #: ``False`` for the unsigned clock request.
    signed: bool = True


@attrs.frozen(kw_only=True)
class Sleep:
    """Step: wait ``seconds``."""

    seconds: float


@attrs.frozen(kw_only=True)
class Reserve:
    """Step: book a slot on ``bucket`` (store calls bounded by ``timeout``); reply: seconds to wait."""

    bucket: Bucket
    timeout: float | None


@attrs.frozen(kw_only=True)
class Pause:
    """Step: book nothing on ``bucket`` for ``seconds`` (the venue said 429)."""

    bucket: Bucket
    seconds: float


@attrs.frozen
class Forget:
    """Step: the venue refused the signer's session (a cached token); drop it, so that the next
    request obtains a new one. Nothing is sent; no reply."""


Step: TypeAlias = Send | Sleep | Reserve | Pause | Forget


@attrs.frozen(kw_only=True)
class Event:
    """What the ``on_event`` hook receives: one per attempt (``kind="attempt"``) and per call.

    ``retry_in`` is the wait before the next attempt (``None``: no retry). Never holds a secret.

    Example: ``Client(..., on_event=lambda e: metrics.increment(e.kind, tags=[e.venue]))``
    """

    kind: str
    venue: str
    order_id: str | None
    attempt: int
    status_code: int | None
    error: str | None
    retry_in: float | None = None
    state: str | None = None
