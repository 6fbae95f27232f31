"""The shared rate budget against a real valkey-server: decisions, sharing, pause, fail-open.

Every store here is a ``valkey-server`` process started by the fixtures in
tests/support/valkey_server.py on a free 127.0.0.1 port; no fake store, no mock. Slot times come
from the server's own clock (``Booking.at``), so the assertions count slots, not wall-clock speed.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import budget_worker
import pytest
import redis
import redis.asyncio
from valkey_server import ValkeyServer, free_port

from venuekit._ratelimit import Bucket, RateLimit, RateLimiter, TokenBucket, key_id
from venuekit._ratelimit_store import Booking, RedisRateBudget

EPS = 2e-6  # the store keeps microseconds; Booking.at is a float of ~1.8e9 seconds
LOGGER = "venuekit.ratelimit"
PATIENT = 5.0  # store timeout for tests that need the store's answer even on a loaded machine


def fresh_bucket(limit: RateLimit, venue: str = "coinbase_exchange") -> Bucket:
    """A bucket no other test uses (the session's server is shared)."""
    return Bucket(venue, key_id(f"api-key-{uuid.uuid4()}", b"api-secret"), limit)


def venue_accepts_all(arrivals: Sequence[float], limit: RateLimit) -> bool:
    """Replay arrivals through the venue's token bucket (as the sandbox's ``TokenBuckets``)."""
    tokens, last = float(limit.burst), None
    for t in sorted(arrivals):
        if last is not None:
            tokens = min(float(limit.burst), tokens + (t - last) * limit.rate)
        last = t
        if tokens < 1.0 - 1e-4:  # microsecond rounding of the store's slots
            return False
        tokens -= 1.0
    return True


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING
    ]


class Driver:
    """One ``RedisRateBudget`` driven through its sync or its async methods."""

    def __init__(self, mode: str, store: Any, **options: Any) -> None:
        self.mode = mode
        self.runner = asyncio.Runner() if mode == "async" else None
        self.budget = RedisRateBudget(store, **options)

    def book(self, bucket: Bucket, *, timeout: float | None = None) -> Booking:
        if self.runner is None:
            return self.budget.book(bucket, timeout=timeout)
        return self.runner.run(self.budget.book_async(bucket, timeout=timeout))

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float:
        if self.runner is None:
            return self.budget.reserve(bucket, timeout=timeout)
        return self.runner.run(self.budget.reserve_async(bucket, timeout=timeout))

    def pause(self, bucket: Bucket, seconds: float) -> None:
        if self.runner is None:
            self.budget.pause(bucket, seconds)
        else:
            self.runner.run(self.budget.pause_async(bucket, seconds))

    def close(self) -> None:
        if self.runner is None:
            self.budget.close()
        else:
            self.runner.run(self.budget.aclose())
            self.runner.close()


MODES = ["sync", "async"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def drivers() -> Iterator[Callable[..., Driver]]:
    """Make drivers; close them all after the test."""
    made: list[Driver] = []

    def make(mode: str, store: Any, **options: Any) -> Driver:
        made.append(Driver(mode, store, **options))
        return made[-1]

    yield make
    for driver in made:
        driver.close()


# --- decisions ---------------------------------------------------------------------------------


def test_store_decisions_match_the_in_process_bucket(
    valkey_server: ValkeyServer, mode: str, drivers: Callable[..., Driver]
) -> None:
    limit = RateLimit(rate=1, burst=5)  # slow: 25 calls arrive long before the slots run out
    bucket = fresh_bucket(limit)
    driver = drivers(mode, valkey_server.url, timeout=PATIENT)
    bookings = [driver.book(bucket) for _ in range(25)]
    assert {b.source for b in bookings} == {"store"}
    # the same requests, at the same (server) times, through the in-process TokenBucket
    reference = TokenBucket(limit.rate, limit.burst)
    assert bookings[0].at is not None
    origin = bookings[0].at - bookings[0].wait
    for booking in bookings:
        assert booking.at is not None
        arrived = booking.at - booking.wait - origin
        assert booking.wait == pytest.approx(reference.reserve(arrived), abs=EPS)
    # burst, then the rate: five slots at once, then one every second from the first
    starts = [b.at for b in bookings if b.at is not None]
    assert [b.wait for b in bookings[:5]] == [0.0] * 5
    assert starts[5] - starts[0] == pytest.approx(1.0, abs=EPS)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts[5:])]
    assert gaps == pytest.approx([1.0] * 19, abs=EPS)


