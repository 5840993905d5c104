"""Orchestration overhead of the main job, measured from Dagster's own event log.

Runs `kodistill demo` (the README's main command: one run of `all_assets_job` launched through the
workspace) on a fresh temporary Dagster instance and artifacts folder, then reads the run back:

* compute  = Σ `compute_seconds` recorded by every asset function (its own work, Kiwi start included);
* run wall = RUN_START → RUN_SUCCESS of the run;
* command wall = the whole `kodistill demo` process (code server start, launch, follow, shutdown);
* overhead = (wall − compute) / wall, for both walls; and wall / compute.

Corpora: `--corpus shipped` (the 32 shipped documents) or `--corpus korquad` (KorQuAD 1.0 dev
paragraphs written as 1,000 documents by `write_korquad_documents`: each distinct paragraph one .txt
file, the longest split at a sentence boundary until there are 1,000). Writes
benchmarks/results/orchestration_overhead_<corpus>.json. Run from the project root:

    .venv/bin/python benchmarks/orchestration_overhead.py --corpus shipped
    .venv/bin/python benchmarks/orchestration_overhead.py --corpus korquad
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import dagster as dg  # noqa: E402

from resources.atomic import atomic_write_json  # noqa: E402
from resources.paths import shared_dir  # noqa: E402

KORQUAD = shared_dir() / "datasets" / "korquad-v1.0-dev" / "KorQuAD_v1.0_dev.json"
RESULTS = PROJECT_ROOT / "benchmarks" / "results"


def korquad_paragraphs(path: Path) -> list[str]:
    """Distinct KorQuAD paragraphs in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    seen: dict[str, None] = {}
    for article in data:
        for paragraph in article["paragraphs"]:
            seen.setdefault(paragraph["context"].strip(), None)
    return list(seen)


def _split_at_sentence(text: str) -> tuple[str, str]:
    middle = len(text) // 2
    cut = text.find(". ", middle)
    cut = cut + 1 if cut != -1 else middle
    return text[:cut].strip(), text[cut:].strip()


def write_korquad_documents(folder: Path, count: int = 1000) -> int:
    """`count` .txt documents from KorQuAD dev paragraphs (longest split in two until there are enough)."""
    documents = korquad_paragraphs(KORQUAD)
    while len(documents) < count:
        longest = max(range(len(documents)), key=lambda i: len(documents[i]))
        documents[longest : longest + 1] = list(_split_at_sentence(documents[longest]))
    folder.mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(documents[:count]):
        (folder / f"korquad_{index:04d}.txt").write_text(text + "\n", encoding="utf-8")
    return count


def _prepare(corpus: str, root: Path) -> dict[str, str]:
    home, data = root / "dagster_home", root / "data"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    if corpus == "shipped":
        shutil.copytree(PROJECT_ROOT / "data", data)
    else:
        write_korquad_documents(data / "raw_docs")
        shutil.copy(PROJECT_ROOT / "data" / "products_all.csv", data / "products_all.csv")
    env = {**os.environ, "DAGSTER_HOME": str(home), "KODISTILL_DATA_DIR": str(data)}
    return {**env, "KODISTILL_ARTIFACTS_DIR": str(root / "artifacts")}


def _compute_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """compute_seconds per asset (a multi-partition step records the same value on each partition)."""
    seconds: dict[str, float] = {}
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=100000)
    for record in records.records:
        materialization = record.event_log_entry.dagster_event.event_specific_data.materialization
        value = materialization.metadata.get("compute_seconds")
        if value is not None:
            seconds[materialization.asset_key.to_user_string()] = float(value.value)
    return seconds


def analyse(env: dict[str, str], command_seconds: float) -> dict[str, object]:
    """Read the demo's run back from its instance and compute the overhead figures."""
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_stats(run.run_id)
        compute = _compute_seconds(instance, run.run_id)
        steps = {s.step_key: round(s.end_time - s.start_time, 3) for s in instance.get_run_step_stats(run.run_id)}
        documents = len(instance.get_dynamic_partitions("documents"))
    total, run_wall = sum(compute.values()), stats.end_time - stats.start_time
    return {
        "status": run.status.value,
        "documents": documents,
        "compute_seconds_total": round(total, 2),
        "compute_seconds_by_asset": compute,
        "step_seconds": steps,
        "run_wall_seconds": round(run_wall, 2),
        "run_overhead": round((run_wall - total) / run_wall, 3),
        "run_wall_over_compute": round(run_wall / total, 3),
        "launch_to_start_seconds": round(stats.start_time - stats.launch_time, 2) if stats.launch_time else None,
        "command_wall_seconds": round(command_seconds, 2),
        "command_overhead": round((command_seconds - total) / command_seconds, 3),
        "command_wall_over_compute": round(command_seconds / total, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("shipped", "korquad"), default="shipped")
    args = parser.parse_args()
    if args.corpus == "korquad" and not KORQUAD.is_file():
        print(f"skipped: {KORQUAD} not found (../shared is absent)", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory(prefix="kodistill-overhead-") as folder:
        env = _prepare(args.corpus, Path(folder))
        started = time.perf_counter()
        demo = subprocess.run(
            [str(PROJECT_ROOT / ".venv" / "bin" / "kodistill"), "demo"], env=env, capture_output=True, text=True
        )
        command_seconds = time.perf_counter() - started
        if demo.returncode != 0:
            print(demo.stdout[-3000:], demo.stderr[-3000:], sep="\n", file=sys.stderr)
        result = {"corpus": args.corpus, "exit_code": demo.returncode, **analyse(env, command_seconds)}
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    result["date"] = time.strftime("%Y-%m-%d")
    atomic_write_json(RESULTS / f"orchestration_overhead_{args.corpus}.json", result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("step_seconds",)}, ensure_ascii=False, indent=1))
    return demo.returncode


if __name__ == "__main__":
    sys.exit(main())
