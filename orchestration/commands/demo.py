"""`kodistill demo`: materialize every asset on the shipped data, then say where the outputs are."""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg

from orchestration.demo import run_stages
from resources.paths import PROJECT_ROOT, artifacts_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="Materialize every asset on the shipped data (the main job).")
    parser.set_defaults(func=run)


def _instance() -> dg.DagsterInstance:
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    print(
        "kodistill demo: DAGSTER_HOME is not set; using a temporary instance (runs will not show in the UI)",
        file=sys.stderr,
    )
    return dg.DagsterInstance.ephemeral()


def run(args: argparse.Namespace) -> int:
    from orchestration.definitions import DEMO_STAGES, defs

    def echo(line: str) -> None:
        print(line, flush=True)

    with _instance() as instance:
        results = run_stages(defs, DEMO_STAGES, instance, echo)
    ok = all(r.success and not r.failed_checks for r in results)
    print(_summary(ok))
    return 0 if ok else 1


def _summary(ok: bool) -> str:
    out = artifacts_dir()
    home = os.environ.get("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    status = "All assets materialized and every check passed." if ok else "Some runs or checks FAILED (see above)."
    return f"""
{status}
Outputs:
  asset tables (Parquet)      {out / "assets"}
  category report bullets     {out / "catalog" / "report_bullets.json"}
  price distribution plot     {out / "catalog" / "price_distribution.png"}
Open the Dagster UI (runs, metadata, plots, checks):
  DAGSTER_HOME={home} {PROJECT_ROOT / ".venv" / "bin" / "dagster"} dev -w {PROJECT_ROOT / "workspace.yaml"}
  then browse http://127.0.0.1:3000"""
