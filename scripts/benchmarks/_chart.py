"""The README chart: cancel latency (Exchange, Deribit), import time, bulk, and the venue's limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["draw_chart"]

#: title, bar labels, values, label format, optional (target line, its label)
_Panel = tuple[str, list[str], list[float], str, tuple[float, str] | None]
_COLOURS = {
    "venuekit": "#2b6cb0",
    "raw httpx": "#718096",
    "ccxt": "#dd6b20",
    "httpx": "#718096",
    "venuekit gateway": "#63b3ed",
    "raw httpx gateway": "#a0aec0",
}


def _bars(
    axis: Any, labels: list[str], values: list[float], fmt: str, target: tuple[float, str] | None
) -> None:
    colours = [_COLOURS.get(label.replace("\n", " "), "#4a5568") for label in labels]
    bars = axis.bar(labels, values, color=colours, width=0.6)
    axis.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2, fontsize=8)
    top = max([*values, target[0] if target else 0.0])
    axis.set_ylim(0, top * 1.4 if top else 1)
    if target is not None:
        line = axis.axhline(target[0], color="#c53030", linestyle="--", linewidth=1)
        line.set_label(target[1] if "yardstick" in target[1] else f"target: {target[1]}")
        axis.legend(loc="upper left", fontsize=7, frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    axis.tick_params(axis="x", labelsize=8)
    axis.tick_params(axis="y", labelsize=8)


def draw_chart(results: dict[str, Any], path: Path) -> None:
    """Draw ``path`` (PNG) from the results dictionary written to results.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: list[_Panel] = []
    for key, venue in (("single_cancel", "Coinbase Exchange"), ("deribit_cancel", "Deribit")):
        single = results.get(key)
        if not single:
            continue
        names = [n for n, c in single["contenders"].items() if c["latency_ms"]]
        values = [single["contenders"][n]["latency_ms"]["median"] for n in names]
        raw = single["contenders"].get("raw httpx", {}).get("latency_ms")
        line = "1.10x raw httpx" if key == "single_cancel" else "1.10x raw httpx (yardstick)"
        target = (raw["median"] * 1.10, line) if raw else None
        title = f"{venue} cancel, median ms\n(loopback; lower is better)"
        labels = [n.replace(" gateway", "\ngateway") for n in names]
        panels.append((title, labels, values, "{:.2f}", target))
    imports = results.get("imports")
    if imports:
        names = list(imports["modules"])
        # The same statistic as the verdict: the median of per-round (paired) ratios to httpx,
        # which cancels this machine's drift between runs better than a ratio of medians.
        values = [imports["modules"][n]["over_httpx"] for n in names]
        title = "import time vs httpx\n(paired runs; lower is better)"
        panels.append((title, names, values, "{:.2f}x", (1.5, "1.5x httpx")))
    bulk = results.get("bulk")
    if bulk and bulk.get("available"):
        names = ["loopback"]
        values = [bulk["ratio"]]
        if "latency_ratio" in bulk:
            names.append("20 ms delay")
            values.append(bulk["latency_ratio"])
        title = "cancel_many / sequential\n(information; no target)"
        panels.append((title, names, values, "{:.1f}x", None))
    limit = results.get("limit")
    if limit and limit.get("available"):
        names, values = [], []
        for key, row in limit["runs"].items():
            if key == "one_process":
                names.append("1 process")
            elif key == "shared_store":
                names.append(f"{row['processes']} procs\n+ store")
            else:
                names.append(f"1 process,\nmargin {row['margin']:.0%}")
            values.append(row["share_of_limit"] * 100)
        hits = sum(row["self_caused_429s"] for row in limit["runs"].values())
        title = f"bulk at the venue's limit\n(% of 30 + 15/s x time; {hits} 429s)"
        panels.append((title, names, values, "{:.1f}%", (97.0, "97% aim")))

    figure, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), dpi=110)
    axes_list = list(axes) if len(panels) > 1 else [axes]
    for axis, (title, names, values, fmt, target) in zip(axes_list, panels, strict=True):
        _bars(axis, names, values, fmt, target)
        axis.set_title(title, fontsize=9)
    machine = results["machine"]
    figure.suptitle(
        f"venuekit {machine['venuekit']} vs raw httpx {machine['httpx']} vs ccxt "
        f"{machine['ccxt']} — local uvicorn sandbox, Python {machine['python']}, "
        f"{machine['cpu_count']} CPUs",
        fontsize=8,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
