"""Loopring's published known answers, one test per case, intermediates asserted (see the JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from venuekit._signing import _babyjubjub as bj
from venuekit._signing import _poseidon, loopring

VECTORS = json.loads(
    (Path(__file__).parents[1] / "data" / "loopring_known_answers.json").read_text()
)


def _int(text: str) -> int:
    return int(text, 0) if text.startswith("0x") else int(text)


def _case_ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["id"] for case in cases]


@pytest.mark.parametrize("case", VECTORS["poseidon"], ids=_case_ids(VECTORS["poseidon"]))
def test_poseidon_checks(case: dict[str, Any]) -> None:
    published = case["published"]
    inputs = [_int(x) for x in published["inputs"]]
    assert _poseidon.constants()[0] == _int(published["C0"])
    assert _poseidon.mds_matrix()[0][0] == _int(published["MDS00"])
    assert _poseidon.reference_poseidon(inputs) == _int(published["output"])
    assert _poseidon.poseidon(inputs) == _int(published["output"])


@pytest.mark.parametrize("case", VECTORS["signatures"], ids=_case_ids(VECTORS["signatures"]))
def test_signature_vector(case: dict[str, Any]) -> None:
    expected = {**case["derived"], **case["published"]}
    key = loopring.parse_private_key(expected["private_key"])
    if "url" in expected:
        base = loopring.signature_base(
            method=expected["method"],
            url=expected["url"],
            params=[tuple(pair) for pair in expected["params"]],
        )
        assert base == expected["signature_base"]
        msg = loopring.message(base)
        assert msg == _int(expected["message"])
    else:
        msg = _int(expected["message"])
    assert loopring.nonce(key, msg) == _int(expected["nonce"])
    r_x, r_y, s = loopring.signature_parts(key, msg)
    assert (r_x, r_y, s) == (_int(expected["R_x"]), _int(expected["R_y"]), _int(expected["S"]))
    header = loopring.sign(key, msg)
    assert header == f"0x{r_x:064x}{r_y:064x}{s:064x}"
    if "signature" in expected:
        assert header == expected["signature"]
    assert loopring.verify(loopring.public_key(key), msg, header)


@pytest.mark.parametrize(
    "case", VECTORS["key_derivation"], ids=_case_ids(VECTORS["key_derivation"])
)
def test_key_derivation(case: dict[str, Any]) -> None:
    published = case["published"]
    key = loopring.parse_private_key(published["private_key"])
    expected = (_int(published["public_key_x"]), _int(published["public_key_y"]))
    assert loopring.public_key(key) == expected
    assert bj.to_affine(bj.mul(bj.B, key)) == expected  # variable-base path agrees


def test_curve_constants_make_the_addition_law_complete() -> None:
    # a square and d non-square: the unified formulas have no exceptional case.
    assert pow(bj.A_COEFF, (bj.Q - 1) // 2, bj.Q) == 1
    assert pow(bj.D_COEFF, (bj.Q - 1) // 2, bj.Q) == bj.Q - 1
    assert bj.is_on_curve(bj.B)
    assert bj.equal(bj.base_mul(bj.L_ORDER), bj.IDENTITY)
