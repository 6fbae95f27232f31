"""Every error venuekit raises, one tree for all venues.

::

    VenueError                      base: anything a cancel can fail with
    ├── InvalidRequest              (also a ValueError) the request is wrong; ``field`` names it
    │   ├── VenueNotConfigured      the venue was used without credentials       (before any I/O)
    │   ├── InvalidCredentials      credentials or their settings are malformed   (before any I/O)
    │   └── VenueRejectedRequest    the venue answered that the request is invalid (HTTP 400 ...)
    ├── AuthenticationError         key, signature, passphrase or timestamp refused (HTTP 401/403)
    ├── OrderNotFound               the venue does not know the order
    ├── OrderAlreadyDone            the cancel reject: order already filled, cancelled or closed
    ├── RateLimited                 too many requests; ``retry_after`` seconds when the venue says
    ├── VenueUnavailable            the venue failed (HTTP 5xx, or "try later") — retryable
    └── TransportError              connect / timeout / dropped connection — retryable

``InvalidRequest`` itself (status_code ``None``) is raised by venuekit before anything is sent;
only its subclass ``VenueRejectedRequest`` comes from a venue's answer. A plain ``VenueError`` is
an answer venuekit could not classify: an unknown error code, an unexpected status, a redirect
(venuekit never follows one), or a body that is not JSON (its first characters are quoted).

Every error carries keyword-only ``venue``, ``status_code``, ``code`` (the venue's numeric error
code, Loopring only) and ``message`` (the venue's own text); none of them ever holds a secret.
``retryable`` says whether trying the same request later may succeed, and ``attempts`` how many
attempts the client made before giving up (``0``: raised before anything was sent). The client
already retried ``TransportError``, ``VenueUnavailable`` and ``RateLimited`` (see ``Client``);
the error you catch is the last attempt's.

How each venue's documented answers map (venues.md):

=================  ==================================================  =====================
venue              answer                                              class
=================  ==================================================  =====================
coinbase_exchange  400 "Order already done"                            OrderAlreadyDone
coinbase_exchange  404 "NotFound"                                      OrderNotFound
coinbase_exchange  400 "Invalid order id"                              VenueRejectedRequest
coinbase_exchange  401 (any message), 403                              AuthenticationError
coinbase_exchange  429 "Private rate limit exceeded"                   RateLimited
coinbase_intx      400 "Invalid attribute"                             VenueRejectedRequest
coinbase_intx      400 "... already done / cancelled / closed ..."     OrderAlreadyDone
coinbase_intx      401, 403                                            AuthenticationError
coinbase_intx      404                                                 OrderNotFound
coinbase_intx      429 "Rate limit exceeded"                           RateLimited
loopring           104001 104002 104004 104005                         AuthenticationError
loopring           104003 (account id), 107002 (orderHash empty),      VenueRejectedRequest
                   102120 (order not valid: ambiguous, never "done")
loopring           107003 (order does not exist)                       OrderNotFound
loopring           102117 (no orders to cancel)                        OrderAlreadyDone
loopring           102118 (failed to cancel, try later)                VenueUnavailable
loopring           100000 (unknown) and unlisted codes                 VenueError
loopring           HTTP 429                                            RateLimited
any                HTTP 5xx                                            VenueUnavailable
=================  ==================================================  =====================

Example::

    try:
        client.coinbase_exchange.cancel_order(order_id=order_id)
    except errors.OrderAlreadyDone:
        pass  # nothing left to cancel
    except errors.RateLimited as exc:
        time.sleep(exc.retry_after or 1.0)
"""

from __future__ import annotations

from typing import Any, ClassVar

from venuekit._constants import ERROR_EXCERPT_CHARS
from venuekit._models import Venue

__all__ = [
    "AuthenticationError",
    "InvalidCredentials",
    "InvalidRequest",
    "OrderAlreadyDone",
    "OrderNotFound",
    "RateLimited",
    "TransportError",
    "VenueError",
    "VenueNotConfigured",
    "VenueRejectedRequest",
    "VenueUnavailable",
]


