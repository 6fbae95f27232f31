"""Poseidon hash, the ethsnarks variant Loopring uses (t=6, 6 full + 52 partial rounds, x^5).

Parameters, derivation and check values are in ``shared/design/loopring-eddsa.md`` section 3:
round constants ``C = chain(b"poseidon_constants", 58)``, a Cauchy MDS matrix from
``chain(b"poseidon_matrix_0000", 12)``, one constant per round added to every state element.
`reference_poseidon` is that specification written plainly (about 1 ms per hash).

`poseidon` computes the same function about four times faster with the standard rewrite of the
partial rounds (Grassi et al., "Poseidon", appendix B), derived once on first use:

- constants: in a partial round only ``state[0]`` goes through the S-box, so the constant added
  to ``state[1:]`` can be moved through the linear layer into the next round; each partial round
  then adds one scalar to ``state[0]`` and the leftover lands in the first closing full round;
- matrices: ``MDS = S_p * diag(1, N_p)`` with ``S_p`` sparse (first row, first column and an
  identity); ``diag(1, N_p)`` commutes with a ``state[0]``-only round, so it is pushed into the
  previous round, ending in the last opening full round's matrix. A partial round then costs 11
  multiplications instead of 36;
- lazy reduction: one ``% Q`` per sum of products, none on the accumulating ``state[1:]``;
  the last round computes ``state[0]`` only.

Example:
    >>> poseidon([1, 2, 3, 4, 5])
    20002669713706407975383835106433032299526979861028476537868281298098601907001
    >>> reference_poseidon([1, 2, 3, 4, 5]) == poseidon([1, 2, 3, 4, 5])
    True
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Sequence
from typing import NamedTuple

__all__ = ["Q", "constants", "mds_matrix", "poseidon", "reference_poseidon"]

Q = 21888242871839275222246405745257275088548364400416034343698204186575808495617
T = 6
FULL_ROUNDS = 6
PARTIAL_ROUNDS = 52
ROUNDS = FULL_ROUNDS + PARTIAL_ROUNDS
_HALF = FULL_ROUNDS // 2

Matrix = list[list[int]]
_Sparse = tuple[int, int, int, int, int, int, int, int, int, int, int, int]
"""A partial round: ``(k, a, x1..x5, y1..y5)``, see `_partial_rounds`."""


class _Plan(NamedTuple):
    head: list[tuple[list[int], Matrix]]  # opening full rounds: (constants, matrix)
    partial: list[_Sparse]
    tail: list[tuple[list[int], Matrix]]  # closing full rounds


def _h(value: bytes | int) -> int:
    data = value if isinstance(value, bytes) else value.to_bytes(32, "little")
    return int.from_bytes(hashlib.blake2b(data, digest_size=32).digest(), "little")


def _chain(seed: bytes, count: int) -> Iterator[int]:
    state: bytes | int = seed
    for _ in range(count):
        state = _h(state)  # the next hash takes the unreduced integer
        yield state % Q


@functools.cache
def constants() -> tuple[int, ...]:
    """Return the 58 round constants ``C`` (one per round)."""
    return tuple(_chain(b"poseidon_constants", ROUNDS))


@functools.cache
def mds_matrix() -> tuple[tuple[int, ...], ...]:
    """Return the 6x6 Cauchy MDS matrix ``MDS[i][j] = 1 / (c[i] - c[6 + j]) mod Q``."""
    c = list(_chain(b"poseidon_matrix_0000", 2 * T))
    return tuple(tuple(pow(c[i] - c[T + j], -1, Q) for j in range(T)) for i in range(T))


def _state(inputs: Sequence[int]) -> list[int]:
    if len(inputs) > T - 1:
        raise ValueError(f"Poseidon takes at most {T - 1} inputs")
    return [x % Q for x in inputs] + [0] * (T - len(inputs))


def reference_poseidon(inputs: Sequence[int]) -> int:
    """Hash up to 5 field elements exactly as specified (slow; the oracle for `poseidon`)."""
    state = _state(inputs)
    for i, c in enumerate(constants()):
        state = [x + c for x in state]
        if i < _HALF or i >= _HALF + PARTIAL_ROUNDS:
            state = [pow(x, 5, Q) for x in state]
        else:
            state[0] = pow(state[0], 5, Q)
        state = [sum(m * x for m, x in zip(row, state, strict=True)) % Q for row in mds_matrix()]
    return state[0]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[i][k] * b[k][j] for k in range(T)) % Q for j in range(T)] for i in range(T)]


def _matvec(m: Matrix, v: list[int]) -> list[int]:
    return [sum(x * y for x, y in zip(row, v, strict=True)) % Q for row in m]


def _solve(a: Matrix, b: list[int]) -> list[int]:
    """Solve ``a * x = b`` mod Q by Gauss-Jordan elimination (``a`` is invertible)."""
    n = len(b)
    rows = [[*a[i], b[i]] for i in range(n)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] % Q)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        inv = pow(rows[col][col], -1, Q)
        rows[col] = [x * inv % Q for x in rows[col]]
        for r in range(n):
            if r != col and rows[r][col]:
                f = rows[r][col]
                rows[r] = [(x - f * y) % Q for x, y in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] for i in range(n)]


def _partial_constants(mds: Matrix) -> tuple[list[int], list[int]]:
    """Return each partial round's ``state[0]`` constant and the carry into the next full round."""
    c = constants()
    carry, scalars = [0] * T, []
    for p in range(PARTIAL_ROUNDS):
        vector = [c[_HALF + p] + x for x in carry]
        scalars.append(vector[0] % Q)
        carry = _matvec(mds, [0, *vector[1:]])
    return scalars, carry


