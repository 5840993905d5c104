"""Benchmark: the catalog chain (read → validate → metrics → bullets) vs pandas just reading the CSV.

Usage: .venv/bin/python benchmarks/catalog_chain.py [--rows 100000] [--repeats 3] [--baseline-tree DIR]
Each measurement runs in a fresh subprocess so peak RSS is the chain's own; times are medians. The modes
take turns within each repeat (read, chain, read, chain, ...) so a busy neighbour slows them alike, and
each child also reports its CPU seconds (user + system, all threads). `--baseline-tree` also times the
chain with the code in DIR (e.g. `git archive <commit> | tar -x -C DIR`) on the same CSV, in the same run.
Writes benchmarks/results/catalog_chain.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import pandas as pd
mode, path = sys.argv[1], sys.argv[2]
from assets.catalog.reading import read_products
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.bullets import render_template_bullets
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu_started = cpu()
started = time.perf_counter()
if mode == "pandas_read":
    frame = pd.read_csv(path)
    rows = len(frame)
else:
    result = read_products(path)
    t_read = time.perf_counter() - started
    metrics = compute_category_metrics(result.products, parsed_pairs=result.parsed_pairs)
    t_metrics = time.perf_counter() - started - t_read
    payloads = [render_template_bullets(r) for r in metrics_records(metrics)]
    rows = len(result.products)
elapsed = time.perf_counter() - started
out = {"seconds": elapsed, "cpu_seconds": cpu() - cpu_started, "rows": rows,
       "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "rss_before_mb": rss_before / 1024}
if mode != "pandas_read":
    out.update(read_validate_seconds=t_read, metrics_seconds=t_metrics, categories=len(payloads))
print(json.dumps(out))
"""


def _measure(mode: str, csv_path: Path, tree: Path = ROOT) -> dict:
    """One fresh child: `mode` ("pandas_read" or "chain") on the CSV, importing the code in `tree`."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # the tree's code, no other
    child = "chain" if mode == "baseline_chain" else mode
    command = [sys.executable, "-c", CHILD, child, str(csv_path)]
    output = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _summary(runs: dict[str, list[dict]]) -> dict:
    read_wall, read_cpu = _median(runs["pandas_read"], "seconds"), _median(runs["pandas_read"], "cpu_seconds")
    report = {
        "pandas_read_seconds": round(read_wall, 3),
        "pandas_read_cpu_seconds": round(read_cpu, 3),
    }
    for mode in ("chain", "baseline_chain"):
        if mode not in runs:
            continue
        chain = runs[mode]
        report.update(
            {
                f"{mode}_seconds": round(_median(chain, "seconds"), 3),
                f"{mode}_cpu_seconds": round(_median(chain, "cpu_seconds"), 3),
                f"ratio_{mode}_to_read": round(_median(chain, "seconds") / read_wall, 2),
                f"cpu_ratio_{mode}_to_read": round(_median(chain, "cpu_seconds") / read_cpu, 2),
                f"{mode}_read_validate_seconds": round(_median(chain, "read_validate_seconds"), 3),
                f"{mode}_metrics_seconds": round(_median(chain, "metrics_seconds"), 3),
                f"{mode}_peak_rss_mb": round(max(r["peak_rss_mb"] for r in chain), 1),
            }
        )
    report["pandas_read_peak_rss_mb"] = round(max(r["peak_rss_mb"] for r in runs["pandas_read"]), 1)
    report["interpreter_rss_before_mb"] = round(runs["chain"][0]["rss_before_mb"], 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-tree", type=Path, default=None, help="also time the chain of the code in DIR")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from assets.catalog.generator import generate_products, write_products_csv

    modes = ["pandas_read", "chain"] + (["baseline_chain"] if args.baseline_tree else [])
    trees = {"pandas_read": ROOT, "chain": ROOT, "baseline_chain": args.baseline_tree}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "products_100k.csv"
        started = time.perf_counter()
        write_products_csv(generate_products(n_products=args.rows, seed=20260126), csv_path)
        generate_seconds = time.perf_counter() - started
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.repeats):
            for mode in modes:
                runs[mode].append(_measure(mode, csv_path, trees[mode]))
        size_mb = csv_path.stat().st_size / 1e6
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "csv_mb": round(size_mb, 1),
        "generate_seconds": round(generate_seconds, 2),
        **_summary(runs),
        "baseline_tree": str(args.baseline_tree) if args.baseline_tree else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "repeats": args.repeats,
    }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "catalog_chain.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
