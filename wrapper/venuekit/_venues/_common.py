"""What the venue modules share: the prepared request, the raw answer, exact JSON, error building.

Nothing here does I/O. A venue's actions turn arguments into a ``PreparedCancel`` and a
``RawResponse`` into a result or an exception; the engine only sends.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import attrs
import httpx

from venuekit import errors
from venuekit._clock import offset_from_date_header
from venuekit._constants import (
    CLOCK_DATE_HEADER_UNCERTAINTY,
    ERROR_EXCERPT_CHARS,
    MAX_TEXT_ARGUMENT_CHARS,
)
from venuekit._policy import parse_retry_after
from venuekit._secret import Secret
from venuekit._secret import redact as _redact
from venuekit._venues._spec import Venue

__all__ = [
    "NotJSONError",
    "PreparedCancel",
    "RawResponse",
    "check_bool_free_int",
    "check_id",
    "check_optional_text",
    "date_header_reading",
    "decimal_or_none",
    "drop_nulls",
    "error_for_status",
    "excerpt",
    "int_or_none",
    "logger",
    "not_json_success",
    "operation",
    "parse_json_exact",
    "quote_segment",
    "redact",
    "unmapped_code_error",
]

logger = logging.getLogger("venuekit")


#: RFC 3986 unreserved characters: what ``quote(value, safe="")`` leaves as it is.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def quote_segment(value: str) -> str:
    """``value`` percent-encoded for a path segment or query value: ``quote(value, safe="")``.

    An id of unreserved characters only (the usual case) comes back as it is, without encoding.

        >>> quote_segment("a/b c"), quote_segment("68e6a28f-ae28")
        ('a%2Fb%20c', '68e6a28f-ae28')
    """
    if _UNRESERVED.fullmatch(value) is not None:
        return value
    return quote(value, safe="")


@functools.cache
def operation(module: str) -> Any:
    """The public ``OPERATION`` contract of a generated operation module, imported on first use.

    Venue modules call it when they build a request, so ``import venuekit`` loads no generated
    package until a venue is used.

        >>> operation("coinbase_intx_api.api.orders.cancel_order").method
        'DELETE'
    """
    return importlib.import_module(module).OPERATION


# Not frozen: built for every call (frozen attrs classes cost ~55 ns more per field).
@attrs.define(kw_only=True)
class PreparedCancel:
    """A validated cancel request, ready to send: method, path (already percent-encoded), query."""

    venue: Venue
    method: str
    #: Path relative to the venue's base URL, every id already percent-encoded.
    url: str
    #: Query parameters in the order sent.
    params: tuple[tuple[str, str], ...]
    #: The order id the caller asked for (Loopring: the order hash), if any.
    order_id: str | None = None
    #: The client order id the caller asked for (Exchange: without the ``client:`` namespace).
    client_order_id: str | None = None
    #: The argument name that carried the id, for error messages (``"order_id"``, ...).
    id_field: str = "order_id"

    def target(self) -> str:
        """The path and query as sent, every query value percent-encoded (unreserved kept).

        Example::

            PreparedCancel(venue=v, method="DELETE", url="/o/1", params=(("p", "a b"),)).target()
            # '/o/1?p=a%20b'
        """
        if not self.params:
            return self.url
        query = "&".join(f"{quote_segment(k)}={quote_segment(v)}" for k, v in self.params)
        return f"{self.url}?{query}"


@attrs.frozen(kw_only=True)
class RawResponse:
    """What came back from the venue, plus what is needed to judge it without I/O."""

    status_code: int
    headers: httpx.Headers
    #: The body; left out of ``repr`` (a venue may echo a credential in it, and traceback
    #: renderers with frame locals call ``repr``).
    content: bytes = attrs.field(repr=False)
    #: Current time (epoch seconds), to turn an HTTP-date ``Retry-After`` into seconds.
    now: float
    #: Credential values that must never appear in an error message.
    secrets: Collection[Secret[str]] = attrs.field(default=(), repr=False)

    def json(self) -> Any:
        """The body through ``parse_json_exact``, decoded once per answer; ``NotJSONError``.

        Example: ``raw.json()`` in the clock reading and again in ``interpret`` decodes once.
        """
        body, error = self._decoded
        if error is not None:
            raise NotJSONError(error)
        return body

    @functools.cached_property
    def _decoded(self) -> tuple[Any, str | None]:
        try:
            return parse_json_exact(self.content), None
        except NotJSONError as exc:
            return None, str(exc)


class NotJSONError(ValueError):
    """The body is not a JSON document."""


def check_id(value: object, *, field: str, path_segment: bool) -> str:
    """Return ``value`` if it is a usable id, else raise ``InvalidRequest`` naming ``field``.

    Refuses non-strings, empty or whitespace-only strings and, for ids that go into a URL path,
    the dot segments ``"."`` and ``".."`` (URL normalization would silently remove them).
    """
    if not isinstance(value, str):
        raise errors.InvalidRequest(
            f"{field} must be a str, not {type(value).__name__}", field=field
        )
    if len(value) > MAX_TEXT_ARGUMENT_CHARS:
        raise errors.InvalidRequest(
            f"{field} is {len(value)} characters long; at most {MAX_TEXT_ARGUMENT_CHARS}",
            field=field,
        )
    if not value.strip():
        raise errors.InvalidRequest(f"{field} must not be empty or blank", field=field)
    bad = _UNSENDABLE.search(value)
    if bad is not None:
        raise errors.InvalidRequest(
            f"{field} contains {_describe(bad.group())}, which no venue id can hold", field=field
        )
    if path_segment and value in {".", ".."}:
        raise errors.InvalidRequest(
            f"{field} {value!r} is a URL dot segment, not an order id", field=field
        )
    return value


#: A control character (C0, DEL, C1), or a lone surrogate (not encodable as UTF-8).
_UNSENDABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _describe(ch: str) -> str:
    code = ord(ch)
    kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"{kind} (U+{code:04X})"


def check_optional_text(value: object, *, field: str) -> str | None:
    """Return ``value`` (``None`` allowed) if it is a non-blank string, else ``InvalidRequest``."""
    if value is None:
        return None
    return check_id(value, field=field, path_segment=False)


def check_bool_free_int(value: object, *, field: str) -> int:
    """Return ``value`` if it is a non-negative ``int`` (``bool`` refused), else ``InvalidRequest``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidRequest(
            f"{field} must be an int, not {type(value).__name__}", field=field
        )
    if value < 0:
        raise errors.InvalidRequest(f"{field} must not be negative", field=field)
    return value


