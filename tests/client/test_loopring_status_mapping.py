"""A Loopring error code without a specific meaning never hides what the HTTP status says.

Found by the cassette recording: the sandbox answers an injected 500 with ``resultInfo`` code
100000 ("unknown"), which must stay a retryable ``VenueUnavailable``, not a plain ``VenueError``.
"""

from __future__ import annotations

import httpx
import pytest

from venuekit import errors
from venuekit._venues import RawResponse, interpret, loopring

LOOPRING = loopring.prepare_cancel(account_id=1, order_hash="0xabc")


def _answer(status: int, body: bytes) -> None:
    raw = RawResponse(status_code=status, headers=httpx.Headers(), content=body, now=1000.0)
    interpret(LOOPRING, raw)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            500,
            b'{"resultInfo": {"code": 100000, "message": "unknown error"}}',
            errors.VenueUnavailable,
        ),
        (503, b'{"code": 100000, "msg": "unknown error"}', errors.VenueUnavailable),
        (502, b'{"resultInfo": {"code": 123456, "message": "new code"}}', errors.VenueUnavailable),
        (429, b'{"resultInfo": {"code": 100000, "message": "too many"}}', errors.RateLimited),
        (400, b'{"resultInfo": {"code": 100000, "message": "unknown error"}}', errors.VenueError),
        (
            500,
            b'{"resultInfo": {"code": 107003, "message": "order does not exist"}}',
            errors.OrderNotFound,
        ),
    ],
)
def test_status_decides_when_the_code_has_no_specific_meaning(
    status: int, body: bytes, expected: type[errors.VenueError]
) -> None:
    with pytest.raises(expected) as caught:
        _answer(status, body)
    assert type(caught.value) is expected
    assert caught.value.status_code == status
