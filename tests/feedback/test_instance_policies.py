"""Instance and step policies: the `gpu` pool keeps two runs' steps apart (event-log timestamps), step retry
policies restart transient failures k times and fail non-retryable errors at once, and the project's
dagster.yaml sets the run queue, tag limits and run retries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.retry_policies import BACKEND_RETRY, TRAINING_RETRY, is_non_retryable, non_retryable_errors
from resources.errors import InputDataError
from resources.paths import PROJECT_ROOT


@pytest.fixture
def project_instance_home(tmp_path, monkeypatch) -> Path:
    """A DAGSTER_HOME holding the project's deploy/local/dagster.yaml with the gpu pool at 1, as setup.sh does."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the yaml's storage lives in $DAGSTER_HOME
    shutil.copy(PROJECT_ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.event_log_storage.set_concurrency_slots("gpu", 1)
    return home


def step_intervals(instance: dg.DagsterInstance, run_id: str) -> tuple[float, float, float]:
    """(run start, step start, step end) timestamps of a run, from its event log."""
    wanted = (dg.DagsterEventType.RUN_START, dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS)
    times = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is not None and event.event_type in wanted:
            times[event.event_type] = record.timestamp
    return tuple(times[kind] for kind in wanted)


@pytest.mark.slow
def test_two_runs_gpu_pool_steps_never_overlap(project_instance_home) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(project_instance_home), "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "tests.feedback.pool_job"]
    processes = [subprocess.Popen(command, cwd=PROJECT_ROOT, env=env) for _ in range(2)]
    assert [p.wait(timeout=300) for p in processes] == [0, 0]
    with dg.DagsterInstance.from_config(str(project_instance_home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="pool_job"))
        assert len(runs) == 2
        first, second = sorted((step_intervals(instance, run.run_id) for run in runs), key=lambda t: t[1])
    assert first[2] <= second[1], f"steps overlapped: {first} vs {second}"
    assert second[0] < first[2], "the second run started while the first held the pool (so the pool made it wait)"


def flaky_asset(failures: int, policy: dg.RetryPolicy, counter: dict) -> dg.AssetsDefinition:
    @dg.asset(retry_policy=policy)
    def flaky() -> int:
        counter["calls"] = counter.get("calls", 0) + 1
        with non_retryable_errors():
            if counter["calls"] <= failures:
                raise ConnectionError(f"backend unavailable (attempt {counter['calls']})")
        return counter["calls"]

    return flaky


def fast(policy: dg.RetryPolicy) -> dg.RetryPolicy:
    """The same policy without the waiting (the test checks counts, not delays)."""
    return dg.RetryPolicy(max_retries=policy.max_retries, delay=0.01, backoff=policy.backoff, jitter=policy.jitter)


def restarts(result: dg.ExecuteInProcessResult) -> int:
    return sum(1 for event in result.all_events if event.event_type_value == "STEP_RESTARTED")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_transient_failure_k_times_succeeds_with_k_restarts(k: int) -> None:
    counter: dict = {}
    result = dg.materialize([flaky_asset(k, fast(BACKEND_RETRY), counter)], raise_on_error=False)
    assert result.success and restarts(result) == k and counter["calls"] == k + 1


def test_more_failures_than_retries_fail_the_step() -> None:
    counter: dict = {}
    result = dg.materialize([flaky_asset(5, fast(TRAINING_RETRY), counter)], raise_on_error=False)
    assert not result.success and restarts(result) == TRAINING_RETRY.max_retries == 2


@pytest.mark.parametrize(
    "error",
    [
        InputDataError("feedback row 3: rating 9"),
        MemoryError(),
        RuntimeError("DefaultCPUAllocator: can't allocate memory"),
    ],
)
def test_a_non_retryable_error_fails_at_once(error: Exception) -> None:
    calls = []

    @dg.asset(retry_policy=BACKEND_RETRY)
    def bad_input() -> None:
        calls.append(1)
        with non_retryable_errors():
            raise error

    result = dg.materialize([bad_input], raise_on_error=False)
    assert not result.success and restarts(result) == 0 and len(calls) == 1
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "not retried" in failure.step_failure_data.user_failure_data.description


def test_error_classification() -> None:
    assert is_non_retryable(InputDataError("x")) and is_non_retryable(MemoryError())
    assert not is_non_retryable(ConnectionError("reset")) and not is_non_retryable(RuntimeError("CUDA error: busy"))


def test_policies_back_off() -> None:
    assert BACKEND_RETRY.backoff == dg.Backoff.EXPONENTIAL and BACKEND_RETRY.delay >= 1
    assert TRAINING_RETRY.delay > BACKEND_RETRY.delay


def test_project_instance_queue_limits_and_run_retries(project_instance_home) -> None:
    with dg.DagsterInstance.from_config(str(project_instance_home)) as instance:
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 2
        assert {"key": "kodistill/run_kind", "value": "backfill", "limit": 1} in queue.tag_concurrency_limits
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
        assert not instance.run_retries_retry_on_asset_or_op_failure
        assert instance.event_log_storage.get_concurrency_info("gpu").slot_count == 1
        assert instance.run_monitoring_enabled


def test_the_postgres_instance_example_works(postgres_database, tmp_path, monkeypatch) -> None:
    """deploy/postgres/dagster.yaml against the test server: storage on PostgreSQL, same queue and retries."""
    home = tmp_path / "pg_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("KODISTILL_DAGSTER_PG_URL", postgres_database.replace("+psycopg://", "+psycopg2://"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        instance.add_run(dg.DagsterRun(job_name="retraining_job", tags={"dagster/run_key": "feedback:1-50"}))
        assert instance.get_runs_count(filters=dg.RunsFilter(tags={"dagster/run_key": "feedback:1-50"})) == 1
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 2
        assert instance.run_retries_max_retries == 1
