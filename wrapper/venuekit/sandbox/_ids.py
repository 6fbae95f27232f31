"""Ids the sandbox makes up: UUIDs from its seeded generator and INTX ids in the real form.

Example: ``_intx_order_id(random.Random(7), "recorded")`` (``[0-9a-z]{8}-1-0``)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Literal, TypeVar

__all__ = ["IntxIdForm"]

#: ``recorded``: ids like the venue's recorded ones (``2v2ckc1g-1-0``); ``numeric``: 17 digits.
IntxIdForm = Literal["recorded", "numeric"]

T = TypeVar("T")


def _given(value: T | None, make: Callable[[], T]) -> T:
    """Return ``value``, or a generated one when it is None."""
    return make() if value is None else value


def _uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_ORDER_UUIDS = uuid.UUID("5a4db0c0-0000-4000-8000-0000000000a0")  # uuid5 namespace, ours


def _intx_order_id(rng: random.Random, form: IntxIdForm) -> str:
    """A fresh INTX order id, ``[0-9a-z]{8}-1-0`` or 17 digits, from one draw of 17 digits
    (a seed gives the same orders whatever the form; ``numeric`` gives the ids of old)."""
    number = rng.randrange(10**16, 10**17)
    if form == "numeric":
        return str(number)
    digits = [_BASE36[number // 36**i % 36] for i in range(8)]
    return "".join(digits) + "-1-0"
