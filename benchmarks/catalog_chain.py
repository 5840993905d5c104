"""Benchmark: the catalog chain (read → validate → metrics → bullets) vs pandas just reading the CSV.

Usage: .venv/bin/python benchmarks/catalog_chain.py [--rows 100000] [--repeats 3]
Each measurement runs in a fresh subprocess so peak RSS is the chain's own; times are medians.
Writes benchmarks/results/catalog_chain.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
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
out = {"seconds": elapsed, "rows": rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "rss_before_mb": rss_before / 1024}
if mode != "pandas_read":
    out.update(read_validate_seconds=t_read, metrics_seconds=t_metrics, categories=len(payloads))
print(json.dumps(out))
"""


def _measure(mode: str, csv_path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(csv_path)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from assets.catalog.generator import generate_products, write_products_csv

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "products_100k.csv"
        started = time.perf_counter()
        write_products_csv(generate_products(n_products=args.rows, seed=20260126), csv_path)
        generate_seconds = time.perf_counter() - started
        runs = {mode: [_measure(mode, csv_path) for _ in range(args.repeats)] for mode in ("pandas_read", "chain")}
        size_mb = csv_path.stat().st_size / 1e6
    median = {mode: statistics.median(r["seconds"] for r in rs) for mode, rs in runs.items()}
    report = {
        "rows": args.rows,
        "csv_mb": round(size_mb, 1),
        "generate_seconds": round(generate_seconds, 2),
        "pandas_read_seconds": round(median["pandas_read"], 3),
        "chain_seconds": round(median["chain"], 3),
        "ratio_chain_to_read": round(median["chain"] / median["pandas_read"], 2),
        "chain_read_validate_seconds": round(statistics.median(r["read_validate_seconds"] for r in runs["chain"]), 3),
        "chain_metrics_seconds": round(statistics.median(r["metrics_seconds"] for r in runs["chain"]), 3),
        "chain_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs["chain"]), 1),
        "pandas_read_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs["pandas_read"]), 1),
        "interpreter_rss_before_mb": round(runs["chain"][0]["rss_before_mb"], 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} {platform.python_version()}".strip(),
        "repeats": args.repeats,
    }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "catalog_chain.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