def parse_json_exact(content: bytes) -> Any:
    """Decode JSON keeping every number as its exact text (``str``); ``NotJSONError`` on failure.

    Integers stay exact strings (17+ digit ids cannot lose precision) and decimals become their
    literal text, to be read with ``Decimal`` — never through ``float``::

        >>> parse_json_exact(b'{"order_id": 43877033468085760, "price": 20215.53}')
        {'order_id': '43877033468085760', 'price': '20215.53'}
    """
    if not content.strip():
        raise NotJSONError("empty body")
    try:
        text = content.decode(json.detect_encoding(content), "surrogatepass")
        return _EXACT_JSON.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotJSONError(str(exc)) from None


#: Built once: ``json.loads`` with hooks constructs a new decoder on every call.
_EXACT_JSON = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)


def drop_nulls(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``data`` without the keys whose value is JSON ``null``."""
    return {key: value for key, value in data.items() if value is not None}


def redact(text: str, secrets: Collection[Secret[str]]) -> str:
    """Replace every occurrence of a secret (any length) in ``text`` with ``[REDACTED]``."""
    return _redact(text, secrets)


def excerpt(content: bytes, secrets: Collection[Secret[str]] = ()) -> str:
    """The start of a body as printable text, at most ``ERROR_EXCERPT_CHARS`` characters."""
    text = content.decode("utf-8", errors="replace")
    text = redact(text, secrets)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > ERROR_EXCERPT_CHARS:
        text = text[: ERROR_EXCERPT_CHARS - 3] + "..."
    return text


def error_for_status(
    venue: Venue,
    raw: RawResponse,
    *,
    message: str | None,
    code: int | None = None,
) -> errors.VenueError:
    """The error for an answer no venue-specific rule matched, chosen by HTTP status alone.

    ``message`` is the venue's text, or ``None`` when the body was not a JSON error object (then
    the message quotes the body). 401/403 with a JSON error are ``AuthenticationError``; 429
    ``RateLimited``; 5xx ``VenueUnavailable``; anything else a plain ``VenueError``: a 404 page
    from a wrong base URL, or a not-found about something else, must not look like "order not
    found".
    """
    status = raw.status_code
    structured = message is not None
    text = redact(message, raw.secrets) if message is not None else _unstructured(raw)
    if status == httpx.codes.TOO_MANY_REQUESTS:
        retry_after = parse_retry_after(raw.headers.get("retry-after"), now=raw.now)
        return errors.RateLimited(
            text, retry_after=retry_after, venue=venue, status_code=status, code=code
        )
    if status >= 500:
        return errors.VenueUnavailable(text, venue=venue, status_code=status, code=code)
    if 300 <= status < 400:
        location = redact(raw.headers.get("location", ""), raw.secrets)[:ERROR_EXCERPT_CHARS]
        return errors.VenueError(
            f"unexpected redirect (not followed) to {location!r}",
            venue=venue,
            status_code=status,
            code=code,
        )
    if structured and status in {httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN}:
        return errors.AuthenticationError(text, venue=venue, status_code=status, code=code)
    # Any other answer (a 404 or 400 whose text no venue rule matched) is not understood: a plain
    # VenueError, never "not found" or "already done" (which would confirm an earlier attempt).
    return errors.VenueError(text, venue=venue, status_code=status, code=code)


def unmapped_code_error(
    venue: Venue, raw: RawResponse, *, message: str, code: int | None
) -> errors.VenueError:
    """The error for a venue error code with no specific meaning (or none): the HTTP status
    decides, so a 5xx stays a retryable ``VenueUnavailable`` and a 429 a ``RateLimited``;
    anything else is a plain ``VenueError`` carrying the code."""
    status = raw.status_code
    if status == httpx.codes.TOO_MANY_REQUESTS or status >= 500:
        return error_for_status(venue, raw, message=message, code=code)
    return errors.VenueError(message, venue=venue, status_code=status, code=code)


def not_json_success(venue: Venue, raw: RawResponse) -> errors.VenueError:
    """The error for a 2xx whose body is not JSON: nothing in it confirms the cancel."""
    return errors.VenueError(
        f"HTTP {raw.status_code} with a body that is not JSON: "
        f"{excerpt(raw.content, raw.secrets)!r}",
        venue=venue,
        status_code=raw.status_code,
    )


def _unstructured(raw: RawResponse) -> str:
    body = excerpt(raw.content, raw.secrets)
    return f"HTTP {raw.status_code} with a body that is not a JSON error object: {body!r}"


def date_header_reading(raw: RawResponse) -> tuple[float, float] | None:
    """The venue's clock from the answer's ``Date`` header: ``(offset, uncertainty)``, or None.

    >>> date_header_reading(RawResponse(status_code=200, headers=httpx.Headers(
    ...     {"date": "Thu, 01 Jan 1970 00:00:13 GMT"}), content=b"", now=10.5))
    (3.0, 1.0)
    """
    estimate = offset_from_date_header(raw.headers.get("date"), received_at=raw.now)
    return None if estimate is None else (estimate, CLOCK_DATE_HEADER_UNCERTAINTY)


def decimal_or_none(value: object) -> Decimal | None:
    """An exact ``Decimal`` from a number's literal text (JSON parsed with ``parse_json_exact``).

    ``None`` for anything that is not the text of a finite number.

        >>> decimal_or_none("0.10"), decimal_or_none("NaN"), decimal_or_none(1)
        (Decimal('0.10'), None, None)
    """
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def int_or_none(value: object) -> int | None:
    """An ``int`` from a number's literal text; ``None`` if it is not one.

    >>> int_or_none("13009"), int_or_none("1.5"), int_or_none(13009)
    (13009, None, None)
    """
    try:
        return int(value) if isinstance(value, str) else None
    except ValueError:
        return None