def _partial_rounds(mds: Matrix, scalars: list[int]) -> tuple[list[_Sparse], Matrix]:
    """Factor each partial round's matrix as sparse * diag(1, N), last round first.

    Returns the sparse rounds ``(k, a, x1..x5, y1..y5)`` meaning ``s0 = a*s0 + sum(x*s[1:])``,
    ``s[j] += y[j]*s0_sbox``, and the matrix ``diag(1, N_0)`` left for the last opening round.
    """
    rounds: list[_Sparse] = []
    current = mds
    for p in reversed(range(PARTIAL_ROUNDS)):
        n_hat = [row[1:] for row in current[1:]]
        x = _solve([list(col) for col in zip(*n_hat, strict=True)], current[0][1:])
        y = [row[0] for row in current[1:]]
        rounds.append((scalars[p], current[0][0], *x, *y))  # type: ignore[arg-type]
        current = _matmul([[1] + [0] * (T - 1)] + [[0, *row] for row in n_hat], mds)
    rounds.reverse()
    return rounds, current


@functools.cache
def _plan() -> _Plan:
    c = constants()
    mds = [list(row) for row in mds_matrix()]
    scalars, carry = _partial_constants(mds)
    partial, entry = _partial_rounds(mds, scalars)
    head = [([c[i]] * T, mds) for i in range(_HALF - 1)] + [([c[_HALF - 1]] * T, entry)]
    closing = [(c[_HALF + PARTIAL_ROUNDS] + x) % Q for x in carry]
    tail = [(closing, mds)] + [([c[i]] * T, mds) for i in range(ROUNDS - _HALF + 1, ROUNDS - 1)]
    tail.append(([c[ROUNDS - 1]] * T, mds[:1]))  # only state[0] of the last round is needed
    return _Plan(head, partial, tail)


def _full_round(state: list[int], consts: list[int], matrix: Matrix) -> list[int]:
    sboxed = []
    for v, k in zip(state, consts, strict=True):
        v += k
        v2 = v * v % Q
        sboxed.append(v2 * v2 % Q * v % Q)
    t0, t1, t2, t3, t4, t5 = sboxed
    return [
        (r0 * t0 + r1 * t1 + r2 * t2 + r3 * t3 + r4 * t4 + r5 * t5) % Q
        for r0, r1, r2, r3, r4, r5 in matrix
    ]


def poseidon(inputs: Sequence[int]) -> int:
    """Hash up to 5 field elements; the result is ``state[0]`` after all 58 rounds."""
    plan = _plan()
    state = _state(inputs)
    for consts, matrix in plan.head:
        state = _full_round(state, consts, matrix)
    s0, s1, s2, s3, s4, s5 = state
    for k, a, x1, x2, x3, x4, x5, y1, y2, y3, y4, y5 in plan.partial:
        v = s0 + k
        v2 = v * v % Q
        v = v2 * v2 % Q * v % Q
        s0 = (a * v + x1 * s1 + x2 * s2 + x3 * s3 + x4 * s4 + x5 * s5) % Q
        s1 += y1 * v  # lazy: reduced by the next full round
        s2 += y2 * v
        s3 += y3 * v
        s4 += y4 * v
        s5 += y5 * v
    state = [s0, s1 % Q, s2 % Q, s3 % Q, s4 % Q, s5 % Q]
    for consts, matrix in plan.tail:
        state = _full_round(state, consts, matrix)
    return state[0]