def test_store_answers_reach_reserve_and_survive_a_script_flush(
    valkey_server: ValkeyServer, mode: str, drivers: Callable[..., Driver]
) -> None:
    bucket = fresh_bucket(RateLimit(rate=4, burst=1))
    driver = drivers(mode, valkey_server.url, timeout=PATIENT)
    first = driver.book(bucket)
    assert first.source == "store"
    assert first.wait == 0.0
    with redis.Redis.from_url(valkey_server.url) as probe:
        probe.script_flush()  # what a restarted server looks like: EVALSHA gets NOSCRIPT
    booking = driver.book(bucket)
    assert booking.source == "store"
    # The bucket survived the flush: the next slot is one interval (1/4 s) after the first, on
    # the server's clock, however long the flush and the reload took in between.
    assert first.at is not None
    assert booking.at is not None
    assert booking.at - first.at == pytest.approx(0.25, abs=EPS)
    assert 0.0 < booking.wait <= 0.25


def test_threads_sharing_one_budget_get_distinct_slots(valkey_server: ValkeyServer) -> None:
    limit = RateLimit(rate=50, burst=10)
    bucket = fresh_bucket(limit)
    budget = RedisRateBudget(valkey_server.url, timeout=PATIENT)
    bookings: list[Booking] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [budget.book(bucket) for _ in range(20)]
        with lock:
            bookings.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    budget.close()
    starts = [b.at for b in bookings if b.source == "store" and b.at is not None]
    assert len(starts) == 160
    assert venue_accepts_all(starts, limit)
    queued = sorted(b.at for b in bookings if b.wait > 0 and b.at is not None)
    gaps = [later - earlier for earlier, later in itertools.pairwise(queued)]
    assert min(gaps) >= 1 / limit.rate - EPS  # no two threads got the same slot


# --- several processes share one bucket ----------------------------------------------------------


def test_processes_sharing_a_bucket_never_exceed_it_together(valkey_server: ValkeyServer) -> None:
    """Four OS processes (two sync, two async) book 40 slots each of one bucket."""
    limit = RateLimit(rate=20, burst=10)
    bucket = fresh_bucket(limit)
    context = multiprocessing.get_context("spawn")
    modes = ["sync", "sync", "async", "async"]
    barrier = context.Barrier(len(modes))
    results = context.Queue()
    fields = (bucket.venue, bucket.key_id, limit.rate, limit.burst)
    processes = [
        context.Process(
            target=budget_worker.book_slots,
            args=(valkey_server.url, fields, 40, mode, barrier, results),
            daemon=True,
        )
        for mode in modes
    ]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=180) for _ in processes]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    assert sorted(mode for mode, _ in reports) == sorted(modes)
    starts = [s for _, slots in reports for s in slots]
    assert len(starts) == 160
    assert None not in starts, "a child booked from its fallback: the store did not answer"
    shared: list[float] = [s for s in starts if s is not None]
    # together they never exceed the bucket: the venue's own bucket accepts every slot ...
    assert venue_accepts_all(shared, limit)
    # ... and they use it: 160 slots take (160 - burst) / rate seconds, not more
    span = max(shared) - min(shared)
    assert (160 - limit.burst) / limit.rate - EPS <= span <= (160 - limit.burst) / limit.rate + 1.0
    # without the store, four in-process limiters each allow the whole bucket: 4x too much
    alone = [TokenBucket(limit.rate, limit.burst) for _ in modes]
    separate = [b.reserve(0.0) for b in alone for _ in range(40)]
    assert not venue_accepts_all(separate, limit)


