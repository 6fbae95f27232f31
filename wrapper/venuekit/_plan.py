"""One call, planned: a handle's arguments become the engine's ``Call`` (checked, no I/O).

Example::

    call = plan_call(config, venue, "cancel", {"order_id": "1"}, Options(),
                     on_event=None)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from venuekit._bulk import (
    OnOutcome,
    Progress,
    check_batch_deadline,
    check_concurrency,
    check_request,
)
from venuekit._config import Config, Timeout, check_policy, check_timeout, not_configured
from venuekit._engine import Call
from venuekit._handles import Options
from venuekit._policy import RetryPolicy
from venuekit._steps import Event
from venuekit._venues import REGISTRY, Venue
from venuekit._venues._request import CancelRequest

__all__ = ["batch_options", "name_venue_keywords", "plan_batch", "plan_call", "request_list"]


def plan_call(
    config: Config,
    venue: Venue,
    action: str,
    arguments: Mapping[str, object],
    options: Options,
    *,
    on_event: Callable[[Event], object] | None,
) -> Call[Any]:
    """Check the arguments and plan the call; ``InvalidRequest`` before any I/O."""
    target = config.targets.get(venue)
    if target is None:
        raise not_configured(venue)
    spec = target.spec
    act = spec.cancel if action == "cancel" else spec.actions[action]
    policy, timeout = _knobs(config, options)
    return Call(
        target=target,
        prepared=act.prepare(arguments, target.credentials),
        action=act,
        policy=policy,
        timeout=timeout,
        on_event=on_event,
    )


def batch_options(
    config: Config, attempts: int | None, deadline: float | None, timeout: Timeout
) -> Options:
    """Per-call options of a batch, checked once for the whole batch."""
    options = Options(attempts=attempts, deadline=deadline, timeout=timeout)
    _knobs(config, options)  # InvalidRequest now, before any order is planned
    return options


def _knobs(config: Config, options: Options) -> tuple[RetryPolicy, httpx.Timeout]:
    """The retry policy and timeouts of one call: the client's, overridden by ``options``."""
    policy = config.policy
    if options.attempts is not None or options.deadline is not None:
        policy = check_policy(
            options.attempts if options.attempts is not None else policy.attempts,
            options.deadline if options.deadline is not None else policy.deadline,
        )
    timeout = config.timeout if options.timeout is None else check_timeout(options.timeout)
    return policy, timeout


def name_venue_keywords(function: Callable[..., object]) -> None:
    """Show each venue's credentials keyword in ``function``'s signature (``help``, IDEs).

    Type checkers read them from ``VenueCredentials``; this mirrors the registry for ``inspect``.
    """
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    venues = [
        inspect.Parameter(venue.value, inspect.Parameter.KEYWORD_ONLY, default=None)
        for venue in REGISTRY
    ]
    function.__signature__ = signature.replace(parameters=[*kept, *venues])  # type: ignore[attr-defined]


def request_list(orders: Iterable[CancelRequest]) -> list[CancelRequest]:
    """The batch as a list; ``TypeError`` (nothing sent) for an entry that is no ``CancelRequest``."""
    requests = list(orders)
    for index, request in enumerate(requests):
        if not isinstance(request, CancelRequest):
            raise TypeError(
                f"cancel_many takes venuekit.CancelRequest entries; entry {index} is a "
                f"{type(request).__name__} (use CancelRequest.from_mapping for dicts)"
            )
    return requests


def plan_batch(
    config: Config,
    submit: Callable[[Venue, str, Mapping[str, object], Options], Any],
    orders: Iterable[CancelRequest],
    *,
    concurrency: object,
    progress: Progress | None,
    on_outcome: OnOutcome | None,
    batch_deadline: object,
    attempts: int | None,
    deadline: float | None,
    timeout: Timeout,
) -> tuple[list[CancelRequest], Callable[[CancelRequest], Any], dict[str, Any]]:
    """``cancel_many``'s checked arguments: the requests, one order's call, the runner's knobs.

    Example: ``requests, cancel, knobs = plan_batch(config, submit, orders, concurrency=8, ...)``
    """
    options = batch_options(config, attempts, deadline, timeout)

    def cancel(request: CancelRequest) -> Any:
        return submit(check_request(request).venue, "cancel", request.arguments(), options)

    knobs = {
        "concurrency": check_concurrency(concurrency),
        "progress": progress,
        "on_outcome": on_outcome,
        "batch_deadline": check_batch_deadline(batch_deadline),
    }
    return request_list(orders), cancel, knobs
