"""Loopring signing: encoding rule, key parsing, sign/verify properties, optimized vs reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venuekit._signing import _babyjubjub as bj
from venuekit._signing import _poseidon, loopring

URL = "https://api3.loopring.io/api/v3/order"


def test_encoding_rule_double_encodes_values_outside_the_unreserved_set() -> None:
    # Rule (module docstring): PARAMS = k=quote(v, safe="") joined by "&", keys sorted; then the
    # whole PARAMS string is quote()d again. So ' ' -> %20 -> %2520, ',' -> %2C -> %252C.
    value = "a b,c/d%e€~_.-"
    base = loopring.signature_base(
        method="delete", url=URL, params=[("orderHash", value), ("accountId", "7")]
    )
    inner = "accountId=7&orderHash=a%20b%2Cc%2Fd%25e%E2%82%AC~_.-"
    assert inner.replace("%", "%25").replace("=", "%3D").replace("&", "%26") == (
        "accountId%3D7%26orderHash%3Da%2520b%252Cc%252Fd%2525e%25E2%2582%25AC~_.-"
    )
    assert base == (
        "DELETE&https%3A%2F%2Fapi3.loopring.io%2Fapi%2Fv3%2Forder"
        "&accountId%3D7%26orderHash%3Da%2520b%252Cc%252Fd%2525e%25E2%2582%25AC~_.-"
    )
    expected_m = int(hashlib.sha256(base.encode()).hexdigest(), 16) % bj.Q
    assert loopring.message(base) == expected_m


def test_signature_base_sorts_pairs_and_rejects_a_query_in_the_url() -> None:
    unsorted = loopring.signature_base(method="GET", url=URL, params=[("b", "2"), ("a", "1")])
    assert unsorted.endswith("&a%3D1%26b%3D2")
    assert loopring.signature_base(method="GET", url=URL, params=[]).endswith("%2Forder&")
    with pytest.raises(ValueError, match="query"):
        loopring.signature_base(method="GET", url=URL + "?a=1", params=[])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0x1234", 0x1234),
        ("1234", 0x1234),
        ("0X00ff", 255),
        (5, 5),
        (bj.L_ORDER - 1, bj.L_ORDER - 1),
    ],
)
def test_parse_private_key_accepts_hex_and_int(value: str | int, expected: int) -> None:
    assert loopring.parse_private_key(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "0x", "0x12_34", " 0x12", "12g4", "-1", 0, -3, bj.L_ORDER, True, 1.0, f"{bj.L_ORDER:x}"],
)
def test_parse_private_key_rejects_bad_values_without_echoing_them(value: object) -> None:
    with pytest.raises(loopring.InvalidPrivateKeyError) as info:
        loopring.parse_private_key(value)  # type: ignore[arg-type]
    if isinstance(value, str) and len(value) > 2:
        assert value not in str(info.value)


keys = st.integers(min_value=1, max_value=bj.L_ORDER - 1)
messages = st.integers(min_value=0, max_value=bj.Q - 1)


@settings(max_examples=25, deadline=None)
@given(key=keys, msg=messages)
def test_sign_then_verify(key: int, msg: int) -> None:
    public = loopring.public_key(key)
    signature = loopring.sign(key, msg, public=public)
    assert len(signature) == 194
    assert signature == signature.lower()
    assert loopring.verify(public, msg, signature)
    assert not loopring.verify(public, (msg + 1) % bj.Q, signature)


def test_verify_returns_false_on_malformed_input() -> None:
    public = loopring.public_key(9)
    good = loopring.sign(9, 1)
    tampered_s = good[:-1] + ("0" if good[-1] != "0" else "1")
    off_curve = "0x" + "00" * 32 + "00" * 32 + good[130:]
    big_s = good[:130] + f"{bj.E_ORDER:064x}"
    for bad in [
        good[:-1],
        good + "0",
        "0y" + good[2:],
        good[:-2] + "zz",
        tampered_s,
        off_curve,
        big_s,
    ]:
        assert not loopring.verify(public, 1, bad)
    assert not loopring.verify((1, 2), 1, good)
    assert not loopring.verify(public, 1, 123)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=bj.Q - 1), max_size=5))
def test_fast_poseidon_equals_the_reference(inputs: list[int]) -> None:
    assert _poseidon.poseidon(inputs) == _poseidon.reference_poseidon(inputs)


def test_poseidon_rejects_more_than_five_inputs() -> None:
    with pytest.raises(ValueError, match="at most 5"):
        _poseidon.poseidon([1] * 6)


@settings(max_examples=15, deadline=None)
@given(k=st.integers(min_value=0, max_value=2**256 - 1), j=keys)
def test_fixed_base_table_agrees_with_double_and_add(k: int, j: int) -> None:
    assert bj.equal(bj.base_mul(k), bj.mul(bj.B, k))
    assert bj.equal(bj.add(bj.base_mul(k), bj.base_mul(j)), bj.base_mul((k + j) % bj.L_ORDER))
