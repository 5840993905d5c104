"""Retraining-sensor tick time against the size of the feedback table, and feedback ingestion rate.

For each backend (SQLite file; PostgreSQL started with scripts/postgres.sh, or the server at
KODISTILL_TEST_POSTGRES_URL) the table is grown to 10k, 100k and 1M rows with `FeedbackStore.add_feedback`
(batches of 50k rows, one transaction each — the ingestion rate is measured on these inserts; ~70 %
of rows approved). At each size the real `feedback_retraining_sensor` is evaluated through Dagster
(`evaluate_tick` with a test instance holding no runs; the machine-load reader fixed, so only the
database and Dagster work is timed) in two situations:

* skip (the common tick): the cursor 10 rows behind the newest row — too few, the sensor skips;
* fire: the cursor 100 rows behind (≥ 50 approved among them) — threshold met, so it also reads the
  run history from the instance and requests a run;
* first tick: cursor 0, the whole table as backlog (the sensor still reads only N ids, then max(id)).

The real load reader (psutil, NVML when present) is timed on its own. Writes
benchmarks/results/feedback_sensor.json. Run from the project root:

    .venv/bin/python benchmarks/feedback_sensor.py            # 10k, 100k, 1M on SQLite and PostgreSQL
    .venv/bin/python benchmarks/feedback_sensor.py --sizes 10000 100000 --backends sqlite
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402

from resources.atomic import atomic_write_json  # noqa: E402
from resources.feedback.records import AnswerFeedback  # noqa: E402
from resources.feedback.store import FeedbackStore  # noqa: E402
from resources.feedback_resource import FeedbackStoreResource  # noqa: E402
from resources.machine_load import MachineLoad, read_machine_load  # noqa: E402
from sensors.feedback import build_feedback_retraining_sensor  # noqa: E402

BATCH = 50_000
TICKS = 25
CALM = MachineLoad(10.0, 20.0, None)


def make_rows(count: int, rng: random.Random, start: datetime) -> list[AnswerFeedback]:
    rows = []
    for i in range(count):
        rating = rng.choice((1, 2, 3, 4, 4, 5, 5, 5, 5, 5))
        task = "qa" if rng.random() < 0.7 else "bullets"
        rows.append(
            AnswerFeedback(
                task=task,
                input=f"환불 규정 {i % 997}번 조항은 어떻게 적용되나요?",
                output=f"영업일 {i % 7 + 1}일 이내에 환불됩니다(규정 {i % 31}조).",
                rating=rating,
                correction="영업일 3일 이내에 환불됩니다." if rating <= 2 and rng.random() < 0.3 else None,
                model_version="student-v1",
                created_at=start + timedelta(seconds=i),
            )
        )
    return rows


def grow(store: FeedbackStore, target: int, rng: random.Random) -> tuple[int, float]:
    """Add rows until the table holds `target`; returns (rows added, seconds spent inserting)."""
    have = store.max_feedback_id()
    added, spent = 0, 0.0
    start = datetime(2026, 11, 1, tzinfo=UTC)
    while have + added < target:
        rows = make_rows(min(BATCH, target - have - added), rng, start + timedelta(seconds=have + added))
        began = time.perf_counter()
        store.add_feedback(rows)
        spent += time.perf_counter() - began
        added += len(rows)
    return added, spent


def tick_times(url: str, cursor: int, instance: dg.DagsterInstance) -> dict:
    sensor = build_feedback_retraining_sensor(load_reader=lambda: CALM)
    resources = {"feedback_store": FeedbackStoreResource(url=url)}
    times, fired = [], None
    for _ in range(TICKS):
        context = dg.build_sensor_context(cursor=str(cursor), instance=instance, resources=resources)
        began = time.perf_counter()
        result = sensor.evaluate_tick(context)
        times.append((time.perf_counter() - began) * 1000)
        fired = bool(result.run_requests)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "min_ms": round(times[0], 2),
        "fired": fired,
    }


def bench_backend(name: str, url: str, sizes: list[int]) -> dict:
    store = FeedbackStore(url)
    store.stats()  # migrate before timing
    rng = random.Random(11)
    results, inserted, insert_seconds = [], 0, 0.0
    with dg.instance_for_test() as instance:
        for size in sizes:
            added, spent = grow(store, size, rng)
            inserted, insert_seconds = inserted + added, insert_seconds + spent
            max_id = store.max_feedback_id()
            row = {
                "rows": size,
                "skip": tick_times(url, max_id - 10, instance),
                "fire": tick_times(url, max_id - 100, instance),
                "first_tick": tick_times(url, 0, instance),
                "ingest_rows_per_s": round(added / spent) if spent else None,
            }
            print(name, row, flush=True)
            results.append(row)
    store.dispose()
    return {"url_kind": name, "sizes": results, "ingest_rows_per_s_overall": round(inserted / insert_seconds)}


def postgres_url() -> tuple[str, str | None]:
    url = os.environ.get("KODISTILL_TEST_POSTGRES_URL")
    if url:
        return url, None
    started = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "postgres.sh"), "start"], capture_output=True, text=True, check=True
    )
    url, data_dir = started.stdout.strip().split("\t")
    return url, data_dir


def load_reader_ms() -> float:
    read_machine_load()  # first call samples CPU for 0.1 s
    times = []
    for _ in range(20):
        began = time.perf_counter()
        read_machine_load()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    report = {
        "benchmark": "feedback_retraining_sensor tick time vs feedback rows; feedback ingestion rate",
        "command": "benchmarks/feedback_sensor.py " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), {platform.python_version()}",
        "ticks_per_point": TICKS,
        "load_reader_median_ms": load_reader_ms(),
        "backends": {},
    }
    with tempfile.TemporaryDirectory() as folder:
        if "sqlite" in args.backends:
            report["backends"]["sqlite"] = bench_backend("sqlite", f"sqlite:///{folder}/feedback.db", args.sizes)
        if "postgresql" in args.backends:
            url, data_dir = postgres_url()
            try:
                report["backends"]["postgresql"] = bench_backend("postgresql", url, args.sizes)
            finally:
                if data_dir:
                    subprocess.run(
                        ["bash", str(PROJECT_ROOT / "scripts" / "postgres.sh"), "stop", data_dir], check=False
                    )
    atomic_write_json(PROJECT_ROOT / "benchmarks" / "results" / "feedback_sensor.json", report)
    print("wrote benchmarks/results/feedback_sensor.json")


if __name__ == "__main__":
    main()
