"""Launch the main job through the workspace, so its run belongs to the code location, and follow it.

`launched_through_workspace` loads `workspace.yaml` the way `dagster dev` does (a code server for the
`kodistill` location), creates the run from the remote job (so it carries the code-location origin:
the UI's Overview timeline, the job's Runs tab and re-execution all see it), launches it with the
instance's run launcher and yields its id. `follow_run` prints each step and check as it finishes
and returns the run's outcome. `execute_in_process` is for tests only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._cli.job import _create_run
from dagster._cli.workspace.cli_target import (
    get_code_location_from_workspace,
    get_remote_job_from_remote_repo,
    get_remote_repository_from_code_location,
    get_workspace_from_cli_opts,
)
from dagster_shared.cli import WorkspaceOpts

LOCATION_NAME = "kodistill"
SOURCE_TAG = "kodistill/source"
POLL_SECONDS = 0.5
# The event log keeps every event for the UI; the run's console shows warnings and errors only.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_FOLLOWED = {
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.RUN_FAILURE,
}


@dataclass
class RunOutcome:
    """How a followed run ended, with every check result ("asset:check" -> passed)."""

    run_id: str
    status: dg.DagsterRunStatus
    seconds: float
    checks: dict[str, bool] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.status == dg.DagsterRunStatus.SUCCESS

    @property
    def failed_checks(self) -> list[str]:
        return sorted(name for name, passed in self.checks.items() if not passed)


def partition_range_tags(keys: list[str]) -> dict[str, str]:
    """Tags that make one run cover every partition from the first key to the last."""
    if not keys:
        return {}
    return {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}


@contextmanager
def launched_through_workspace(
    instance: dg.DagsterInstance, workspace_file: Path, job_name: str, tags: Mapping[str, str]
) -> Iterator[str]:
    """Create and launch `job_name` from the workspace's code location and yield the run id; the code
    server stays up until the block ends (follow the run to its end inside it)."""
    opts = WorkspaceOpts(workspace=[str(workspace_file)])
    with get_workspace_from_cli_opts(instance, version=dg.__version__, workspace_opts=opts) as workspace:
        location = get_code_location_from_workspace(workspace, LOCATION_NAME)
        repository = get_remote_repository_from_code_location(location, None)
        run = _create_run(
            instance=instance,
            code_location=location,
            remote_repo=repository,
            remote_job=get_remote_job_from_remote_repo(repository, job_name),
            run_config=QUIET_RUN_CONFIG,
            tags=dict(tags),
            op_selection=None,
            run_id=None,
        )
        instance.launch_run(run.run_id, workspace)
        yield run.run_id


def _follow_event(
    event: dg.EventLogEntry, outcome: RunOutcome, materialized: set[str], echo: Callable[[str], None]
) -> None:
    """Record one followed event in `outcome` and print it: a line per check, per step that
    materialized assets (separate check steps are shown by their check line) and per failure."""
    dagster_event = event.dagster_event
    kind = dagster_event.event_type
    if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
        materialized.add(event.step_key or "")
    elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
        evaluation = dagster_event.asset_check_evaluation_data
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        outcome.checks[name] = evaluation.passed
        echo(f"    check {name}: {'passed' if evaluation.passed else 'FAILED'}")
    elif kind == dg.DagsterEventType.STEP_SUCCESS:
        if event.step_key in materialized:
            echo(f"  {event.step_key}: ok")
    else:
        outcome.failed_steps.append(event.step_key or "run")
        echo(f"  {event.step_key or 'run'}: FAILED — {event.message or kind.value}")


def follow_run(instance: dg.DagsterInstance, run_id: str, echo: Callable[[str], None]) -> RunOutcome:
    """Print steps and checks as they finish until the run ends; return its outcome."""
    started, cursor, materialized = time.perf_counter(), None, set()
    outcome = RunOutcome(run_id, dg.DagsterRunStatus.STARTED, 0.0)
    while True:
        run = instance.get_run_by_id(run_id)
        connection = instance.get_records_for_run(run_id, cursor=cursor, of_type=_FOLLOWED)
        cursor = connection.cursor
        for record in connection.records:
            _follow_event(record.event_log_entry, outcome, materialized, echo)
        if run.is_finished and not connection.has_more:
            outcome.status, outcome.seconds = run.status, time.perf_counter() - started
            return outcome
        if not connection.has_more:
            time.sleep(POLL_SECONDS)
