"""`kodistill demo`: launch the main job through the workspace on the shipped data, then say where the outputs are.

The document partitions are synced with `data/raw_docs/`, then one run of `all_assets_job` covers
every document and every asset. It is launched through `workspace.yaml`, tagged
`kodistill/source=demo`, so it shows on the UI's Overview timeline and under the job.
"""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg

from orchestration.demo import SOURCE_TAG, follow_run, launched_through_workspace, partition_range_tags
from orchestration.partitions import sync_document_partitions
from orchestration.student_summary import student_lines
from resources.paths import PROJECT_ROOT, artifacts_dir, data_dir, follow_external_symlinks

MAIN_JOB = "all_assets_job"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the demo subcommand."""
    parser = subparsers.add_parser(
        "demo", help="Materialize every asset on the shipped data (the main job, launched through the workspace)."
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Launch the main job, follow it, print the summary; exit 1 if a step or check failed."""
    if not os.environ.get("DAGSTER_HOME"):
        print("kodistill demo: error: DAGSTER_HOME is not set (scripts/demo.sh sets it)", file=sys.stderr)
        return 2
    with dg.DagsterInstance.get() as instance:
        keys = sync_document_partitions(instance, data_dir() / "raw_docs", follow_external_symlinks())
        ordered = [k for k in instance.get_dynamic_partitions("documents") if k in set(keys)]
        tags = {SOURCE_TAG: "demo", **partition_range_tags(ordered)}
        print(f"==> launching {MAIN_JOB} over {len(keys)} documents through {PROJECT_ROOT / 'workspace.yaml'}")
        with launched_through_workspace(instance, PROJECT_ROOT / "workspace.yaml", MAIN_JOB, tags) as run_id:
            outcome = follow_run(instance, run_id, lambda line: print(line, flush=True))
        print("\n".join(student_lines(instance, run_id)))
    ok = outcome.success and not outcome.failed_checks
    print(_summary(ok, run_id, outcome.seconds))
    return 0 if ok else 1


def _summary(ok: bool, run_id: str, seconds: float) -> str:
    out = artifacts_dir()
    home = os.environ.get("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    status = "All assets materialized and every check passed." if ok else "Some steps or checks FAILED (see above)."
    return f"""
{status} Run {run_id} took {seconds:.1f} s.
Outputs:
  asset tables (Parquet)      {out / "assets"}
  category report bullets     {out / "catalog" / "report_bullets.json"}
  price distribution plot     {out / "catalog" / "price_distribution.png"}
Open the Dagster UI (runs, metadata, plots, checks; sensors and automation are on):
  DAGSTER_HOME={home} {PROJECT_ROOT / ".venv" / "bin" / "dagster"} dev -w {PROJECT_ROOT / "workspace.yaml"}
  then browse http://127.0.0.1:3000 (the run is under Overview and Jobs › {MAIN_JOB})"""
