"""Benchmark: peak resident memory of `kodistill bullets` against the size of the CSV it reads.

Usage: .venv/bin/python benchmarks/bullets_memory.py [--rows 1000000] [--csv existing.csv] [--keep-csv]
Generates the CSV with `kodistill generate-products` (default seed) unless `--csv` names one, runs
`kodistill bullets` on it under a fresh wrapper process whose only child it is, and reads that
child's peak RSS from `resource.getrusage(RUSAGE_CHILDREN)` in the wrapper (so the generator's own
peak never mixes in).
Writes benchmarks/results/bullets_memory.json; the target is a peak of at most 3x the CSV size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "bullets_memory.json"
TARGET_RATIO = 3.0


def _kodistill(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def _generate(rows: int, path: Path) -> None:
    subprocess.run(_kodistill("generate-products", "--rows", str(rows), "--out", str(path)), cwd=ROOT, check=True)


WRAPPER = (
    "import json, resource, subprocess, sys, time; started = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True); "
    "print(json.dumps({'seconds': time.perf_counter() - started, "
    "'peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
)


def measure(csv_path: Path, workdir: Path) -> dict:
    """Run `kodistill bullets` once under the wrapper; its peak RSS against the CSV size."""
    command = _kodistill("bullets", "--products", str(csv_path), "--out", str(workdir / "bullets.json"))
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], cwd=ROOT, check=True, capture_output=True, text=True
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    peak = child["peak_kb"] / 1024
    csv_mb = csv_path.stat().st_size / 2**20
    return {
        "csv_mb": round(csv_mb, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_over_csv": round(peak / csv_mb, 2),
        "target_ratio": TARGET_RATIO,
        "seconds": round(child["seconds"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, default=None, help="measure this CSV instead of generating one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = args.csv or workdir / "products.csv"
        if args.csv is None:
            _generate(args.rows, csv_path)
        result = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
            "python": platform.python_version(),
            "rows": args.rows if args.csv is None else None,
            "command": "kodistill bullets --products CSV --out OUT",
            **measure(csv_path, workdir),
        }
    atomic_write_json(RESULT, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
