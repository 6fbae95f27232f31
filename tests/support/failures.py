"""Errors shaped like the venue modules' answers (see ``venuekit.errors``), for policy and engine tests.

Each factory builds a fresh error; ``RETRIED`` and ``NEVER_RETRIED`` list the kinds the retry
policy must and must not retry.

Example::

    from failures import RETRIED, timeout
    harness = FakeVenue([timeout(), "order-1"])
"""

from __future__ import annotations

import pytest

from venuekit import Venue, errors

__all__ = [
    "NEVER_RETRIED",
    "RETRIED",
    "already_done",
    "connect_refused",
    "dropped",
    "expired",
    "not_found",
    "rate_limited",
    "server_error",
    "timeout",
]

EXCHANGE = Venue.COINBASE_EXCHANGE


def timeout() -> errors.TransportError:
    return errors.TransportError("read timeout", venue=EXCHANGE)


def dropped() -> errors.TransportError:
    return errors.TransportError("server disconnected without sending a response")


def connect_refused() -> errors.TransportError:
    return errors.TransportError("connection refused", may_have_reached_venue=False)


def server_error(status: int = 500) -> errors.VenueUnavailable:
    return errors.VenueUnavailable("Internal server error", status_code=status)


def rate_limited(retry_after: float | None = None) -> errors.RateLimited:
    return errors.RateLimited(
        "Private rate limit exceeded", status_code=429, retry_after=retry_after
    )


def already_done() -> errors.OrderAlreadyDone:
    return errors.OrderAlreadyDone("Order already done", venue=EXCHANGE, status_code=400)


def not_found() -> errors.OrderNotFound:
    return errors.OrderNotFound("NotFound", venue=EXCHANGE, status_code=404)


def expired() -> errors.AuthenticationError:
    return errors.AuthenticationError("request timestamp expired", status_code=401)


NEVER_RETRIED = [
    pytest.param(lambda: errors.AuthenticationError("invalid signature"), id="auth"),
    pytest.param(not_found, id="not-found"),
    pytest.param(already_done, id="already-done"),
    pytest.param(lambda: errors.InvalidRequest("bad id", field="order_id"), id="invalid"),
    pytest.param(
        lambda: errors.VenueRejectedRequest("Invalid order id", status_code=400), id="rejected"
    ),
    pytest.param(lambda: errors.VenueError("unknown code 100000", code=100000), id="unclassified"),
]
RETRIED = [
    pytest.param(timeout, id="timeout"),
    pytest.param(dropped, id="dropped"),
    pytest.param(connect_refused, id="connect"),
    pytest.param(server_error, id="5xx"),
    pytest.param(lambda: server_error(503), id="503"),
    pytest.param(rate_limited, id="429"),
    pytest.param(
        lambda: errors.VenueUnavailable("failed to cancel", status_code=400, code=102118),
        id="loopring-102118",
    ),
]
