"""Every tuning number and default address in one place.

Other modules import names from here instead of writing literals, so a reviewer can see all of the
policy at a glance. Other parts of venuekit may add names; nobody changes a value without saying why.

Sources for the venue numbers: ``/work/shared/design/venues.md`` (base URLs, rate limits, clock
windows), each venue's own documentation.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "BULK_CONCURRENCY",
    "CLOCK_DATE_HEADER_UNCERTAINTY",
    "CLOCK_MIN_ADJUSTMENT",
    "CONNECT_TIMEOUT",
    "DEFAULT_BASE_URLS",
    "ERROR_EXCERPT_CHARS",
    "EXCHANGE_CLOCK_WINDOW",
    "EXCHANGE_RATE_LIMIT_BURST",
    "EXCHANGE_RATE_LIMIT_PER_SECOND",
    "INTX_CLOCK_WINDOW",
    "INTX_RATE_LIMIT_BURST",
    "INTX_RATE_LIMIT_PER_SECOND",
    "LOOPRING_CANCEL_PATH",
    "LOOPRING_RATE_LIMIT_BURST",
    "LOOPRING_RATE_LIMIT_PER_SECOND",
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
    "SANDBOX_BASE_URLS",
    "WRITE_TIMEOUT",
]

#: Production base URLs, keyed by ``Venue`` value (venues.md). INTX and Loopring are retired or
#: offline as of 2026; the addresses stay the documented ones.
DEFAULT_BASE_URLS: Final = MappingProxyType(
    {
        "coinbase_exchange": "https://api.exchange.coinbase.com",
        "coinbase_intx": "https://api.international.coinbase.com",
        "loopring": "https://api3.loopring.io",
    }
)

#: The venues' own sandbox / testnet base URLs (venues.md). Not used by default.
SANDBOX_BASE_URLS: Final = MappingProxyType(
    {
        "coinbase_exchange": "https://api-public.sandbox.exchange.coinbase.com",
        "coinbase_intx": "https://api-n5e1.coinbase.com",
        "loopring": "https://uat2.loopring.io",
    }
)

#: Loopring's cancel endpoint (no OpenAPI spec exists, so the path lives here).
LOOPRING_CANCEL_PATH: Final = "/api/v3/order"

# --- HTTP timeouts, seconds -------------------------------------------------------------------
#: Time allowed to open a TCP/TLS connection.
CONNECT_TIMEOUT: Final = 5.0
#: Time allowed between bytes of the response. A cancel is a small call; 10 s is generous.
READ_TIMEOUT: Final = 10.0
#: Time allowed to send the request.
WRITE_TIMEOUT: Final = 10.0
#: Time allowed to wait for a free connection from the pool.
POOL_TIMEOUT: Final = 5.0

# --- Venue limits (venues.md) -----------------------------------------------------------------
#: Coinbase Exchange private endpoints: 15 requests/s per profile, token bucket ...
EXCHANGE_RATE_LIMIT_PER_SECOND: Final = 15
#: ... with bursts up to 30.
EXCHANGE_RATE_LIMIT_BURST: Final = 30
#: INTX: 40 requests/s per API key.
INTX_RATE_LIMIT_PER_SECOND: Final = 40
#: Loopring: 5 requests/s; HTTP 429 beyond.
LOOPRING_RATE_LIMIT_PER_SECOND: Final = 5
#: Coinbase Exchange rejects timestamps more than 30 s off its clock.
EXCHANGE_CLOCK_WINDOW: Final = 30.0
#: INTX allows 5 s of clock skew (current docs; older pages said 30 s).
INTX_CLOCK_WINDOW: Final = 5.0

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
#: the retries: waiting less than asked only earns another 429.
RETRY_AFTER_MAX: Final = 60.0

# --- Bulk cancel (Client.cancel_many) ---------------------------------------------------------
#: Cancels in flight at once per venue in ``cancel_many``; the rate limiter still paces them.
BULK_CONCURRENCY: Final = 8

# --- Errors -----------------------------------------------------------------------------------
#: Longest excerpt of an unexpected response body quoted in an error message.
ERROR_EXCERPT_CHARS: Final = 200

# --- Client-side pacing (venuekit._ratelimit) ---------------------------------------------------
#: INTX documents 40 requests/s and no burst; the bucket holds one second of requests.
INTX_RATE_LIMIT_BURST: Final = 40
#: Loopring documents 5 requests/s and no burst; the bucket holds one second of requests.
LOOPRING_RATE_LIMIT_BURST: Final = 5
#: The client paces this fraction below each documented rate, so drift or a venue that counts
#: in fixed windows never sees more than its limit.
RATE_LIMIT_RATE_MARGIN: Final = 0.05
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
#: Loopring's paced 4.75/s are 13 s), and it would otherwise stall every client for the step.
RATE_STORE_MAX_AHEAD: Final = 600.0

# --- Clock skew (venuekit._clock) -------------------------------------------------------------
#: Error of an offset read from an HTTP ``Date`` header, seconds: the header has 1 s resolution.
CLOCK_DATE_HEADER_UNCERTAINTY: Final = 1.0
#: Smallest change of the clock offset worth applying, seconds.
CLOCK_MIN_ADJUSTMENT: Final = 0.05
