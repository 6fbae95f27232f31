"""Clock skew: offset estimates from a server time and from ``Date`` headers, and when to apply."""

from __future__ import annotations

import email.utils
import random
import threading

import pytest

from venuekit import _constants as c
from venuekit._clock import (
    ClockOffset,
    offset_from_date_header,
    offset_from_server_time,
    should_apply,
)


def test_offset_from_server_time_uses_the_round_trip_midpoint() -> None:
    assert offset_from_server_time(1003.5, sent_at=1000.0, received_at=1001.0) == 3.0
    assert offset_from_server_time(999.0, sent_at=1000.0, received_at=1000.0) == -1.0
    with pytest.raises(ValueError, match="before"):
        offset_from_server_time(1.0, sent_at=2.0, received_at=1.0)
    with pytest.raises(ValueError, match="finite"):
        offset_from_server_time(float("nan"), sent_at=1.0, received_at=1.0)


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 14 Nov 2023 22:13:23 GMT",  # IMF-fixdate (what servers send)
        "Tuesday, 14-Nov-23 22:13:23 GMT",  # obsolete RFC 850 form
        "Tue Nov 14 22:13:23 2023",  # obsolete asctime form, GMT by definition
    ],
)
def test_offset_from_date_header_accepts_the_three_http_date_forms(date: str) -> None:
    # 1700000003 is 22:13:23; the server was somewhere in that second: the middle is used
    assert offset_from_date_header(date, received_at=1_700_000_000.5) == 3.0


@pytest.mark.parametrize("date", [None, "", "  ", "yesterday", "Tue, 32 Nov 2023 22:13:23 GMT"])
def test_offset_from_date_header_rejects_garbage(date: str | None) -> None:
    assert offset_from_date_header(date, received_at=0.0) is None


def test_date_header_estimate_is_good_to_about_one_second() -> None:
    """A server 3 s ahead, random sub-second phases and latency: always within the uncertainty."""
    rng = random.Random(5)
    for _ in range(500):
        client_now = 1_700_000_000 + rng.uniform(0, 1000)
        latency = rng.uniform(0, 0.2)
        header = email.utils.formatdate(client_now + 3.0, usegmt=True)  # server formats its time
        estimate = offset_from_date_header(header, received_at=client_now + latency)
        assert estimate is not None
        assert abs(estimate - 3.0) <= c.CLOCK_DATE_HEADER_UNCERTAINTY


def test_should_apply_needs_a_change_beyond_the_uncertainty() -> None:
    assert should_apply(3.0, current=0.0, uncertainty=1.0)
    assert not should_apply(0.9, current=0.0, uncertainty=1.0)
    assert should_apply(-2.0, current=0.0, uncertainty=1.0)
    assert not should_apply(0.01, current=0.0, uncertainty=0.0)  # below CLOCK_MIN_ADJUSTMENT
    assert should_apply(0.2, current=0.0, uncertainty=0.0)


def test_clock_offset_applies_by_policy_and_force() -> None:
    offset = ClockOffset()
    assert offset.seconds == 0.0
    assert not offset.measured
    assert not offset.observe_date_header("Thu, 01 Jan 1970 00:00:10 GMT", received_at=10.2)
    assert offset.measured  # observed, but +0.3 s from a Date header is noise
    assert offset.seconds == 0.0
    assert offset.observe_date_header("Thu, 01 Jan 1970 00:00:13 GMT", received_at=10.5)
    assert offset.seconds == 3.0
    # a precise server time moves it by 0.3 s; a Date header saying the same would not
    assert offset.observe_server_time(1003.3, sent_at=1000.0, received_at=1000.2) is True
    assert offset.seconds == pytest.approx(3.2)
    assert not offset.observe_date_header(None, received_at=0.0)
    # after a timestamp-expired answer the client applies whatever it measures
    assert offset.observe_date_header("Thu, 01 Jan 1970 00:00:13 GMT", received_at=10.0, force=True)
    assert offset.seconds == 3.5
    assert offset.now(clock=lambda: 100.0) == 103.5


def test_clock_offset_set_and_validation() -> None:
    offset = ClockOffset(1.5)
    assert repr(offset) == "ClockOffset(1.5)"
    offset.set(-2.0)
    assert offset.seconds == -2.0
    with pytest.raises(ValueError, match="finite"):
        offset.set(float("inf"))
    with pytest.raises(ValueError, match="finite"):
        ClockOffset(float("nan"))
    with pytest.raises(ValueError, match="finite"):
        offset.update(float("nan"), uncertainty=0.0)


def test_clock_offset_is_safe_across_threads() -> None:
    offset = ClockOffset()
    barrier = threading.Barrier(8)

    def worker(value: float) -> None:
        barrier.wait()
        for _ in range(200):
            offset.update(value, uncertainty=0.0, force=True)
            assert offset.seconds in {float(v) for v in range(8)}

    threads = [threading.Thread(target=worker, args=(float(v),)) for v in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert offset.seconds in {float(v) for v in range(8)}
