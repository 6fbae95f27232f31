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
    "HTTP_ACCEPT_ENCODING",
    "HTTP_CLOSE_GRACE",
    "HTTP_DEADLINE_GRACE",
    "HTTP_KEEPALIVE_EXPIRY",
    "HTTP_MAX_CONNECTIONS",
    "HTTP_MAX_KEEPALIVE",
    "MAX_RESPONSE_BODY",
    "MAX_TEXT_ARGUMENT_CHARS",
    "POOL_TIMEOUT",
    "RATE_LIMIT_JITTER_ALLOWANCE",
    "RATE_LIMIT_KEY_ID_CHARS",
    "RATE_LIMIT_RATE_MARGIN",
    "RATE_STORE_KEY_PREFIX",
    "RATE_STORE_MAX_AHEAD",
    "RATE_STORE_RETRY_INITIAL",
    "RATE_STORE_RETRY_MAX",
    "RATE_STORE_SYNC_WORKERS",
    "RATE_STORE_TIMEOUT",
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

# --- HTTP responses and connections (venuekit._http) ------------------------------------------
#: Largest response body read, in bytes, counted both as received and as decoded (decompressed).
#: A cancel answer is a few hundred bytes (the largest in tests/cassettes is 713 bytes; the
#: largest documented order result, pretty-printed, 1.3 KiB) and a CDN or proxy error page a few
#: KiB; 64 KiB leaves ample room for those
#: and is one httpcore read (``READ_NUM_BYTES``), while a 100 MB body or a gzip bomb is refused
#: after that much. A larger answer is an error that says the cancel may have reached the venue.
MAX_RESPONSE_BODY: Final = 64 * 1024
#: ``Accept-Encoding`` sent with every request: ``identity`` (no compression). Answers this small
#: gain nothing from it, and a compressed body's size is unknown until decoded. A server that
#: compresses anyway is still read (gzip and deflate, decoded within ``MAX_RESPONSE_BODY``).
HTTP_ACCEPT_ENCODING: Final = "identity"
#: Longest wait, seconds, for closing a response after its call ended (async; shielded from
#: the cancellation that ended the call). Closing a connection mid-body sends nothing, so this
#: only bounds a caller-supplied transport's ``aclose``.
HTTP_CLOSE_GRACE: Final = 0.25
#: How long after its deadline an async call's cancel scope ends it, seconds. Before that the
#: transport's own timeouts, cut to the deadline, end it and close what they opened (a
#: cancelled TLS handshake is not cleaned up by httpcore); the scope bounds any other transport.
HTTP_DEADLINE_GRACE: Final = 0.1
#: Connections kept by one client's pool: httpx's defaults (``httpx.Limits`` as httpx builds
#: its default transport: 100 connections, 20 kept alive, idle ones closed after 5 s).
HTTP_MAX_CONNECTIONS: Final = 100
#: ... of which this many are kept alive between requests ...
HTTP_MAX_KEEPALIVE: Final = 20
#: ... for at most this many seconds of idleness.
HTTP_KEEPALIVE_EXPIRY: Final = 5.0

# --- Retry policy (venuekit._policy and the engine; every cancel goes through it) ------------------------------
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
#: few dozen characters (UUIDs 36, 0x-prefixed 32-byte hashes 66, labels capped at 64); anything
#: near this is a mistake, refused before it is sent.
MAX_TEXT_ARGUMENT_CHARS: Final = 256

# --- Errors -----------------------------------------------------------------------------------
#: Longest excerpt of an unexpected response body quoted in an error message.
ERROR_EXCERPT_CHARS: Final = 200

# --- Client-side pacing (venuekit._ratelimit) ---------------------------------------------------
#: The client paces this fraction below each documented rate, so clock drift never brings it
#: over the limit. Delay jitter is absorbed by the burst reserve below, not by this margin:
#: ``make bench`` measured 0 self-caused 429s at 5 %, 2 % and 0 %; 2 % reaches the issue's aim
#: of 97 % of the limit (5 % capped runs at ~95 %).
RATE_LIMIT_RATE_MARGIN: Final = 0.02
#: Delay variation (seconds) between the client's pacing and the venue's clock that the client
#: absorbs: it keeps ``ceil(rate * this)`` tokens of the documented burst in reserve.
RATE_LIMIT_JITTER_ALLOWANCE: Final = 0.1
#: Hex characters kept of ``key_id``'s HMAC-SHA256 (128 bits): two keys of one venue sharing a
#: bucket by accident would need a collision among at most a few thousand keys, odds ~1e-32.
RATE_LIMIT_KEY_ID_CHARS: Final = 32

# --- Shared rate budget in Redis/Valkey (venuekit._ratelimit_store) ---------------------------
#: Namespace of every key the budget writes: ``<prefix>:<venue>:<key_id>``. ``v1`` names the
#: value's meaning (GCRA theoretical arrival time, microseconds of the server's clock), so a
#: later format can live next to it during a rolling upgrade.
RATE_STORE_KEY_PREFIX: Final = "venuekit:rl:v1"
#: Longest one store round trip may take before the store counts as down, seconds. The budget's
#: script answers in 41 us on loopback (measured: one EVALSHA, valkey-server 9.1, redis-py 8.1)
#: and a network hop adds well under 1 ms in one data centre; 0.2 s is sickness, and the pacing
#: must not eat the cancel's deadline waiting for it. A caller's own shorter ``timeout`` wins.
RATE_STORE_TIMEOUT: Final = 0.2
#: After a store failure, pace in-process and try the store again this many seconds later ...
RATE_STORE_RETRY_INITIAL: Final = 1.0
#: ... doubling after every failed retry up to this cap. A retry costs one call at most
#: ``RATE_STORE_TIMEOUT`` when the store hangs (nothing when it refuses), while every second of
#: pacing alone after the store is back lets N processes exceed the limit together; so the cap
#: is short (measured with make load-test-shared: a 30 s cap left processes alone for up to 4 s
#: after a 3 s outage).
RATE_STORE_RETRY_MAX: Final = 5.0
#: Threads that run the store round trips of sync callers (so a hung store cannot hold a caller
#: past its timeout). Twice ``BULK_CONCURRENCY``: a sync ``cancel_many`` never queues for one.
RATE_STORE_SYNC_WORKERS: Final = 16
#: A bucket whose theoretical arrival time is more than this many seconds ahead of the server's
#: clock is treated as empty: only a step back of the server's wall clock (``TIME``) produces
#: such a lead (pauses are at most ``RETRY_AFTER_MAX`` = 60 s; 64 queued reservations at
#: a paced 4.9/s are 13 s), and it would otherwise stall every client for the step.
RATE_STORE_MAX_AHEAD: Final = 600.0

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
