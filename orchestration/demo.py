"""Materialize every asset of the code location in process, stage by stage, on a real instance.

The demo runs each stage's job with `execute_in_process` against the project-local instance, so the
runs, materializations and check results appear in the Dagster UI afterwards. Partitioned stages
run once per partition key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg

# The event log keeps every event for the UI; the console shows warnings and errors only.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass(frozen=True)
class Stage:
    """A job to run, and (for partitioned jobs) a function giving the partition keys to run it for."""

    job_name: str
    partition_keys: Callable[[dg.DagsterInstance], Sequence[str]] | None = None


@dataclass
class StageResult:
    job_name: str
    partition_key: str | None
    success: bool
    seconds: float
    checks: dict[str, bool] = field(default_factory=dict)  # "asset:check" -> passed

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, passed in self.checks.items() if not passed]


def _check_outcomes(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed for e in result.get_asset_check_evaluations()}


def run_stage(
    defs: dg.Definitions, stage: Stage, instance: dg.DagsterInstance, echo: Callable[[str], None]
) -> list[StageResult]:
    """Run one stage (every partition of it) and report each run's outcome."""
    job = defs.resolve_job_def(stage.job_name)
    keys: Sequence[str | None] = list(stage.partition_keys(instance)) if stage.partition_keys else [None]
    results = []
    for key in keys:
        started = time.perf_counter()
        result = job.execute_in_process(
            instance=instance, partition_key=key, raise_on_error=False, run_config=QUIET_RUN_CONFIG
        )
        outcome = StageResult(
            stage.job_name, key, result.success, time.perf_counter() - started, _check_outcomes(result)
        )
        echo(
            f"  {stage.job_name}{f' [{key}]' if key else ''}: "
            f"{'ok' if outcome.success else 'FAILED'} in {outcome.seconds:.1f} s"
            + (f"; failed checks: {', '.join(outcome.failed_checks)}" if outcome.failed_checks else "")
        )
        results.append(outcome)
        if not result.success:
            break
    return results


def run_stages(
    defs: dg.Definitions, stages: Sequence[Stage], instance: dg.DagsterInstance, echo: Callable[[str], None]
) -> list[StageResult]:
    """Run the stages in order; stop at the first failed run (later stages would lack inputs)."""
    results: list[StageResult] = []
    for stage in stages:
        echo(f"==> {stage.job_name}")
        stage_results = run_stage(defs, stage, instance, echo)
        results += stage_results
        if not all(r.success for r in stage_results):
            break
    return results
