"""One iteration of the Dagster daemon's sensor loop over `tests.feedback.daemon_defs`, as a program.

`python -m tests.feedback.sensor_daemon [--crash-at POINT]` uses the instance in $DAGSTER_HOME.
With `--crash-at` (a crash point of Dagster's sensor daemon: RUN_CREATED, RUN_LAUNCHED, ...), the
process kills itself with SIGKILL at that point — Dagster's own hook for crash-recovery tests — e.g.
after the run was submitted and before the tick (and its cursor) was stored.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon import get_default_daemon_logger
from dagster._daemon.sensor import execute_sensor_iteration

from resources.paths import PROJECT_ROOT
from sensors.feedback import SENSOR_NAME


@contextmanager
def workspace(instance: dg.DagsterInstance) -> Iterator[object]:
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            module_name="tests.feedback.daemon_defs", attribute="defs", working_directory=str(PROJECT_ROOT)
        ),
        location_name="feedback_daemon_test",
    )
    with create_test_daemon_workspace_context(InProcessWorkspaceLoadTarget(origin), instance) as context:
        yield context


def run_iteration(instance: dg.DagsterInstance, crash_at: str | None = None) -> None:
    flags = {SENSOR_NAME: {crash_at: signal.SIGKILL}} if crash_at else None
    with workspace(instance) as context:
        list(
            execute_sensor_iteration(
                context,
                get_default_daemon_logger("SensorDaemon"),
                threadpool_executor=None,
                submit_threadpool_executor=None,
                debug_crash_flags=flags,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--crash-at", default=None)
    args = parser.parse_args()
    with dg.DagsterInstance.get() as instance:
        run_iteration(instance, args.crash_at)


if __name__ == "__main__":
    main()
