"""Every tuning number and default address in one place.

Other modules import names from here instead of writing literals, so a reviewer can see all of the
policy at a glance. Other parts of venuekit may add names; nobody changes a value without saying why.

Venue facts (base URLs, documented rate limits, clock windows, a venue's token rules) are not
here: each venue declares its own next to the only code that uses them (its module under
``venuekit._venues``, its signer, its sandbox module), with the source, so that this module and
every module that reads it stay venue-agnostic.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BULK_CONCURRENCY",
    "CLOCK_DATE_HEADER_UNCERTAINTY",
    "CLOCK_MIN_ADJUSTMENT",
    "CONNECT_TIMEOUT",
    "ERROR_EXCERPT_CHARS",
    "MAX_TEXT_ARGUMENT_CHARS",
    "POOL_TIMEOUT",
    "RATE_LIMIT_JITTER_ALLOWANCE",
    "RATE_LIMIT_RATE_MARGIN",
    "READ_TIMEOUT",
    "RETRY_AFTER_MAX",
    "RETRY_ATTEMPTS",
    "RETRY_DEADLINE",
    "RETRY_JITTER_FRACTION",
    "RETRY_WAIT_INITIAL",
    "RETRY_WAIT_MAX",
    "SANDBOX_HEADER_TIMEOUT",
    "SANDBOX_KEEP_ALIVE_TIMEOUT",
    "SANDBOX_MAX_BODY_BYTES",
    "SANDBOX_MAX_CONNECTIONS",
    "SANDBOX_MAX_HEADER_BYTES",
    "SANDBOX_MAX_TIMESTAMP_CHARS",
    "WRITE_TIMEOUT",
]

# --- HTTP timeouts, seconds -------------------------------------------------------------------
#: Time allowed to open a TCP/TLS connection.
CONNECT_TIMEOUT: Final = 5.0
#: Time allowed between bytes of the response. A cancel is a small call; 10 s is generous.
READ_TIMEOUT: Final = 10.0
#: Time allowed to send the request.
WRITE_TIMEOUT: Final = 10.0
#: Time allowed to wait for a free connection from the pool.
POOL_TIMEOUT: Final = 5.0

# --- Retry policy (venuekit._retry; every cancel goes through it) ------------------------------
#: Total attempts of one cancel, including the first one (``attempts=1``: no retries).
RETRY_ATTEMPTS: Final = 5
#: Backoff cap before the second attempt, seconds; the cap doubles with every attempt ...
RETRY_WAIT_INITIAL: Final = 0.1
#: ... up to this many seconds (a single backoff wait never exceeds it).
RETRY_WAIT_MAX: Final = 5.0
#: Overall time budget of one call across all its attempts and waits, seconds. A wait that
#: would cross it is not started; the last error is reported instead.
RETRY_DEADLINE: Final = 30.0
#: Jitter as a fraction of the backoff cap: each wait is uniform(cap * (1 - f), cap). 1.0 is
#: "full jitter" (AWS architecture blog, "Exponential Backoff And Jitter"), which spreads the
#: retries of many concurrent cancels best.
RETRY_JITTER_FRACTION: Final = 1.0
#: Longest ``Retry-After`` honoured, seconds (openai-python uses 60 s too). A longer hint ends
#: the call at once as ``RateLimited`` carrying the hint (waiting less than asked only earns
#: another 429), and so does any hint that would cross the call's deadline; the shared bucket is
#: paused for at most this long, so one answer cannot hold later calls past their deadlines.
RETRY_AFTER_MAX: Final = 60.0

# --- Bulk cancel (Client.cancel_many) ---------------------------------------------------------
#: Cancels in flight at once per venue in ``cancel_many``; the rate limiter still paces them.
BULK_CONCURRENCY: Final = 8

# --- Arguments ---------------------------------------------------------------------------------
#: Longest id, label or other text argument accepted, in characters. The longest real ids are a
#: few dozen characters (UUIDs 36, Loopring hashes 66, Deribit labels are capped at 64); anything
#: near this is a mistake, refused before it is sent.
MAX_TEXT_ARGUMENT_CHARS: Final = 256

# --- Errors -----------------------------------------------------------------------------------
#: Longest excerpt of an unexpected response body quoted in an error message.
ERROR_EXCERPT_CHARS: Final = 200

# --- Client-side pacing (venuekit._ratelimit) ---------------------------------------------------
#: The client paces this fraction below each documented rate, so drift or a venue that counts
#: in fixed windows never sees more than its limit.
RATE_LIMIT_RATE_MARGIN: Final = 0.05
#: Delay variation (seconds) between the client's pacing and the venue's clock that the client
#: absorbs: it keeps ``ceil(rate * this)`` tokens of the documented burst in reserve.
RATE_LIMIT_JITTER_ALLOWANCE: Final = 0.1

# --- Clock skew (venuekit._clock) -------------------------------------------------------------
#: Error of an offset read from an HTTP ``Date`` header, seconds: the header has 1 s resolution.
CLOCK_DATE_HEADER_UNCERTAINTY: Final = 1.0
#: Smallest change of the clock offset worth applying, seconds.
CLOCK_MIN_ADJUSTMENT: Final = 0.05

# --- Local sandbox (venuekit.sandbox): what it accepts before it answers 4xx or hangs up ------
#: Largest request body, bytes. A cancel sends no body; 64 KiB is generous (nginx's default
#: ``client_max_body_size`` is 1 MiB). Checked against Content-Length before reading, and while
#: reading a chunked body.
SANDBOX_MAX_BODY_BYTES: Final = 64 * 1024
#: Largest request head (request line and headers), bytes: h11's own default
#: ``max_incomplete_event_size`` (16 KiB), applied in-process too.
SANDBOX_MAX_HEADER_BYTES: Final = 16 * 1024
#: Longest ``CB-ACCESS-TIMESTAMP`` parsed; an epoch second has 10 digits (plus decimals).
SANDBOX_MAX_TIMESTAMP_CHARS: Final = 32
#: Open connections served at once when listening on a socket; further ones are closed at once.
SANDBOX_MAX_CONNECTIONS: Final = 1000
#: Seconds an idle keep-alive connection stays open (uvicorn's default, 5 s).
SANDBOX_KEEP_ALIVE_TIMEOUT: Final = 5.0
#: Seconds a client has to send a complete request head once the connection is open or its
#: previous response was sent (Apache mod_reqtimeout allows 20 s; a cancel client needs < 1 s).
SANDBOX_HEADER_TIMEOUT: Final = 5.0