# --- pause ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("pauser", MODES)
def test_pause_holds_the_bucket_for_every_client(
    valkey_server: ValkeyServer, pauser: str, drivers: Callable[..., Driver]
) -> None:
    bucket = fresh_bucket(RateLimit(rate=10, burst=10))
    other = drivers("sync", valkey_server.url, timeout=PATIENT)
    assert other.reserve(bucket) == 0.0
    drivers(pauser, valkey_server.url, timeout=PATIENT).pause(bucket, 30.0)
    first, second = other.book(bucket), other.book(bucket)
    assert first.source == second.source == "store"
    assert 25.0 < first.wait <= 30.0
    assert first.at is not None
    assert second.at is not None
    assert second.at - first.at == pytest.approx(0.1, abs=EPS)  # then the rate, no burst
    other.pause(bucket, 1.0)  # a shorter pause does not shorten the longer one
    third = other.book(bucket)
    assert third.at == pytest.approx(first.at + 0.2, abs=EPS)


# --- keys ------------------------------------------------------------------------------------------


def test_keys_are_namespaced_and_hold_no_api_key(valkey_server: ValkeyServer) -> None:
    api_key, secret = "organizations/org-7/apiKeys/key-7", b"the-api-secret"
    # 0.01/s: one request books 100 s, so the key outlives any pause of a loaded machine
    bucket = Bucket("coinbase_exchange", key_id(api_key, secret), RateLimit(rate=0.01, burst=3))
    budget = RedisRateBudget(valkey_server.url, timeout=PATIENT)
    custom = RedisRateBudget(valkey_server.url, timeout=PATIENT, prefix="team-a:rl")
    try:
        budget.reserve(bucket)
        custom.reserve(bucket)
        key = f"venuekit:rl:v1:coinbase_exchange:{bucket.key_id}"
        assert budget.key(bucket) == key
        assert custom.key(bucket) == f"team-a:rl:coinbase_exchange:{bucket.key_id}"
        with redis.Redis.from_url(valkey_server.url) as probe:
            keys = [k.decode() for k in probe.scan_iter(match="*")]
            assert key in keys
            assert custom.key(bucket) in keys
            for stored in keys:
                assert "key-7" not in stored
                value = probe.get(stored) or b""
                assert b"key-7" not in value
                assert secret not in value
            # the expiry is when the bucket is full again: one interval (100 s) after one request
            assert 90_000 < probe.pttl(key) <= 100_001
    finally:
        budget.close()
        custom.close()


def test_an_idle_bucket_vanishes(valkey_server: ValkeyServer) -> None:
    bucket = fresh_bucket(RateLimit(rate=20, burst=3))
    budget = RedisRateBudget(valkey_server.url, timeout=PATIENT)
    try:
        for _ in range(3):
            budget.reserve(bucket)
        key = budget.key(bucket)
        with redis.Redis.from_url(valkey_server.url) as probe:
            deadline = time.monotonic() + 30.0
            while probe.exists(key) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not probe.exists(key), "an idle bucket must expire"
        assert budget.book(bucket).wait == 0.0  # and a vanished bucket is a full one
    finally:
        budget.close()


# --- fail open -------------------------------------------------------------------------------------


