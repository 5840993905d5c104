"""The retraining sensor driven by the Dagster daemon's own sensor loop, on SQLite and PostgreSQL instance
storage: a crash between run submission and cursor update yields exactly one run; a tick that raises
keeps the cursor and the next tick requests the same rows; the same rows never run twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.scheduler.instigation import TickStatus

from resources.feedback.records import AnswerFeedback
from resources.feedback.store import FeedbackStore
from resources.paths import PROJECT_ROOT
from sensors.feedback import RETRAINING_JOB_NAME, SENSOR_NAME, UP_TO_ID_TAG
from tests.feedback.daemon_defs import MIN_INTERVAL_SECONDS
from tests.feedback.sensor_daemon import run_iteration

pytestmark = pytest.mark.slow  # each test starts the daemon's workspace (and a child process) a few times


def dagster_postgres_url(url: str) -> str:
    """dagster-postgres speaks psycopg2; with SQLAlchemy 2.1 a bare postgresql:// would pick psycopg 3."""
    return url.replace("postgresql+psycopg://", "postgresql+psycopg2://")


def instance_config(kind: str, home: Path, request: pytest.FixtureRequest) -> dict:
    coordinator = {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}
    if kind == "sqlite":
        storage = {"sqlite": {"base_dir": str(home)}}
    else:
        storage = {"postgres": {"postgres_url": dagster_postgres_url(request.getfixturevalue("postgres_database"))}}
    return {"storage": storage, "run_coordinator": coordinator, "telemetry": {"enabled": False}}


@pytest.fixture(params=["sqlite", "postgresql"])
def daemon_env(request, tmp_path, monkeypatch) -> Iterator[dict]:
    """DAGSTER_HOME with an instance on SQLite or PostgreSQL, a feedback store, and the load switch file."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    config = instance_config(request.param, home, request)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        "DAGSTER_HOME": str(home),
        "KODISTILL_FEEDBACK_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "KODISTILL_TEST_LOAD_FILE": str(tmp_path / "load.json"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


def add_approved(count: int) -> list[int]:
    store = FeedbackStore(os.environ["KODISTILL_FEEDBACK_URL"])
    ids = store.add_feedback([AnswerFeedback("qa", f"질문 {i}", "답변입니다", 5) for i in range(count)])
    store.dispose()
    return ids


def iterate(crash_at: str | None = None) -> None:
    time.sleep(MIN_INTERVAL_SECONDS + 0.05)  # the daemon skips a sensor evaluated less than its interval ago
    with dg.DagsterInstance.get() as instance:
        run_iteration(instance, crash_at)


def iterate_in_subprocess(crash_at: str) -> int:
    """One daemon iteration in a child process that kills itself (SIGKILL) at `crash_at`; its exit status."""
    command = [sys.executable, "-m", "tests.feedback.sensor_daemon", "--crash-at", crash_at]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != -signal.SIGKILL:
        print(done.stdout[-3000:], done.stderr[-3000:])  # shown by pytest when the assertion below fails
    return done.returncode


def state() -> tuple[list[dg.DagsterRun], str | None, list]:
    """Retraining runs, the sensor's stored cursor and its ticks (newest first)."""
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=RETRAINING_JOB_NAME))
        states = [s for s in instance.all_instigator_state() if s.name == SENSOR_NAME]
        cursor = states[0].instigator_data.cursor if states and states[0].instigator_data else None
        ticks = instance.get_ticks(states[0].instigator_origin_id, states[0].selector_id) if states else []
    return runs, cursor, ticks


@pytest.mark.parametrize("crash_at", ["RUN_CREATED", "RUN_LAUNCHED"])
def test_a_crash_between_submission_and_cursor_update_yields_one_run(daemon_env, crash_at) -> None:
    add_approved(60)
    assert iterate_in_subprocess(crash_at) == -signal.SIGKILL
    runs, cursor, _ = state()
    assert cursor is None, "the crashed tick stored no cursor"
    assert len(runs) == 1 and runs[0].tags["dagster/run_key"] == "feedback:1-50"
    add_approved(10)  # more feedback arrives before the daemon comes back
    iterate()  # the daemon resumes the interrupted tick
    runs, cursor, ticks = state()
    assert len(runs) == 1 and cursor == "60" and ticks[0].status == TickStatus.SUCCESS
    iterate()
    runs, cursor, ticks = state()
    assert len(runs) == 1 and cursor == "60"
    assert "only 10 new approved feedback rows after id 60" in ticks[0].skip_reason


def test_a_re_evaluated_crashed_tick_finds_its_run_instead_of_a_second_one(daemon_env) -> None:
    """When the interrupted tick is too old to resume (the daemon marks it skipped), the sensor is evaluated
    afresh with the old cursor: it names the same run_key, finds the run and moves the cursor to its end."""
    add_approved(60)
    assert iterate_in_subprocess("RUN_LAUNCHED") == -signal.SIGKILL
    add_approved(10)
    with dg.DagsterInstance.get() as instance:
        _, _, ticks = state()
        instance.update_tick(ticks[0].with_status(TickStatus.SKIPPED))  # what the daemon does after 24 h
    iterate()
    runs, cursor, ticks = state()
    assert len(runs) == 1 and runs[0].tags[UP_TO_ID_TAG] == "60"
    assert cursor == "60" and "already requested: run_key feedback:1-50" in ticks[0].skip_reason


def test_a_tick_that_raises_keeps_the_cursor_and_the_next_tick_sees_the_same_rows(daemon_env) -> None:
    add_approved(55)
    load_file = Path(os.environ["KODISTILL_TEST_LOAD_FILE"])
    load_file.write_text(json.dumps({"raise": True}))
    iterate()
    runs, cursor, ticks = state()
    assert not runs and cursor is None and ticks[0].status == TickStatus.FAILURE
    load_file.write_text(json.dumps({"cpu": 10}))
    iterate()
    runs, cursor, _ = state()
    assert [r.tags["dagster/run_key"] for r in runs] == ["feedback:1-50"] and cursor == "55"
    iterate()  # the same rows again: nothing new after the cursor
    runs, cursor, ticks = state()
    assert len(runs) == 1 and ticks[0].status == TickStatus.SKIPPED


def test_a_busy_machine_holds_the_run_back_without_moving_the_cursor(daemon_env) -> None:
    add_approved(50)
    load_file = Path(os.environ["KODISTILL_TEST_LOAD_FILE"])
    load_file.write_text(json.dumps({"cpu": 20, "memory": 92}))
    iterate()
    runs, cursor, ticks = state()
    assert not runs and cursor in (None, "0") and "memory use 92% ≥ 80%" in ticks[0].skip_reason
    load_file.write_text(json.dumps({"cpu": 20, "memory": 40, "gpu": 30}))
    iterate()
    runs, cursor, _ = state()
    assert len(runs) == 1 and cursor == "50"
