"""venuekit: cancel orders on Coinbase Exchange, Coinbase INTX and Loopring through one typed API.

INTX was retired on 1 October 2026 (consolidated into Deribit) and Loopring is reported offline
since mid-2026; venuekit still follows their documented APIs (sandboxes, legacy access).

Example::

    import venuekit

    with venuekit.Client.from_env() as client:
        try:
            result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
        except venuekit.OrderAlreadyDone:
            pass
        else:
            assert result.state is venuekit.CancelState.CANCELLED

Every cancel is retried on transport errors, HTTP 5xx and 429 (``attempts=5`` by default, with
backoff, ``Retry-After`` honoured, each attempt re-signed), paced under each venue's documented
rate limit, and signed with a clock corrected from the venue's. Many orders at once::

        outcomes = client.cancel_many(
            [venuekit.CancelRequest.coinbase_exchange(order_id=i) for i in order_ids]
        )
        assert all(outcome.ok for outcome in outcomes)

Tests make retry waits instant with ``venuekit.testing.instant_retries()``.
"""

from __future__ import annotations

from venuekit import errors, testing
from venuekit._bulk import CancelOutcome, OutcomeFate
from venuekit._client import AsyncClient, Client
from venuekit._credentials import (
    CoinbaseCdpCredentials,
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    DeribitCredentials,
    LoopringCredentials,
)
from venuekit._models import CancelResult, CancelState, GroupCancelResult
from venuekit._ratelimit import RateLimit
from venuekit._secret import Secret
from venuekit._steps import Event
from venuekit._venues import Venue
from venuekit._venues._request import CancelRequest
from venuekit._venues.loopring import LoopringCancelResponse
from venuekit._version import __version__
from venuekit.errors import (
    AttemptRecord,
    AuthenticationError,
    Interrupted,
    InvalidCredentials,
    InvalidRequest,
    OrderAlreadyDone,
    OrderNotFound,
    RateLimited,
    ResponseTooLarge,
    TransportError,
    VenueAnswerError,
    VenueError,
    VenueNotConfigured,
    VenueRejectedRequest,
    VenueUnavailable,
)

__all__ = [
    "AsyncClient",
    "AttemptRecord",
    "AuthenticationError",
    "CancelOutcome",
    "CancelRequest",
    "CancelResult",
    "CancelState",
    "Client",
    "CoinbaseCdpCredentials",
    "CoinbaseExchangeCredentials",
    "CoinbaseIntxCredentials",
    "DeribitCredentials",
    "Event",
    "GroupCancelResult",
    "Interrupted",
    "InvalidCredentials",
    "InvalidRequest",
    "LoopringCancelResponse",
    "LoopringCredentials",
    "OrderAlreadyDone",
    "OrderNotFound",
    "OutcomeFate",
    "RateLimit",
    "RateLimited",
    "ResponseTooLarge",
    "Secret",
    "TransportError",
    "Venue",
    "VenueAnswerError",
    "VenueError",
    "VenueNotConfigured",
    "VenueRejectedRequest",
    "VenueUnavailable",
    "__version__",
    "errors",
    "testing",
]