def test_stopped_store_falls_back_in_process_with_one_warning(
    fresh_valkey_server: ValkeyServer,
    mode: str,
    drivers: Callable[..., Driver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    server = fresh_valkey_server
    bucket = fresh_bucket(RateLimit(rate=10, burst=5))
    fallback = RateLimiter(clock=lambda: 0.0)  # frozen clock: the fallback's answers are exact
    driver = drivers(
        mode, server.url, fallback=fallback, timeout=PATIENT, retry_initial=60.0, retry_max=60.0
    )
    assert driver.book(bucket).source == "store"  # burst available: wait 0, mirrored locally
    server.stop()
    bookings = [driver.book(bucket, timeout=PATIENT) for _ in range(20)]
    assert {b.source for b in bookings} == {"fallback"}
    assert {b.at for b in bookings} == {None}
    # paced in-process at the rate; no fresh burst (the store's last answer was mirrored)
    assert [b.wait for b in bookings] == pytest.approx([k / 10 for k in range(20)])
    warnings = warnings_of(caplog)
    assert len(warnings) == 1, warnings
    assert f"127.0.0.1:{server.port}" in warnings[0]
    assert "pacing in-process" in warnings[0]
    assert not driver.budget.store_healthy
    driver.pause(bucket, 3.0)  # a pause during the outage still holds this process
    assert driver.book(bucket).wait == pytest.approx(3.0)
    server.start()
    # the back-off (60 s) is not over: the store is left alone, the fallback keeps pacing
    assert driver.book(bucket).source == "fallback"
    assert len(warnings_of(caplog)) == 1


def test_restarted_store_is_used_again_after_the_back_off(
    fresh_valkey_server: ValkeyServer,
    mode: str,
    drivers: Callable[..., Driver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    server = fresh_valkey_server
    bucket = fresh_bucket(RateLimit(rate=100, burst=100))
    driver = drivers(mode, server.url, timeout=PATIENT, retry_initial=0.1, retry_max=0.2)
    assert driver.book(bucket).source == "store"
    server.stop()
    assert driver.book(bucket).source == "fallback"
    server.start()  # empty, and without the scripts: EVALSHA must load them again
    booking = driver.book(bucket)
    deadline = time.monotonic() + 30.0
    while booking.source != "store" and time.monotonic() < deadline:
        time.sleep(0.05)
        booking = driver.book(bucket)
    assert booking.source == "store"
    assert driver.budget.store_healthy
    # back from the outage the shared bucket resumes at the rate, without a burst (the restarted
    # store is empty, but the venue's bucket was drained by processes pacing alone)
    following = driver.book(bucket)
    assert following.source == "store"
    assert booking.at is not None
    assert following.at is not None
    assert following.at - booking.at == pytest.approx(0.01, abs=EPS)
    assert driver.book(bucket).wait > 0
    assert len(warnings_of(caplog)) == 1
    recovered = [r.getMessage() for r in caplog.records if "answers again after" in r.getMessage()]
    assert len(recovered) == 1
    assert recovered[0].startswith("rate-limit store redis://127.0.0.1")


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (a hung store)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self._listener.close()
        self._thread.join(5)
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_a_store_that_never_answers_costs_at_most_the_callers_timeout(
    silent_server: SilentServer,
    mode: str,
    drivers: Callable[..., Driver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Store timeout 30 s, caller's 0.3 s: the caller's wins, and it is no outage."""
    bucket = fresh_bucket(RateLimit(rate=10, burst=5))
    driver = drivers(mode, silent_server.url, timeout=30.0)
    started = time.monotonic()
    booking = driver.book(bucket, timeout=0.3)
    elapsed = time.monotonic() - started
    assert booking.source == "fallback"
    assert booking.wait == 0.0
    assert elapsed < 10.0, f"held {elapsed:.1f} s: the caller's 0.3 s timeout was not honoured"
    assert len(silent_server.accepted) == 1  # it did try the store
    assert driver.budget.store_healthy  # the caller's own deadline ran out, not the store's
    assert warnings_of(caplog) == []


def test_a_silent_store_counts_as_down_after_the_store_timeout(
    silent_server: SilentServer,
    mode: str,
    drivers: Callable[..., Driver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bucket = fresh_bucket(RateLimit(rate=10, burst=5))
    driver = drivers(mode, silent_server.url, timeout=0.3, retry_initial=60.0, retry_max=60.0)
    started = time.monotonic()
    first = driver.book(bucket, timeout=30.0)
    elapsed = time.monotonic() - started
    assert first.source == "fallback"
    assert elapsed < 10.0, f"held {elapsed:.1f} s: the store's 0.3 s timeout was not honoured"
    later = [driver.book(bucket, timeout=30.0) for _ in range(5)]
    assert {b.source for b in later} == {"fallback"}
    assert len(silent_server.accepted) == 1  # during the back-off nobody waits on the store
    warnings = warnings_of(caplog)
    assert len(warnings) == 1
    # our 0.3 s wait or the client's 0.3 s socket timeout, whichever fires first
    assert "no answer within 0.3 s" in warnings[0] or "TimeoutError" in warnings[0]


def test_outage_pacing_can_take_a_share_of_the_limit(drivers: Callable[..., Driver]) -> None:
    """``fallback_share=0.25`` for four processes: an outage paces each at a quarter."""
    refused = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    bucket = fresh_bucket(RateLimit(rate=20, burst=8))
    driver = drivers("sync", refused, fallback=RateLimiter(clock=lambda: 0.0), fallback_share=0.25)
    waits = [driver.reserve(bucket) for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.0, 0.2, 0.4])  # 5/s, burst 2


def test_logs_and_repr_never_show_the_store_password(
    drivers: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://user:hunter2@127.0.0.1:{free_port()}/0"
    driver = drivers("sync", url)
    driver.reserve(fresh_bucket(RateLimit(rate=1, burst=1)))
    assert "hunter2" not in repr(driver.budget)
    messages = warnings_of(caplog)
    assert len(messages) == 1
    assert "hunter2" not in messages[0]
    assert "***@127.0.0.1" in messages[0]


# --- clients passed in ----------------------------------------------------------------------------


def test_a_ready_sync_client_serves_sync_and_async_callers(valkey_server: ValkeyServer) -> None:
    client = redis.Redis.from_url(valkey_server.url, socket_timeout=PATIENT)
    bucket = fresh_bucket(RateLimit(rate=10, burst=1))
    budget = RedisRateBudget(client, timeout=PATIENT)
    assert budget.book(bucket).source == "store"

    async def from_async() -> Booking:
        return await budget.book_async(bucket)

    assert asyncio.run(from_async()).source == "store"  # through a worker thread
    budget.close()
    assert client.ping()  # not ours to close
    client.close()


def test_a_ready_async_client_serves_async_callers_only(
    valkey_server: ValkeyServer, caplog: pytest.LogCaptureFixture
) -> None:
    bucket = fresh_bucket(RateLimit(rate=10, burst=1))

    async def main() -> tuple[Booking, Booking, bool]:
        client = redis.asyncio.Redis.from_url(valkey_server.url)
        budget = RedisRateBudget(client, timeout=PATIENT)
        from_async = await budget.book_async(bucket)
        from_sync = budget.book(bucket)
        await budget.aclose()
        alive = bool(await client.ping())
        await client.aclose()
        return from_async, from_sync, alive

    from_async, from_sync, alive = asyncio.run(main())
    assert from_async.source == "store"
    assert from_sync.source == "fallback"
    assert alive
    assert any("redis.asyncio client" in m for m in warnings_of(caplog))


def test_a_ready_client_without_socket_timeout_is_warned_about(
    valkey_server: ValkeyServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis.Redis.from_url(valkey_server.url)
    RedisRateBudget(client).close()
    client.close()
    assert any("socket_timeout" in m for m in warnings_of(caplog))


# --- construction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("store", "options", "error"),
    [
        ("http://127.0.0.1:6379", {}, ValueError),
        (6379, {}, TypeError),
        ("redis://127.0.0.1:6379/0", {"prefix": "has space"}, ValueError),
        ("redis://127.0.0.1:6379/0", {"fallback_share": 0}, ValueError),
        ("redis://127.0.0.1:6379/0", {"timeout": 0}, ValueError),
        ("redis://127.0.0.1:6379/0", {"retry_initial": 5, "retry_max": 1}, ValueError),
    ],
)
def test_bad_arguments_are_refused(store: Any, options: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        RedisRateBudget(store, **options)


def test_a_closed_budget_refuses_calls() -> None:
    budget = RedisRateBudget(f"redis://127.0.0.1:{free_port()}/0")
    budget.close()
    budget.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        budget.reserve(fresh_bucket(RateLimit(rate=1, burst=1)))


def test_missing_redis_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("redis", "redis.asyncio", "redis.asyncio.retry", "redis.backoff", "redis.retry"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'venuekit\[redis\]'"):
        RedisRateBudget("redis://127.0.0.1:6379/0")


def test_redis_is_imported_only_when_a_budget_is_made() -> None:
    code = "import sys, venuekit, venuekit._ratelimit_store as s; print('redis' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
