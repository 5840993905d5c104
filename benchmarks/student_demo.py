"""The README's main command with the student: wall time of `kodistill demo` and what the student did.

Runs `kodistill demo` (one run of `all_assets_job` through the workspace, the `demo` student preset) on a
fresh temporary Dagster instance, artifacts folder and MLflow store, then reads the run back: the
command's wall time, each step's seconds, the training numbers (`student_model`), the evaluation table
(student vs untrained vs champion vs teacher vs trivial baseline), the champion decision and which
categories of the shipped catalogue the student wrote. Writes benchmarks/results/student_demo.json.
The pip install of a fresh clone is not part of this measurement. `--keep DIR` copies the run's folder
(artifacts, MLflow store with the registered model) to DIR for later benchmarks. Run from the project root:

    .venv/bin/python benchmarks/student_demo.py [--keep DIR]
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

RESULTS = PROJECT_ROOT / "benchmarks" / "results"
STUDENT_STEPS = ("sft_dataset", "student_model", "student_evaluation", "champion_model", "report_bullets")


def _prepare(root: Path) -> dict[str, str]:
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    env = {key: value for key, value in os.environ.items() if key != "KODISTILL_STUDENT_PRESET"}
    return {
        **env,
        "DAGSTER_HOME": str(home),
        "KODISTILL_DATA_DIR": str(root / "data"),
        "KODISTILL_ARTIFACTS_DIR": str(root / "artifacts"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow' / 'mlflow.db'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def _plain(value: object) -> object:
    inner = getattr(value, "value", value)
    return inner if isinstance(inner, (int, float, str, list, dict, bool)) or inner is None else str(inner)


def student_metadata(instance: dg.DagsterInstance, run_id: str) -> dict[str, dict[str, object]]:
    """Metadata of the student chain's materializations in the run (plots left out)."""
    found: dict[str, dict[str, object]] = {}
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=100000)
    for record in records.records:
        materialization = record.event_log_entry.dagster_event.event_specific_data.materialization
        name = materialization.asset_key.to_user_string()
        if name in STUDENT_STEPS:
            found[name] = {k: _plain(v) for k, v in materialization.metadata.items() if k not in ("plot", "samples")}
    return found


def analyse(env: dict[str, str], command_seconds: float) -> dict[str, object]:
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        steps = {s.step_key: round(s.end_time - s.start_time, 1) for s in instance.get_run_step_stats(run.run_id)}
        meta = student_metadata(instance, run.run_id)
    return {
        "status": run.status.value,
        "command_wall_seconds": round(command_seconds, 1),
        "step_seconds": steps,
        "student": meta,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="copy the run's folder (artifacts, MLflow store) here afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kodistill-student-demo-") as folder:
        env = _prepare(Path(folder))
        started = time.perf_counter()
        demo = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "demo"],
            env=env,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )
        command_seconds = time.perf_counter() - started
        result = {"exit_code": demo.returncode, **analyse(env, command_seconds), "printout": demo.stdout[-6000:]}
        if demo.returncode != 0:
            print(demo.stdout[-3000:], demo.stderr[-3000:], sep="\n", file=sys.stderr)
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} (shared)"
    result["date"] = time.strftime("%Y-%m-%d %H:%M")
    atomic_write_json(RESULTS / "student_demo.json", result)
    print(json.dumps({k: v for k, v in result.items() if k != "printout"}, ensure_ascii=False, indent=1))
    print(result["printout"])
    return demo.returncode


if __name__ == "__main__":
    sys.exit(main())
