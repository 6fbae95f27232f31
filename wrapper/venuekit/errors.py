"""Every error venuekit raises: one root, three families that say where the failure happened.

::

    VenueError                        base: anything a cancel can fail with
    ├── InvalidRequest                (also ValueError) the request was wrong; nothing was sent
    │   ├── InvalidCredentials        credentials or their settings are malformed
    │   └── VenueNotConfigured        the venue was used without credentials
    ├── VenueAnswerError              the venue answered no: ``status_code``, ``code``, ``message``
    │   ├── VenueRejectedRequest      the venue says the request is invalid; ``field`` names it
    │   ├── AuthenticationError       key, signature, passphrase, token or timestamp refused
    │   ├── OrderNotFound             the venue does not know the order
    │   ├── OrderAlreadyDone          the cancel reject: already filled, cancelled or closed
    │   ├── RateLimited               too many requests; ``retry_after`` when the venue says
    │   └── VenueUnavailable          the venue failed (HTTP 5xx, "try later"): retryable
    └── TransportError                the request may not have got there (connect, timeout,
        ├── ResponseTooLarge          dropped connection, an answer too large to read);
        └── Interrupted               ``may_have_reached_venue`` says whether it may have;
                                      Interrupted: a batch was stopped before this order's end

``InvalidRequest`` is raised before any I/O (``attempts == 0``) and names the argument at fault in
``field``, as data. ``VenueAnswerError`` carries the venue's own answer. A plain ``VenueError`` is
an answer venuekit could not classify: an unknown error code, an unexpected status, a redirect
(never followed), a body that is not JSON (its first characters are quoted) — never a success
and never "already done".

Every field is set through the constructor (keyword-only), never patched after raising. The
client raises the last attempt's error rebuilt with the call's record: ``attempts`` (how many
were made), ``history`` (one ``AttemptRecord`` per attempt: its status or transport failure) and
``may_have_reached_venue`` (whether any attempt may have reached the venue without an answer
that says what happened: a timeout or dropped connection after sending, an HTTP 5xx, an answer
too large to read) — so "failed" never reads as "nothing happened". No field ever holds a secret.

Which venue answer maps to which class is documented in each venue's module and in the README's
error table.

Example::

    try:
        handle.cancel_order(order_id=order_id)  # handle: a client's venue, e.g. client.<venue>
    except errors.OrderAlreadyDone:
        pass  # nothing left to cancel
    except errors.VenueError as exc:
        if exc.may_have_reached_venue:
            ...  # look the order up before trying again
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from venuekit._constants import ERROR_EXCERPT_CHARS

__all__ = [
    "AttemptRecord",
    "AuthenticationError",
    "Interrupted",
    "InvalidCredentials",
    "InvalidRequest",
    "OrderAlreadyDone",
    "OrderNotFound",
    "RateLimited",
    "ResponseTooLarge",
    "TransportError",
    "VenueAnswerError",
    "VenueError",
    "VenueNotConfigured",
    "VenueRejectedRequest",
    "VenueUnavailable",
]


@attrs.frozen(kw_only=True)
class AttemptRecord:
    """One attempt of a call: what came back (an HTTP status) or how it failed (no answer).

    Example: ``AttemptRecord(number=1, status_code=503, error="VenueUnavailable", may_have_reached_venue=True)``
    """

    #: 1-based attempt number.
    number: int
    #: The HTTP status of the venue's answer; ``None`` when there was none.
    status_code: int | None
    #: The error class of a failed attempt (``"TransportError"``, ``"RateLimited"``...), else ``None``.
    error: str | None
    #: Whether this attempt may have reached the venue without a telling answer.
    may_have_reached_venue: bool
    #: Short text: the venue's message or the transport failure, never a secret.
    detail: str = ""


def _restore(cls: type[VenueError], kwargs: dict[str, Any]) -> VenueError:
    """Rebuild a pickled error through its constructor (a subclass may take fewer arguments)."""
    try:
        return cls(**kwargs)
    except TypeError:
        error = cls.__new__(cls)
        VenueError.__init__(error, kwargs.pop("message", ""))
        error.__dict__.update(kwargs)
        return error


class VenueError(Exception):
    """Base class of every venuekit error; carries venue, HTTP status, venue code and message."""

    #: Whether the same request may succeed if tried again later.
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        venue: str | None = None,
        status_code: int | None = None,
        code: int | None = None,
        attempts: int = 0,
        history: tuple[AttemptRecord, ...] = (),
        may_have_reached_venue: bool = False,
    ) -> None:
        super().__init__(message)
        #: The venue's own error text (or venuekit's description); never a secret.
        self.message = message
        #: The venue concerned (a ``venuekit.Venue``, which is a ``str``), when there is one.
        self.venue = venue
        #: The HTTP status of the venue's answer; ``None`` when nothing was answered.
        self.status_code = status_code
        #: The venue's numeric error code, for venues that send one, else ``None``.
        self.code = code
        #: Attempts the client made (``0``: raised before anything was sent).
        self.attempts = attempts
        #: One record per attempt, in order (empty when nothing was sent).
        self.history = history
        #: Whether any attempt may have reached the venue without an answer saying what happened.
        self.may_have_reached_venue = may_have_reached_venue

    def _kwargs(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this error (pickling, ``with_record``)."""
        return {
            "message": self.message,
            "venue": self.venue,
            "status_code": self.status_code,
            "code": self.code,
            "attempts": self.attempts,
            "history": self.history,
            "may_have_reached_venue": self.may_have_reached_venue,
        }

    def with_record(self, *, attempts: int, history: tuple[AttemptRecord, ...]) -> VenueError:
        """A copy of this error with the call's record (built through the constructor).

        Example: ``error.with_record(attempts=3, history=records)``
        """
        kwargs = self._kwargs()
        reached = any(record.may_have_reached_venue for record in history)
        kwargs.update(
            attempts=attempts,
            history=history,
            may_have_reached_venue=reached or self.may_have_reached_venue,
        )
        return type(self)(**kwargs)

    def __str__(self) -> str:
        parts = []
        if self.venue is not None:
            parts.append(f"{self.venue}:")
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
        venue = str(self.venue) if self.venue is not None else None
        return (
            f"{type(self).__name__}(venue={venue!r}, status_code={self.status_code!r}, "
            f"code={self.code!r}, message={str(self.message)[:ERROR_EXCERPT_CHARS]!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self._kwargs()))


class _FieldError(VenueError):
    """An error that names the argument or setting at fault (``field``, as data)."""

    def __init__(self, message: str = "", *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        #: The argument (or setting) at fault, e.g. ``"order_id"``; ``None`` when unknown.
        self.field = field

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "field": self.field}


class InvalidRequest(_FieldError, ValueError):  # noqa: N818 (public name since issue 4)
    """The request is wrong (type, range, text, missing or conflicting argument); nothing was sent."""


class VenueNotConfigured(InvalidRequest):
    """A venue was used on a client that was given no credentials for it."""


class InvalidCredentials(InvalidRequest):
    """Credentials (or the environment variables holding them) are missing or malformed."""


class VenueAnswerError(VenueError):
    """The venue answered, and the answer is no: its status, code and message are attached."""


class VenueRejectedRequest(_FieldError, VenueAnswerError):  # noqa: N818 (public name since issue 4)
    """The venue answered that the request is invalid (e.g. "Invalid order id", product unknown)."""


class AuthenticationError(VenueAnswerError):
    """The venue refused the key, signature, passphrase, token or timestamp."""


class OrderNotFound(VenueAnswerError):  # noqa: N818 (public name since issue 4)
    """The venue does not know the order (wrong id, other account, or purged)."""


class OrderAlreadyDone(VenueAnswerError):  # noqa: N818 (public name since issue 4)
    """The cancel reject: the order is already filled, cancelled or otherwise closed."""


class RateLimited(VenueAnswerError):  # noqa: N818 (public name since issue 4)
    """The venue's rate limit was hit; ``retry_after`` holds its hint in seconds, if any."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        #: Seconds to wait, from the ``Retry-After`` header (seconds or HTTP date); else ``None``.
        self.retry_after = retry_after

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "retry_after": self.retry_after}


class VenueUnavailable(VenueAnswerError):  # noqa: N818 (public name since issue 4)
    """The venue failed to process the request (HTTP 5xx or an explicit "try later")."""

    retryable: ClassVar[bool] = True


class TransportError(VenueError):
    """No usable answer: connection refused, timed out, dropped, or an answer too large to read."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str = "", *, may_have_reached_venue: bool = True, **kwargs: Any):
        super().__init__(message, may_have_reached_venue=may_have_reached_venue, **kwargs)


class ResponseTooLarge(TransportError):  # noqa: N818 (reads as the answer it describes)
    """The answer was larger than a cancel answer can be; the cancel may have reached the venue."""


class Interrupted(TransportError):  # noqa: N818 (reads as the fate it describes)
    """A batch was interrupted (Ctrl-C, cancellation, its deadline) before this order's end."""
