"""Measuring a matcher on noisy queries: accuracy@1/@5 and latency per noise type and stage mode.

`evaluate(matcher, queries, modes)` runs every query through each mode ("rule", "semantic", "hybrid")
and returns one row per (mode, noise type) plus an "all" row per mode (every type but the learned
"nickname" type, which needs a taught selection log) with n, accuracy@1, accuracy@5, p50/p99 latency
in ms and, for hybrid, how often the semantic stage decided. `latencies(matcher, queries)` gives the
per-query times alone (the benchmarks use it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from resources.matching.matcher import ItemMatcher
from resources.matching.queries import NoisyQuery

HEADLINE_EXCLUDES = ("nickname",)
ALL = "all"


def _row(mode: str, noise: str, hits1: list[bool], hits5: list[bool], times: list[float], stages: list[str]) -> dict:
    return {
        "mode": mode,
        "noise": noise,
        "n": len(hits1),
        "accuracy_at_1": float(np.mean(hits1)) if hits1 else 0.0,
        "accuracy_at_5": float(np.mean(hits5)) if hits5 else 0.0,
        "p50_ms": float(np.percentile(times, 50)) if times else 0.0,
        "p99_ms": float(np.percentile(times, 99)) if times else 0.0,
        "semantic_share": float(np.mean([s == "semantic" for s in stages])) if stages else 0.0,
    }


def evaluate(
    matcher: ItemMatcher, queries: Sequence[NoisyQuery], modes: Sequence[str] = ("rule", "semantic", "hybrid")
) -> pd.DataFrame:
    """Accuracy and latency per mode and noise type (plus the headline "all" row per mode)."""
    rows = []
    for mode in modes:
        per_type: dict[str, tuple[list[bool], list[bool], list[float], list[str]]] = {}
        for query in queries:
            result = matcher.match(query.query, query.client_code, top_k=5, mode=mode)
            numbers = [c.item_no for c in result.results]
            bucket = per_type.setdefault(query.noise, ([], [], [], []))
            bucket[0].append(bool(numbers) and numbers[0] == query.gold_item_no)
            bucket[1].append(query.gold_item_no in numbers)
            bucket[2].append(result.timing_ms)
            bucket[3].append(result.stage)
        headline: tuple[list[bool], list[bool], list[float], list[str]] = ([], [], [], [])
        for noise, bucket in per_type.items():
            rows.append(_row(mode, noise, *bucket))
            if noise not in HEADLINE_EXCLUDES:
                for whole, part in zip(headline, bucket):
                    whole.extend(part)
        rows.append(_row(mode, ALL, *headline))
    return pd.DataFrame(rows)


def accuracy_table(frame: pd.DataFrame, column: str = "accuracy_at_1") -> pd.DataFrame:
    """Noise types as rows, modes as columns."""
    return frame.pivot(index="noise", columns="mode", values=column)


def accuracy_png(frame: pd.DataFrame) -> bytes:
    """Grouped bars: accuracy@1 per noise type for each mode."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import koreanize_matplotlib  # noqa: F401
    import matplotlib.pyplot as plt

    table = accuracy_table(frame)
    figure, axis = plt.subplots(figsize=(10, 4), dpi=110)
    table.plot.bar(ax=axis, rot=30, ylim=(0, 1.05))
    axis.set_ylabel("accuracy@1")
    axis.set_title("Item matching accuracy@1 per noise type (rule / semantic / hybrid)")
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
