"""Baby JubJub twisted Edwards curve arithmetic for Loopring's EdDSA (pure Python, no I/O).

Curve ``a*x^2 + y^2 = 1 + d*x^2*y^2 (mod Q)`` with ``a = 168700``, ``d = 168696`` over the BN254
scalar field. ``a`` is a square and ``d`` is not, so the unified addition formulas below are
complete (no exceptional cases). Points are handled in extended coordinates ``(X, Y, Z, T)`` with
``x = X/Z``, ``y = Y/Z``, ``T = X*Y/Z`` (Hisil-Wong-Carter-Dawson 2008, general-``a`` formulas
``add-2008-hwcd`` and ``dbl-2008-hwcd``; the ``a = -1`` shortcuts do not apply here).

Speed: ``base_mul`` uses a fixed-base table of 8-bit windows (32 x 256 affine points, built once on
first use), so ``k*B`` costs at most 32 mixed additions and no doubling; ``mul`` (any point, used by
signature verification) uses a 4-bit window. One inversion turns a result into affine coordinates.

Example:
    >>> to_affine(base_mul(1)) == B
    True
"""

from __future__ import annotations

import functools

__all__ = [
    "A_COEFF",
    "D_COEFF",
    "E_ORDER",
    "IDENTITY",
    "L_ORDER",
    "B",
    "ExtendedPoint",
    "Point",
    "Q",
    "add",
    "base_mul",
    "equal",
    "is_on_curve",
    "mul",
    "to_affine",
]

Q = 21888242871839275222246405745257275088548364400416034343698204186575808495617
A_COEFF = 168700
D_COEFF = 168696
E_ORDER = 21888242871839275222246405745257275088614511777268538073601725287587578984328
L_ORDER = E_ORDER // 8
B = (
    16540640123574156134436876038791482806971768689494387082833631921987005038935,
    20819045374670962167435360035096875258406992893633759881276124905556507972311,
)

Point = tuple[int, int]
"""An affine point ``(x, y)``, both reduced mod ``Q``."""
ExtendedPoint = tuple[int, int, int, int]
"""A point in extended coordinates ``(X, Y, Z, T)``; values are reduced mod ``Q``."""
_TableEntry = tuple[int, int, int, int]
"""A precomputed affine point as ``(x, y, x + y, d*x*y)`` for mixed additions."""

IDENTITY: ExtendedPoint = (0, 1, 1, 0)
_WINDOW_BITS = 8
_WINDOWS = 32  # 32 * 8 = 256 bits >= bit length of E_ORDER


def is_on_curve(point: Point) -> bool:
    """Tell whether ``point`` is a reduced affine point on the curve."""
    x, y = point
    if not (0 <= x < Q and 0 <= y < Q):
        return False
    xx, yy = x * x, y * y
    return (A_COEFF * xx + yy - 1 - D_COEFF * xx * yy) % Q == 0


def to_affine(point: ExtendedPoint) -> Point:
    """Convert extended coordinates to the affine point (one field inversion)."""
    x, y, z, _ = point
    z_inv = pow(z, -1, Q)
    return x * z_inv % Q, y * z_inv % Q


def equal(p: ExtendedPoint, q: ExtendedPoint) -> bool:
    """Tell whether two points in extended coordinates are the same point."""
    return (p[0] * q[2] - q[0] * p[2]) % Q == 0 and (p[1] * q[2] - q[1] * p[2]) % Q == 0


