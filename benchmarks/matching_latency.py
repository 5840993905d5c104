"""Benchmark: item matching latency per query at 400 and 100,000 items (p50/p99), hybrid, rule-only and semantic-only.

Usage: .venv/bin/python benchmarks/matching_latency.py [--large 100000] [--queries-per-type 60]
The small master is data/items.csv (424 items); the large one is `generate_large_master` (the
shipped items plus vintage/size/edition variants, seed 12). Each index is built and calibrated as
the `item_index` asset does; the queries are the noisy generator's lines (every type but nickname)
drawn from 1,000 sampled items of that master, one query at a time, timed inside `match` (parsing,
both stages when the rule is unsure, the decision). Accuracy is not reported for the large master:
its variants differ only by vintage or size, so most lines name several items. Writes
benchmarks/results/matching_latency.json.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.matching.index_build import build_calibrated_index  # noqa: E402
from resources.matching.items import Item, read_items  # noqa: E402
from resources.matching.queries import NOISE_TYPES, generate_large_master, generate_queries  # noqa: E402

RESULT = ROOT / "benchmarks/results/matching_latency.json"
MODES = ("hybrid", "rule", "semantic")


def measure(items: list[Item], per_type: int) -> dict[str, object]:
    started = time.perf_counter()
    matcher, _ = build_calibrated_index(items)
    build_seconds = time.perf_counter() - started
    sample = random.Random(7).sample(items, min(1000, len(items)))
    types = [n for n in NOISE_TYPES if n != "nickname"]
    queries = generate_queries(sample, seed=99, per_type=per_type, noise_types=types)
    for query in queries[:50]:  # warm-up
        matcher.match(query.query)
    out: dict[str, object] = {"items": len(items), "queries": len(queries), "build_seconds": round(build_seconds, 1)}
    for mode in MODES:
        times = np.array([matcher.match(q.query, top_k=5, mode=mode).timing_ms for q in queries])
        out[mode] = {
            "p50_ms": round(float(np.percentile(times, 50)), 3),
            "p90_ms": round(float(np.percentile(times, 90)), 3),
            "p99_ms": round(float(np.percentile(times, 99)), 3),
            "mean_ms": round(float(times.mean()), 3),
        }
        print(len(items), mode, out[mode], flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--queries-per-type", type=int, default=60)
    args = parser.parse_args()
    base = read_items(ROOT / "data/items.csv")
    results = [measure(base, args.queries_per_type)]
    results.append(measure(generate_large_master(base, args.large, seed=12), args.queries_per_type))
    atomic_write_json(
        RESULT,
        {
            "machine": f"{platform.node()} {platform.machine()} (shared, 2 cores, other jobs running)",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
