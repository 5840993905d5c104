"""Benchmark: the bullets task's generated catalogues (the bulk of `sft_dataset`) made in one process vs several.

Usage: .venv/bin/python benchmarks/sft_catalogues.py [--seeds 120] [--workers 2] [--repeats 2]
Times `seeded_bullets(range(1, seeds + 1), workers)` (generate each seed's catalogue, validate it, compute its
category metrics, shuffle the names, build the examples) with one process and with `--workers` spawned
processes, alternating, `--repeats` times each, and checks that both give the same examples. The machine is
shared: compare the ratio, measured in one run. Writes benchmarks/results/sft_catalogues.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation.sft_frame import seeded_bullets  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402

RESULT = ROOT / "benchmarks/results/sft_catalogues.json"


def _timed(seeds: range, workers: int) -> tuple[float, str]:
    started = time.perf_counter()
    examples, _ = seeded_bullets(seeds, workers)
    return time.perf_counter() - started, json.dumps(examples, ensure_ascii=False, sort_keys=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    seconds: dict[str, list[float]] = {"one process": [], f"{args.workers} processes": []}
    outputs = set()
    for _ in range(args.repeats):
        for name, workers in (("one process", 1), (f"{args.workers} processes", args.workers)):
            elapsed, output = _timed(seeds, workers)
            seconds[name].append(round(elapsed, 2))
            outputs.add(output)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, shared 2-core box",
        "catalogues": args.seeds,
        "seconds": seconds,
        "speed_ratio": round(medians["one process"] / medians[f"{args.workers} processes"], 2),
        "identical_examples": len(outputs) == 1,
    }
    atomic_write_json(RESULT, entry)
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()