def add(p: ExtendedPoint, q: ExtendedPoint) -> ExtendedPoint:
    """Add two points in extended coordinates (add-2008-hwcd, general a)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    aa = x1 * x2
    bb = y1 * y2
    cc = D_COEFF * t1 * t2 % Q
    dd = z1 * z2 % Q
    ee = ((x1 + y1) * (x2 + y2) - aa - bb) % Q
    hh = (bb - A_COEFF * aa) % Q
    ff, gg = dd - cc, dd + cc
    return ee * ff % Q, gg * hh % Q, ff * gg % Q, ee * hh % Q


def _add_entry(p: ExtendedPoint, q: _TableEntry) -> ExtendedPoint:
    """Add a precomputed affine point to ``p`` (mixed addition, Z2 = 1)."""
    x1, y1, z1, t1 = p
    x2, y2, s2, dt2 = q
    aa = x1 * x2  # aa and bb stay unreduced: each is reduced inside ee and hh
    bb = y1 * y2
    cc = t1 * dt2 % Q
    ee = ((x1 + y1) * s2 - aa - bb) % Q
    hh = (bb - A_COEFF * aa) % Q
    ff = z1 - cc
    gg = z1 + cc
    return ee * ff % Q, gg * hh % Q, ff * gg % Q, ee * hh % Q


def _double(p: ExtendedPoint) -> ExtendedPoint:
    """Double a point in extended coordinates (dbl-2008-hwcd, general a)."""
    x1, y1, z1, _ = p
    aa = x1 * x1 % Q
    bb = y1 * y1 % Q
    cc = 2 * z1 * z1
    ee = ((x1 + y1) * (x1 + y1) - aa - bb) % Q
    gg = (A_COEFF * aa + bb) % Q
    ff, hh = gg - cc, A_COEFF * aa - bb
    return ee * ff % Q, gg * hh % Q, ff * gg % Q, ee * hh % Q


def _entries(points: list[ExtendedPoint]) -> list[_TableEntry]:
    """Normalize points to table entries with a single inversion (Montgomery's trick)."""
    prefix = [1]
    for point in points:
        prefix.append(prefix[-1] * point[2] % Q)
    inv = pow(prefix[-1], -1, Q)
    out: list[_TableEntry] = [(0, 0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z, _ = points[i]
        z_inv = inv * prefix[i] % Q
        inv = inv * z % Q
        ax, ay = x * z_inv % Q, y * z_inv % Q
        out[i] = (ax, ay, ax + ay, D_COEFF * ax * ay % Q)
    return out


def _multiples(entry: _TableEntry, count: int) -> list[ExtendedPoint]:
    """Return ``[0*P, 1*P, ..., (count-1)*P]`` for the affine point held in ``entry``."""
    out = [IDENTITY]
    for _ in range(count - 1):
        out.append(_add_entry(out[-1], entry))
    return out


def _entry(point: Point) -> _TableEntry:
    x, y = point
    return x, y, x + y, D_COEFF * x * y % Q


@functools.cache
def _base_table() -> tuple[tuple[_TableEntry, ...], ...]:
    """Build ``table[i][j] = j * 256**i * B`` once (about 8k points, one inversion per window)."""
    rows = []
    window_base = _entry(B)
    for _ in range(_WINDOWS):
        row = _entries(_multiples(window_base, 1 << _WINDOW_BITS))
        rows.append(tuple(row))
        last = _add_entry((row[-1][0], row[-1][1], 1, row[-1][0] * row[-1][1] % Q), window_base)
        window_base = _entry(to_affine(last))
    return tuple(rows)


def base_mul(k: int) -> ExtendedPoint:
    """Compute ``k*B`` for ``0 <= k < 2**256`` with the fixed-base window table."""
    point = IDENTITY
    for row, digit in zip(_base_table(), k.to_bytes(_WINDOWS, "little"), strict=True):
        if digit:
            point = _add_entry(point, row[digit])
    return point


def mul(point: Point, k: int) -> ExtendedPoint:
    """Compute ``k*point`` for ``k >= 0`` (4-bit fixed window, left to right)."""
    table = _entries(_multiples(_entry(point), 16)[1:])
    acc = IDENTITY
    for shift in range(((k.bit_length() + 3) // 4 - 1) * 4, -1, -4):
        acc = _double(_double(_double(_double(acc))))
        digit = (k >> shift) & 15
        if digit:
            acc = _add_entry(acc, table[digit - 1])
    return acc