def _restore(cls: type[VenueError], state: dict[str, Any]) -> VenueError:
    """Rebuild a pickled error (keyword-only constructors do not survive default pickling)."""
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class VenueError(Exception):
    """Base class of every venuekit error; carries venue, HTTP status, venue code and message."""

    #: Whether the same request may succeed if tried again later.
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        venue: Venue | None = None,
        status_code: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        #: The venue's own error text (or venuekit's description); never a secret.
        self.message = message
        #: The venue concerned, when there is one.
        self.venue = venue
        #: The HTTP status of the venue's answer; ``None`` when nothing was answered.
        self.status_code = status_code
        #: The venue's numeric error code (Loopring), else ``None``.
        self.code = code
        #: Attempts the client made before giving up (set by the client; ``0``: nothing sent).
        self.attempts = 0

    def __str__(self) -> str:
        parts = []
        if self.venue is not None:
            parts.append(f"{self.venue.value}:")
        message = self.message
        if len(message) > ERROR_EXCERPT_CHARS:
            message = message[: ERROR_EXCERPT_CHARS - 3] + "..."
        parts.append(message or type(self).__name__)
        details = []
        if self.status_code is not None:
            details.append(f"HTTP {self.status_code}")
        if self.code is not None:
            details.append(f"code {self.code}")
        if details:
            parts.append(f"({', '.join(details)})")
        return " ".join(parts)

    def __repr__(self) -> str:
        venue = self.venue.value if self.venue is not None else None
        return (
            f"{type(self).__name__}(venue={venue!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, message={str(self.message)[:ERROR_EXCERPT_CHARS]!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))


class InvalidRequest(VenueError, ValueError):  # noqa: N818 (name fixed by issue 4)
    """The request is invalid; raised before any I/O unless it is a ``VenueRejectedRequest``."""

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        venue: Venue | None = None,
        status_code: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message, venue=venue, status_code=status_code, code=code)
        #: The argument (or setting) at fault, e.g. ``"order_id"``; ``None`` when unknown.
        self.field = field


class VenueNotConfigured(InvalidRequest):
    """A venue was used on a client that was given no credentials for it."""


class InvalidCredentials(InvalidRequest):
    """Credentials (or the environment variables holding them) are missing or malformed."""


class VenueRejectedRequest(InvalidRequest):
    """The venue answered that the request is invalid (e.g. "Invalid order id")."""


class AuthenticationError(VenueError):
    """The venue refused the key, signature, passphrase or timestamp."""

    #: ``True`` when the client saw that the request's timestamp was outside the venue's window
    #: (from the answer's ``Date`` header); ``None``: judged from the message alone.
    timestamp_expired: bool | None = None


class OrderNotFound(VenueError):  # noqa: N818 (name fixed by issue 4)
    """The venue does not know the order (wrong id, other account, or purged)."""


class OrderAlreadyDone(VenueError):  # noqa: N818 (name fixed by issue 4)
    """The cancel reject: the order is already filled, cancelled or otherwise closed."""


class RateLimited(VenueError):  # noqa: N818 (name fixed by issue 4)
    """The venue's rate limit was hit; ``retry_after`` holds its hint in seconds, if any."""

    retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        venue: Venue | None = None,
        status_code: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message, venue=venue, status_code=status_code, code=code)
        #: Seconds to wait, from the ``Retry-After`` header (seconds or HTTP date); else ``None``.
        self.retry_after = retry_after


class VenueUnavailable(VenueError):  # noqa: N818 (name fixed by issue 4)
    """The venue failed to process the request (HTTP 5xx or an explicit "try later")."""

    retryable: ClassVar[bool] = True


class TransportError(VenueError):
    """The request could not be completed: connection refused, timed out, or dropped."""

    retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str = "",
        *,
        may_have_reached_venue: bool = True,
        venue: Venue | None = None,
        status_code: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message, venue=venue, status_code=status_code, code=code)
        #: ``False`` only when the failure happened before the request left (e.g. connect
        #: error); otherwise the venue may have cancelled the order without us hearing back.
        self.may_have_reached_venue = may_have_reached_venue
