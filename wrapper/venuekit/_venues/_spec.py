"""What a venue is, as data: ``Venue`` (its name), ``VenueSpec`` (everything else) and their parts.

Each venue module (``venuekit._venues.<venue>``) declares one ``SPEC``; the registry
(``venuekit._venues``) lists them, and every other part of venuekit (client, engine, bulk
cancel, ``from_env``, the CLI, the docs tables) reads venues from there instead of keeping its
own table. Adding a venue is one module plus one registry line (and its spec and sandbox module).

Example::

    spec = REGISTRY[Venue.LOOPRING]
    spec.rate_limit            # RateLimit(rate=5, burst=5)
    spec.cancel.prepare({"order_hash": "0x05a9"}, credentials)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import httpx

from venuekit._policy import already_done_confirms
from venuekit._ratelimit import RateLimit
from venuekit._secret import Secret
from venuekit._spec_usage import OperationUse

if TYPE_CHECKING:
    from venuekit import errors
    from venuekit._venues._common import PreparedCancel, RawResponse

__all__ = ["Action", "CredentialKind", "Venue", "VenueSpec", "venue_named"]

T = TypeVar("T")


class Venue(enum.StrEnum):
    """A trading venue venuekit can cancel orders on.

    The values are the keys used everywhere else (``base_urls``, ``from_env`` variable names,
    ``CancelRequest``, the CLI)::

        >>> Venue("coinbase_intx") is Venue.COINBASE_INTX
        True
    """

    COINBASE_EXCHANGE = "coinbase_exchange"
    COINBASE_INTX = "coinbase_intx"
    LOOPRING = "loopring"
    DERIBIT = "deribit"


def venue_named(value: object) -> Venue | None:
    """The ``Venue`` that ``value`` names: a ``Venue``, or its value in any case with ``-`` for
    ``_``; ``None`` for anything else.

        >>> venue_named(" Coinbase-Exchange"), venue_named("nyse")
        (<Venue.COINBASE_EXCHANGE: 'coinbase_exchange'>, None)
    """
    if isinstance(value, Venue):
        return value
    if not isinstance(value, str):
        return None
    try:
        return Venue(value.strip().lower().replace("-", "_"))
    except ValueError:
        return None


def _redaction_values(credentials: Any) -> Collection[Secret[str]]:
    return credentials.redaction_values()  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class CredentialKind:
    """One kind of key a venue accepts: its class, variables, signer and default host.

    Example: ``CredentialKind(type=LoopringCredentials, env=(("api_key", "VENUEKIT_LOOPRING_API_KEY"), ...), ...)``
    """

    #: The credentials class a caller builds (``venuekit.LoopringCredentials`` ...).
    type: type[Any]
    #: ``(constructor field, environment variable)`` pairs read by ``from_env``, in order.
    env: tuple[tuple[str, str], ...]
    #: Builds the ``httpx.Auth`` that signs every attempt.
    auth: Callable[[Any], httpx.Auth]
    #: The production base URL for this kind of key.
    base_url: str
    #: The identifier the venue meters its rate limit by (an API key; never logged).
    rate_key: Callable[[Any], str]
    #: Builds the credentials from the variables' text (default: ``type(**values)``).
    from_env: Callable[[Mapping[str, str]], Any] | None = None
    #: The values an error message must never show (any length); by default the credentials'
    #: own ``redaction_values()``.
    secrets: Callable[[Any], Collection[Secret[str]]] = _redaction_values


@attrs.frozen(kw_only=True)
class Action(Generic[T]):
    """One thing a venue can be asked to do: build its request, then judge the answer (no I/O).

    ``prepare(arguments, credentials)`` raises ``InvalidRequest`` naming the field;
    ``interpret(prepared, raw)`` returns the result or raises the mapped ``VenueError``.

    Example: ``Action(prepare=prepare_cancel, interpret=interpret_cancel)``
    """

    prepare: Callable[[Mapping[str, object], Any], PreparedCancel]
    interpret: Callable[[PreparedCancel, RawResponse], T]
    #: Whether "already done"/"not found" after an ambiguous attempt confirms that attempt
    #: (single-order cancels only: a group cancel's count cannot be confirmed that way).
    confirmable: bool = True
    #: Group actions: the arguments it takes and the ones it needs (the CLI picks by them).
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


def _never(error: errors.AuthenticationError) -> bool:
    return False


@attrs.frozen(kw_only=True)
class VenueSpec:
    """Everything venuekit knows about one venue; declared once, in the venue's module.

    Example: ``REGISTRY[Venue.COINBASE_EXCHANGE].clock_window`` is ``30.0``.
    """

    venue: Venue
    #: Human name, e.g. "Coinbase Exchange".
    title: str
    #: One line on whether it trades, e.g. "live" or "retired 1 Oct 2026 (consolidated into Deribit)".
    status: str
    #: The kinds of key it accepts (the first is the usual one).
    credentials: tuple[CredentialKind, ...]
    #: The venue's own sandbox or testnet base URL, if it has one.
    sandbox_base_url: str | None
    #: The documented rate limit (before venuekit's safety margin); ``None``: none documented.
    rate_limit: RateLimit | None
    #: How far a signed timestamp may be from the venue's clock, seconds; ``None``: signs none.
    clock_window: float | None
    #: The arguments of its order cancel, as ``CancelRequest`` field names.
    fields: tuple[str, ...]
    #: Cancel one order.
    cancel: Action[Any]
    #: Other actions by name (group cancels), for the venue's handle.
    actions: Mapping[str, Action[Any]] = attrs.field(factory=dict)
    #: An unsigned request that reads the venue's clock, and how to read its answer (epoch s).
    time_request: PreparedCancel | None = None
    read_time: Callable[[RawResponse], float | None] | None = None
    #: Which "already done" / "not found" answers, after an ambiguous attempt, confirm that the
    #: earlier attempt cancelled the order (the earlier-attempt rule).
    confirms: Callable[[errors.VenueError], bool] = already_done_confirms
    #: Whether an ``AuthenticationError`` says the request's timestamp was refused.
    timestamp_rejected: Callable[[errors.AuthenticationError], bool] = _never
    #: Whether an ``AuthenticationError`` says the signer's session (a cached token) was refused:
    #: the engine then has the signer drop it, so the next call does not reuse it.
    session_refused: Callable[[errors.AuthenticationError], bool] = _never
    #: The venue's own clock in an answer: ``(offset estimate, uncertainty)`` seconds, or None.
    clock_reading: Callable[[RawResponse], tuple[float, float] | None] | None = None
    #: The generated client package, loaded when a client for the venue is opened.
    package: str | None = None
    #: What the wrapper sends and reads of the venue's OpenAPI spec (the spec change report).
    operations: tuple[OperationUse, ...] = ()

    def kind_of(self, credentials: object) -> CredentialKind | None:
        """The ``CredentialKind`` whose class ``credentials`` is, else ``None``.

        Example: ``spec.kind_of(venuekit.LoopringCredentials(...))``
        """
        for kind in self.credentials:
            if isinstance(credentials, kind.type):
                return kind
        return None
