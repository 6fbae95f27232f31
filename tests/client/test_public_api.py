"""The public surface: exactly the intended names, the error tree, keyword-only signatures."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import attrs
import pytest

import venuekit
from venuekit import errors

INTENDED = {
    "Client",
    "AsyncClient",
    "CoinbaseExchangeCredentials",
    "CoinbaseIntxCredentials",
    "LoopringCredentials",
    "CancelResult",
    "CancelState",
    "CancelRequest",
    "CancelOutcome",
    "RateLimit",
    "testing",
    "Venue",
    "errors",
    "__version__",
    # the error classes, re-exported
    "VenueError",
    "InvalidRequest",
    "VenueNotConfigured",
    "InvalidCredentials",
    "VenueRejectedRequest",
    "AuthenticationError",
    "OrderNotFound",
    "OrderAlreadyDone",
    "RateLimited",
    "VenueUnavailable",
    "TransportError",
    # added with the engine (issue 10) and truthful outcomes (issue 11)
    "VenueAnswerError",
    "ResponseTooLarge",
    "AttemptRecord",
    "Event",
    "GroupCancelResult",
    "LoopringCancelResponse",
    "OutcomeFate",
    "Interrupted",
    # Deribit (issue 12) and the secret type (issue 11)
    "DeribitCredentials",
    "CoinbaseCdpCredentials",
    "Secret",
}


def test_all_is_exactly_the_intended_surface() -> None:
    assert len(venuekit.__all__) == len(set(venuekit.__all__))
    assert set(venuekit.__all__) == INTENDED
    for name in venuekit.__all__:
        assert hasattr(venuekit, name), name


def test_errors_module_exports_every_error_class() -> None:
    assert set(errors.__all__) == {n for n in INTENDED if n[0].isupper() and "Error" in n} | {
        "InvalidRequest",
        "VenueNotConfigured",
        "InvalidCredentials",
        "VenueRejectedRequest",
        "OrderNotFound",
        "OrderAlreadyDone",
        "RateLimited",
        "VenueUnavailable",
        "ResponseTooLarge",
        "AttemptRecord",
        "Interrupted",
    }
    for name in errors.__all__:
        assert getattr(venuekit, name) is getattr(errors, name)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.InvalidRequest, errors.VenueError),
        (errors.InvalidRequest, ValueError),
        (errors.VenueNotConfigured, errors.InvalidRequest),
        (errors.InvalidCredentials, errors.InvalidRequest),
        (errors.VenueRejectedRequest, errors.VenueAnswerError),
        (errors.VenueAnswerError, errors.VenueError),
        (errors.ResponseTooLarge, errors.TransportError),
        (errors.AuthenticationError, errors.VenueError),
        (errors.OrderNotFound, errors.VenueError),
        (errors.OrderAlreadyDone, errors.VenueError),
        (errors.RateLimited, errors.VenueError),
        (errors.VenueUnavailable, errors.VenueError),
        (errors.TransportError, errors.VenueError),
    ],
)
def test_error_tree(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)
    assert child.__doc__
    assert child.__name__ in (errors.__doc__ or "")


def test_errors_are_short_and_survive_pickling() -> None:
    error = errors.RateLimited(
        "Private rate limit exceeded",
        retry_after=1.5,
        venue=venuekit.Venue.COINBASE_EXCHANGE,
        status_code=429,
    )
    assert str(error) == "coinbase_exchange: Private rate limit exceeded (HTTP 429)"
    assert repr(error).startswith("RateLimited(venue='coinbase_exchange', status_code=429")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.RateLimited
    assert (copy.retry_after, copy.venue, copy.status_code, copy.message) == (
        1.5,
        venuekit.Venue.COINBASE_EXCHANGE,
        429,
        "Private rate limit exceeded",
    )
    long = errors.VenueError("x" * 5000)
    assert len(str(long)) <= 200


def test_cancel_result_is_frozen() -> None:
    result = venuekit.CancelResult(
        venue=venuekit.Venue.LOOPRING,
        order_id="0x1",
        client_order_id=None,
        state=venuekit.CancelState.CANCELLED,
        venue_status="cancelled",
        response=None,
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.state = venuekit.CancelState.CANCEL_PENDING  # type: ignore[misc]


@pytest.mark.parametrize("cls", [venuekit.Client, venuekit.AsyncClient])
def test_client_arguments_are_keyword_only(cls: Any) -> None:
    for function in (cls.__init__, cls.from_env):
        parameters = list(inspect.signature(function).parameters.values())
        positional = [p for p in parameters if p.kind is not p.KEYWORD_ONLY]
        assert [p.name for p in positional] in (["self"], ["cls"], [])
    names = set(inspect.signature(cls.__init__).parameters)
    assert {"coinbase_exchange", "coinbase_intx", "loopring", "base_urls", "transport"} <= names
    assert {"timeout", "attempts", "deadline", "rate_limits"} <= names
    for function in (cls.cancel_many,):
        parameters = list(inspect.signature(function).parameters.values())
        assert [p.name for p in parameters if p.kind is not p.KEYWORD_ONLY] == ["self", "orders"]
        keyword = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
        assert keyword == {
            "concurrency",
            "progress",
            "on_outcome",
            "batch_deadline",
            "attempts",
            "deadline",
            "timeout",
        }


def test_testing_switch_is_public_and_restores_the_setting() -> None:
    with venuekit.testing.instant_retries(enabled=False):  # this folder's fixture turned it on
        assert not venuekit.testing.retries_are_instant()
        with venuekit.testing.instant_retries():
            assert venuekit.testing.retries_are_instant()
        assert not venuekit.testing.retries_are_instant()
    assert venuekit.testing.retries_are_instant()


def test_bulk_types_are_frozen_and_documented() -> None:
    request = venuekit.CancelRequest.coinbase_intx(order_id="1", portfolio="p")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.order_id = "2"  # type: ignore[misc]
    outcome = venuekit.CancelOutcome(request=request, error=errors.OrderNotFound("gone"))
    assert not outcome.ok
    for cls in (venuekit.CancelRequest, venuekit.CancelOutcome, venuekit.RateLimit):
        assert cls.__doc__
        assert "Example" in cls.__doc__ or ">>>" in cls.__doc__


def test_cancel_order_arguments_are_keyword_only() -> None:
    from venuekit._client import CoinbaseExchangeVenue, CoinbaseIntxVenue, LoopringVenue

    knobs = ["attempts", "deadline", "timeout"]
    expected: dict[Any, list[str]] = {
        CoinbaseExchangeVenue: ["order_id", "client_oid", "product_id", "profile_id", *knobs],
        # client_order_id: the synonym cancel_many always took (the registry now drives both)
        CoinbaseIntxVenue: ["order_id", "client_order_id", "portfolio", *knobs],
        LoopringVenue: ["order_hash", "client_order_id", "account_id", *knobs],
    }
    for cls, names in expected.items():
        parameters = list(inspect.signature(cls.cancel_order).parameters.values())[1:]
        assert [p.name for p in parameters] == names
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters)
