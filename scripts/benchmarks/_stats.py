"""Small statistics and formatting helpers shared by the benchmark modules."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

__all__ = ["median", "p90", "summary", "verdict"]


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    """The 90th percentile of ``values`` (inclusive method; the value itself with one sample)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p90, mean, min and count of ``values``."""
    return {
        "median": median(values),
        "p90": p90(values),
        "mean": statistics.fmean(values),
        "min": min(values),
        "n": len(values),
    }


def verdict(met: bool) -> str:
    """``met`` or ``MISSED``, for the printed table."""
    return "met" if met else "MISSED"
