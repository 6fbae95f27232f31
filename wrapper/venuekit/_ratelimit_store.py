"""A rate budget shared by every process that uses one API key, kept in Redis or Valkey.

``RedisRateBudget`` is a ``RateBudget``: the engine cannot tell it from the in-process
``RateLimiter``. Every process configured with the same store and the same credentials books
slots of one bucket per (venue, ``key_id``), so together they stay under the venue's limit.

On the server (``venuekit._ratelimit_scripts``): each decision is one Lua script, GCRA with the
server's own clock (``TIME``), run atomically, so client clocks do not matter. A bucket is one
key, ``<prefix>:<venue>:<key_id>`` (default prefix ``venuekit:rl:v1``), that expires once idle;
``key_id`` is an HMAC of the API key, never the key. ``pause`` moves the bucket for everyone.

Fail open, loudly. If the store refuses, errors or does not answer within ``timeout`` (default
``RATE_STORE_TIMEOUT``, 0.2 s, or the caller's own ``timeout`` if shorter), the call is paced by
the in-process ``fallback`` instead, a WARNING is logged once per outage, and the store is tried
again after a back-off (``RATE_STORE_RETRY_INITIAL`` doubling to ``RATE_STORE_RETRY_MAX``). No
call is refused or held past its ``timeout`` because of the store. During an outage each process
paces alone: N processes may send up to N times the limit (``fallback_share`` scales that down).

Connections. From a URL (``redis://``, ``rediss://``, ``unix://``) the budget makes and owns one
``redis.Redis`` (a thread-safe pool) for sync callers, whose round trips run on a few worker
threads so a hung store cannot hold a caller past its timeout, and one ``redis.asyncio.Redis``
per event loop (its connections belong to that loop), awaited directly: the loop never blocks.
A ready ``redis.Redis`` serves both (async callers via a worker thread); a ready
``redis.asyncio.Redis`` serves async callers only. Clients passed in are not closed.

Needs the ``redis`` package (``pip install 'venuekit[redis]'``), imported only when a budget is
made. Example::

    budget = RedisRateBudget("redis://127.0.0.1:6379/0")
    time.sleep(budget.reserve(bucket, timeout=deadline_left))
    budget.close()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import math
import threading
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import attrs
import sniffio

from venuekit._constants import (
    RATE_STORE_KEY_PREFIX,
    RATE_STORE_RETRY_INITIAL,
    RATE_STORE_RETRY_MAX,
    RATE_STORE_SYNC_WORKERS,
    RATE_STORE_TIMEOUT,
)
from venuekit._ratelimit import Bucket, RateBudget, RateLimit, RateLimiter
from venuekit._ratelimit_health import LOGGER, StoreHealth, describe, redacted_url
from venuekit._ratelimit_scripts import (
    PAUSE_SCRIPT,
    RESERVE_SCRIPT,
    Booking,
    import_redis,
    parse_booking,
    pause_args,
    reserve_args,
)

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["Booking", "RedisRateBudget"]

_RESERVE, _PAUSE = 0, 1


def _check_seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not (isinstance(value, int | float) and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number of seconds, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0 seconds, got {value!r}")
    return float(value)


class RedisRateBudget:
    """A ``RateBudget`` in Redis/Valkey, shared by every process with the same store and key.

    Arguments:
        store: a ``redis://host:port/db`` URL (also ``rediss://``, ``unix://``), a ready
            ``redis.Redis`` or a ready ``redis.asyncio.Redis`` (see the module docstring).
        fallback: the in-process budget used while the store is down (default: a new
            ``RateLimiter``). It also books every store slot, so an outage does not start
            with a fresh burst.
        fallback_share: pace at this fraction of each limit while the store is down; with N
            processes sharing a key, ``1 / N`` keeps even an outage under the limit.
        prefix: namespace of the keys. ``timeout``: longest store round trip, seconds.
        retry_initial, retry_max: back-off before the store is tried again, seconds.

    Raises ``ImportError`` (saying what to install) without redis-py, ``ValueError`` or
    ``TypeError`` for a bad argument.

        >>> budget = RedisRateBudget("redis://:hunter2@127.0.0.1:1/0")
        >>> budget
        RedisRateBudget('redis://***@127.0.0.1:1/0', prefix='venuekit:rl:v1')
        >>> budget.close()
    """

    def __init__(
        self,
        store: str | redis.Redis | redis.asyncio.Redis,
        *,
        fallback: RateBudget | None = None,
        fallback_share: float = 1.0,
        prefix: str = RATE_STORE_KEY_PREFIX,
        timeout: float = RATE_STORE_TIMEOUT,
        retry_initial: float = RATE_STORE_RETRY_INITIAL,
        retry_max: float = RATE_STORE_RETRY_MAX,
    ) -> None:
        redis = import_redis()
        if not (isinstance(prefix, str) and prefix and prefix.isprintable() and " " not in prefix):
            raise ValueError("prefix must be a non-empty string without spaces")
        if not (isinstance(fallback_share, int | float) and 0 < fallback_share <= 1):
            raise ValueError(f"fallback_share must be in (0, 1], got {fallback_share!r}")
        self._timeout = _check_seconds(timeout, "timeout")
        if self._timeout == 0:
            raise ValueError("timeout must be > 0 seconds")
        self._prefix = prefix
        self._share = float(fallback_share)
        self._fallback: RateBudget = RateLimiter() if fallback is None else fallback
        self._owns_fallback = fallback is None
        self._lock = threading.Lock()
        self._url: str | None = None
        self._sync: Any = None  # redis.Redis
        self._sync_scripts: Sequence[Any] = ()
        self._fixed_async: Sequence[Any] = ()  # scripts of a given redis.asyncio.Redis
        self._per_loop: dict[asyncio.AbstractEventLoop, tuple[Any, Sequence[Any]]] = {}
        self._local: dict[Bucket, Bucket] = {}
        self._paced_alone: set[Bucket] = set()  # booked in-process since their last store answer
        self._closed = False
        self._warned_sync_unusable = False
        if isinstance(store, str):
            scheme = urllib.parse.urlsplit(store).scheme
            if scheme not in ("redis", "rediss", "unix"):
                raise ValueError("store must be a redis://, rediss:// or unix:// URL, or a client")
            self._url, name = store, redacted_url(store)
            try:
                self._sync = redis.Redis.from_url(store, **self._options(redis.retry.Retry))
            except ValueError:
                raise ValueError(f"store URL {name!r} is not a valid Redis URL") from None
        elif isinstance(store, redis.asyncio.Redis):
            name = "<redis.asyncio.Redis>"
            self._fixed_async = self._scripts(store)
        elif isinstance(store, redis.Redis):
            name, self._sync = "<redis.Redis>", store
            if store.connection_pool.connection_kwargs.get("socket_timeout") is None:
                LOGGER.warning(
                    "the redis.Redis given to RedisRateBudget has no socket_timeout: a hung store "
                    "keeps one of its worker threads (and interpreter exit) waiting"
                )
        else:
            raise TypeError("store must be a URL, a redis.Redis or a redis.asyncio.Redis")
        if self._sync is not None:
            self._sync_scripts = self._scripts(self._sync)
        self._name = name
        self._health = StoreHealth(name=name, retry_initial=retry_initial, retry_max=retry_max)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=RATE_STORE_SYNC_WORKERS, thread_name_prefix="venuekit-rate-store"
        )

    def __repr__(self) -> str:
        return f"RedisRateBudget({self._name!r}, prefix={self._prefix!r})"

    @property
    def store_healthy(self) -> bool:
        """``False`` while an outage is going on (calls are paced in-process)."""
        return self._health.healthy

    def key(self, bucket: Bucket) -> str:
        """The store key of ``bucket``: ``<prefix>:<venue>:<key_id>`` (never the API key)."""
        return f"{self._prefix}:{bucket.venue}:{bucket.key_id}"

    def book(self, bucket: Bucket, *, timeout: float | None = None) -> Booking:
        """Book a slot of ``bucket``; say how long to wait, when, and who decided.

        Spends at most ``timeout`` (and ``RATE_STORE_TIMEOUT``) on the store, else the fallback.
        """
        answer = self._call_sync(_RESERVE, bucket, self._reserve_args(bucket), timeout)
        local = self._local_bucket(bucket)
        if answer is None:
            self._paced_alone.add(bucket)
            return Booking(wait=self._fallback.reserve(local), at=None, source="fallback")
        self._paced_alone.discard(bucket)
        booking = parse_booking(answer)
        self._fallback.pause(local, booking.wait)
        return booking

    async def book_async(self, bucket: Bucket, *, timeout: float | None = None) -> Booking:  # noqa: ASYNC109 - bounds the store round trip only
        """``book`` without blocking the event loop (``redis.asyncio`` on asyncio)."""
        answer = await self._call_async(_RESERVE, bucket, self._reserve_args(bucket), timeout)
        local = self._local_bucket(bucket)
        if answer is None:
            self._paced_alone.add(bucket)
            wait = await self._fallback.reserve_async(local)
            return Booking(wait=wait, at=None, source="fallback")
        self._paced_alone.discard(bucket)
        booking = parse_booking(answer)
        await self._fallback.pause_async(local, booking.wait)
        return booking

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float:
        """Book a slot of ``bucket``; return the seconds to wait before using it."""
        return self.book(bucket, timeout=timeout).wait

    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float:  # noqa: ASYNC109 - bounds the store round trip only
        """Book a slot of ``bucket`` without blocking the event loop; return the seconds to wait."""
        return (await self.book_async(bucket, timeout=timeout)).wait

    def pause(self, bucket: Bucket, seconds: float) -> None:
        """Book no slot of ``bucket`` earlier than ``seconds`` from now, in every process."""
        seconds = _check_seconds(seconds, "seconds")
        self._fallback.pause(self._local_bucket(bucket), seconds)
        self._call_sync(_PAUSE, bucket, pause_args(bucket.limit, seconds), None)

    async def pause_async(self, bucket: Bucket, seconds: float) -> None:
        """``pause`` without blocking the event loop."""
        seconds = _check_seconds(seconds, "seconds")
        await self._fallback.pause_async(self._local_bucket(bucket), seconds)
        await self._call_async(_PAUSE, bucket, pause_args(bucket.limit, seconds), None)

    def close(self) -> None:
        """Close the clients made from a URL and the worker threads; idempotent.

        Async clients of event loops that are no longer running are dropped unclosed: call
        ``await aclose()`` on each loop that used the budget to close its connections cleanly.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loops, self._per_loop = self._per_loop, {}
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._url is not None and self._sync is not None:
            self._sync.close()
        for loop, (client, _) in loops.items():
            if loop.is_running() and not loop.is_closed():
                asyncio.run_coroutine_threadsafe(client.aclose(), loop)
        if self._owns_fallback:
            self._fallback.close()

    async def aclose(self) -> None:
        """Close this event loop's client, then everything ``close`` closes."""
        entry = None
        if sniffio.current_async_library() == "asyncio":
            with self._lock:
                entry = self._per_loop.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[0].aclose()
        self.close()

    # --- internals ---------------------------------------------------------------------------

    def _options(self, retry_class: Any) -> dict[str, Any]:
        redis = import_redis()
        return {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            "retry": retry_class(redis.backoff.NoBackoff(), 0),  # the budget retries, later
            "health_check_interval": 0,
        }

    @staticmethod
    def _scripts(client: Any) -> Sequence[Any]:
        return (client.register_script(RESERVE_SCRIPT), client.register_script(PAUSE_SCRIPT))

    def _reserve_args(self, bucket: Bucket) -> tuple[float, float, float, int]:
        # Back from the fallback: every process paced alone, so the venue's bucket is drained.
        return reserve_args(bucket.limit, no_burst=bucket in self._paced_alone)

    def _local_bucket(self, bucket: Bucket) -> Bucket:
        if self._share == 1.0:
            return bucket
        local = self._local.get(bucket)
        if local is None:
            limit = RateLimit(
                rate=bucket.limit.rate * self._share,
                burst=max(1, math.floor(bucket.limit.burst * self._share)),
            )
            local = self._local[bucket] = attrs.evolve(bucket, limit=limit)
        return local

    def _limit(self, timeout: float | None) -> tuple[float, bool]:
        """Seconds allowed on the store, and whether the caller's timeout set them."""
        if self._closed:
            raise RuntimeError("this RedisRateBudget is closed")
        if timeout is None or timeout >= self._timeout:
            return self._timeout, False
        return _check_seconds(max(0.0, timeout), "timeout"), True

    def _timed_out(self, limit: float, by_caller: bool) -> None:
        if by_caller:
            self._health.abandon()  # the caller's deadline, not the store's fault
        else:
            self._health.failed(f"no answer within {limit:g} s")

    def _call_sync(
        self, script: int, bucket: Bucket, args: Sequence[float], timeout: float | None
    ) -> Any:
        limit, by_caller = self._limit(timeout)
        if limit <= 0:
            return None
        if not self._sync_scripts:
            self._warn_sync_unusable()
            return None
        if not self._health.begin():
            return None
        run = functools.partial(self._sync_scripts[script], keys=[self.key(bucket)], args=args)
        try:
            future = self._executor.submit(run)
        except RuntimeError:  # closed concurrently
            self._health.abandon()
            return None
        done, _ = concurrent.futures.wait([future], timeout=limit)
        if not done:
            future.cancel()
            self._timed_out(limit, by_caller)
            return None
        error = future.exception()
        if error is not None:
            self._health.failed(describe(error))
            return None
        self._health.succeeded()
        return future.result()

    async def _call_async(
        self, script: int, bucket: Bucket, args: Sequence[float], caller_timeout: float | None
    ) -> Any:
        limit, by_caller = self._limit(caller_timeout)
        if limit <= 0:
            return None
        scripts = self._async_scripts()
        if scripts is None:  # not on asyncio, or only a sync client: a worker thread talks
            if not self._sync_scripts:
                return None
            call = functools.partial(self._call_sync, script, bucket, args, caller_timeout)
            return await anyio.to_thread.run_sync(call)
        if not self._health.begin():
            return None
        try:
            async with asyncio.timeout(limit) as scope:
                answer = await scripts[script](keys=[self.key(bucket)], args=args)
        except Exception as exc:
            if scope.expired():
                self._timed_out(limit, by_caller)
            else:
                self._health.failed(describe(exc))
            return None
        except BaseException:
            self._health.abandon()
            raise
        self._health.succeeded()
        return answer

    def _async_scripts(self) -> Sequence[Any] | None:
        if sniffio.current_async_library() != "asyncio":
            return None
        if self._fixed_async:
            return self._fixed_async
        if self._url is None:
            return None
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._per_loop.get(loop)
            if entry is None:
                for old in [old for old in self._per_loop if old.is_closed()]:
                    del self._per_loop[old]  # its loop is gone; so are its connections' uses
                redis = import_redis()
                options = self._options(redis.asyncio.retry.Retry)
                client = redis.asyncio.Redis.from_url(self._url, **options)
                entry = self._per_loop[loop] = (client, self._scripts(client))
        return entry[1]

    def _warn_sync_unusable(self) -> None:
        if not self._warned_sync_unusable:
            self._warned_sync_unusable = True
            LOGGER.warning(
                "RedisRateBudget was given a redis.asyncio client: sync calls pace in-process; "
                "give it a redis:// URL to share the budget from sync and async code"
            )
