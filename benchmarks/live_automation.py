"""Automation with the real daemon: a document added to or removed from raw_docs flows down by itself.

Copies the shipped data (minus one document) to a temporary folder with its own Dagster instance,
runs `kodistill demo` once (the baseline), starts `dagster-daemon run -w workspace.yaml` (what
`dagster dev` runs beside the UI: sensors, the automation sensor, backfills, the run queue, run
monitoring), then:

1. copies the held-back document into raw_docs and waits until its `teacher_answers` partition is
   materialized, and the retriever contains it;
2. deletes it and waits until the retriever no longer contains it and `teacher_answers` has been
   materialized again for the remaining documents.

Prints and writes the seconds each took and the runs the daemon launched
(benchmarks/results/live_automation.json). Run from the project root:

    .venv/bin/python benchmarks/live_automation.py
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402

from resources.atomic import atomic_write_json  # noqa: E402

BIN = PROJECT_ROOT / ".venv" / "bin"
TIMEOUT_S = 600


def _prepare(root: Path) -> tuple[dict[str, str], Path]:
    home, data = root / "dagster_home", root / "data"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    shutil.copytree(PROJECT_ROOT / "data", data)
    held_back = root / "held_back.md"
    shutil.move(sorted((data / "raw_docs").glob("*.md"))[-1], held_back)
    env = {**os.environ, "DAGSTER_HOME": str(home), "KODISTILL_DATA_DIR": str(data)}
    return {**env, "KODISTILL_ARTIFACTS_DIR": str(root / "artifacts")}, held_back


def _wait(condition: Callable[[], bool], what: str) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError(f"{what}: not done after {TIMEOUT_S} s")
        time.sleep(2)
    return round(time.perf_counter() - started, 1)


def _latest_answers_time(instance: dg.DagsterInstance, key: str | None) -> float:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("teacher_answers"), asset_partitions=[key] if key else None),
        limit=1,
    ).records
    return records[0].timestamp if records else 0.0


def _retriever_docs(artifacts: Path) -> set[str]:
    path = artifacts / "knowledge" / "retriever" / "chunks.jsonl"
    if not path.is_file():
        return set()
    return {json.loads(line)["doc_id"] for line in path.read_text(encoding="utf-8").splitlines()}


def _runs(instance: dg.DagsterInstance, since: float) -> list[dict[str, object]]:
    runs = instance.get_runs(filters=dg.RunsFilter(created_after=datetime.fromtimestamp(since, tz=UTC)))
    return [{"job": r.job_name, "status": r.status.value, "backfill": r.tags.get("dagster/backfill")} for r in runs]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kodistill-live-") as folder:
        env, held_back = _prepare(Path(folder))
        artifacts, raw = Path(env["KODISTILL_ARTIFACTS_DIR"]), Path(env["KODISTILL_DATA_DIR"]) / "raw_docs"
        demo = subprocess.run([str(BIN / "kodistill"), "demo"], env=env, capture_output=True, text=True)
        if demo.returncode != 0:
            print(demo.stdout[-2000:], demo.stderr[-2000:], file=sys.stderr)
            return 1
        os.environ.update({k: env[k] for k in ("DAGSTER_HOME", "KODISTILL_DATA_DIR", "KODISTILL_ARTIFACTS_DIR")})
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            result = _scenario(held_back, raw, artifacts)
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
    result["date"] = time.strftime("%Y-%m-%d")
    atomic_write_json(PROJECT_ROOT / "benchmarks" / "results" / "live_automation.json", result)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _scenario(held_back: Path, raw: Path, artifacts: Path) -> dict[str, object]:
    from assets.knowledge.documents import document_id_for

    with dg.DagsterInstance.get() as instance:
        time.sleep(20)  # the daemon starts its code server and takes the baseline tick
        started = time.time()
        target = raw / held_back.name
        shutil.copy(held_back, target)
        key = document_id_for(target, raw)
        added_s = _wait(lambda: _latest_answers_time(instance, key) > started, "answers for the new document")
        in_index = key in _retriever_docs(artifacts)
        removed_at = time.time()
        target.unlink()
        removed_s = _wait(
            lambda: key not in _retriever_docs(artifacts) and _latest_answers_time(instance, None) > removed_at,
            "removal reaching the retriever and the answers",
        )
        return {
            "document": key,
            "seconds_until_new_document_answered": added_s,
            "new_document_in_retriever": in_index,
            "seconds_until_removal_reached_answers": removed_s,
            "runs_launched_by_daemon": _runs(instance, started),
        }


if __name__ == "__main__":
    sys.exit(main())
