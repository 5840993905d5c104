"""The retraining sensor's decision: threshold, run_key, interval, daily cap, machine load, existing runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from resources.feedback.records import AnswerFeedback
from resources.feedback.store import ApprovedBatch, FeedbackStore
from resources.feedback_resource import FeedbackStoreResource
from resources.machine_load import MachineLoad, read_machine_load
from sensors.feedback import (
    RETRAINING_JOB_NAME,
    UP_TO_ID_TAG,
    RetrainingHistory,
    RetrainingPolicy,
    build_feedback_retraining_sensor,
    decide_retraining,
    parse_cursor,
    start_of_day,
)

CALM = MachineLoad(cpu_percent=10, memory_percent=20, gpu_percent=None)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def calm() -> MachineLoad:
    return CALM


def batch(found: int, first: int = 11, max_id: int = 200) -> ApprovedBatch:
    return ApprovedBatch(found, first if found else None, first + found - 1 if found else None, max_id)


def no_history() -> RetrainingHistory:
    return RetrainingHistory(last_created_at=None, runs_today=0)


def test_below_threshold_skips_and_keeps_the_cursor() -> None:
    decision = decide_retraining(10, batch(49), no_history, calm, RetrainingPolicy(), NOW)
    assert isinstance(decision.request, dg.SkipReason) and decision.cursor == 10
    assert "threshold: only 49 new approved feedback rows after id 10 (need 50)" in decision.request.skip_message


def test_at_threshold_one_run_request_keyed_by_the_id_range() -> None:
    decision = decide_retraining(10, batch(50), no_history, calm, RetrainingPolicy(), NOW)
    request = decision.request
    assert isinstance(request, dg.RunRequest) and request.run_key == "feedback:11-60"
    assert request.tags[UP_TO_ID_TAG] == "200" and decision.cursor == 200


def test_an_existing_run_for_the_batch_moves_the_cursor_without_a_second_run() -> None:
    history = RetrainingHistory(last_created_at=NOW, runs_today=1, existing_batch_end=180)
    decision = decide_retraining(10, batch(50), lambda: history, calm, RetrainingPolicy(), NOW)
    assert isinstance(decision.request, dg.SkipReason) and decision.cursor == 180
    assert "already requested: run_key feedback:11-60" in decision.request.skip_message


@pytest.mark.parametrize(
    ("history", "now", "reason"),
    [
        (RetrainingHistory(NOW - timedelta(hours=2), 1), NOW, "minimum interval: last retraining started 2.0 h ago"),
        (RetrainingHistory(NOW - timedelta(hours=7), 4), NOW, "daily cap: 4 retraining runs already today"),
    ],
)
def test_interval_and_daily_cap_hold_the_run_back(history, now, reason) -> None:
    decision = decide_retraining(0, batch(60), lambda: history, calm, RetrainingPolicy(), now)
    assert isinstance(decision.request, dg.SkipReason) and reason in decision.request.skip_message
    assert decision.cursor == 0


def test_interval_passed_and_under_the_cap_requests_a_run() -> None:
    history = RetrainingHistory(NOW - timedelta(hours=6, seconds=1), 3)
    assert isinstance(
        decide_retraining(0, batch(60), lambda: history, calm, RetrainingPolicy(), NOW).request, dg.RunRequest
    )


@pytest.mark.parametrize(
    ("load", "reason"),
    [
        (MachineLoad(85, 10, None), "machine load: CPU load 85% ≥ 85%"),
        (MachineLoad(10, 80.5, None), "machine load: memory use 80% ≥ 80%"),
        (MachineLoad(10, 10, 95), "machine load: GPU load 95% ≥ 90%"),
    ],
)
def test_load_thresholds_hold_the_run_back(load, reason) -> None:
    decision = decide_retraining(0, batch(60), no_history, lambda: load, RetrainingPolicy(), NOW)
    assert isinstance(decision.request, dg.SkipReason) and decision.request.skip_message == reason


def test_history_and_load_are_read_only_when_needed() -> None:
    def fail() -> MachineLoad:
        raise AssertionError("load read although the threshold was not met")

    def no_history_read() -> RetrainingHistory:
        raise AssertionError("run history read although the threshold was not met")

    decide_retraining(0, batch(3), no_history_read, fail, RetrainingPolicy(), NOW)


def test_cursor_parsing() -> None:
    assert parse_cursor(None) == 0 and parse_cursor("") == 0 and parse_cursor("42") == 42
    with pytest.raises(ValueError, match="not a feedback id"):
        parse_cursor("abc")


def test_the_day_starts_at_midnight_in_seoul() -> None:
    assert (
        start_of_day(datetime(2026, 11, 30, 15, 30, tzinfo=UTC), "Asia/Seoul").isoformat()
        == "2026-12-01T00:00:00+09:00"
    )


def test_machine_load_reader_gives_percentages() -> None:
    load = read_machine_load()
    assert 0 <= load.cpu_percent <= 100 and 0 < load.memory_percent <= 100
    assert load.gpu_percent is None or 0 <= load.gpu_percent <= 100


# --- the sensor definition over a real store and instance -------------------------------------------


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


def evaluate(sensor: dg.SensorDefinition, instance, url: str, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, instance=instance, resources={"feedback_store": FeedbackStoreResource(url=url)}
    )
    return sensor.evaluate_tick(context)


def add_run(instance, run_key: str, up_to: int) -> None:
    instance.add_run(
        dg.DagsterRun(job_name=RETRAINING_JOB_NAME, tags={"dagster/run_key": run_key, UP_TO_ID_TAG: str(up_to)})
    )


def test_sensor_on_a_store_and_instance(tmp_path, instance) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = FeedbackStore(url)
    store.add_feedback([AnswerFeedback("qa", "질문", "답변", 2) for _ in range(5)])  # ids 1-5, not approved
    store.add_feedback([AnswerFeedback("qa", "질문", "답변", 5) for _ in range(49)])  # ids 6-54
    now = datetime.now(UTC)
    sensor = build_feedback_retraining_sensor(clock=lambda: now, load_reader=calm)
    skipped = evaluate(sensor, instance, url, None)
    assert not skipped.run_requests and "only 49 new approved" in skipped.skip_message
    assert skipped.cursor == "0"
    store.add_feedback([AnswerFeedback("bullets", "요약", "불릿", 1, correction="고친 불릿")])  # id 55, approved
    fired = evaluate(sensor, instance, url, "0")
    assert [r.run_key for r in fired.run_requests] == ["feedback:6-55"] and fired.cursor == "55"
    # The run exists now (created a moment ago): the same batch again is recognised; a new batch waits 6 h.
    add_run(instance, "feedback:6-55", 55)
    again = evaluate(sensor, instance, url, "0")
    assert not again.run_requests and again.cursor == "55" and "already requested" in again.skip_message
    store.add_feedback([AnswerFeedback("qa", "질문", "답변", 4) for _ in range(50)])
    held = evaluate(sensor, instance, url, "55")
    assert not held.run_requests and held.skip_message.startswith("minimum interval") and held.cursor == "55"
    later = build_feedback_retraining_sensor(clock=lambda: now + timedelta(hours=6, minutes=1), load_reader=calm)
    assert [r.run_key for r in evaluate(later, instance, url, "55").run_requests] == ["feedback:56-105"]
    store.dispose()


def test_sensor_daily_cap_counts_todays_runs(tmp_path, instance) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    FeedbackStore(url).add_feedback([AnswerFeedback("qa", "질문", "답변", 5) for _ in range(50)])
    for number in range(4):
        add_run(instance, f"earlier-{number}", 0)
    policy = RetrainingPolicy(min_interval=timedelta(0))
    sensor = build_feedback_retraining_sensor(policy=policy, clock=lambda: datetime.now(UTC), load_reader=calm)
    result = evaluate(sensor, instance, url, None)
    assert not result.run_requests and result.skip_message.startswith("daily cap: 4 retraining runs already today")


def test_a_raising_tick_propagates_and_the_next_tick_sees_the_same_rows(tmp_path, instance) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    FeedbackStore(url).add_feedback([AnswerFeedback("qa", "질문", "답변", 5) for _ in range(50)])

    def broken() -> MachineLoad:
        raise RuntimeError("psutil failed")

    with pytest.raises(Exception, match="psutil failed"):
        evaluate(build_feedback_retraining_sensor(load_reader=broken), instance, url, "0")
    retried = evaluate(build_feedback_retraining_sensor(load_reader=calm), instance, url, "0")
    assert [r.run_key for r in retried.run_requests] == ["feedback:1-50"]


def test_daily_cap_counts_runs_when_the_local_day_starts_ahead_of_utc(tmp_path, instance) -> None:
    """A time zone whose midnight is the start of the current UTC hour: from 10:00 UTC on it is ahead of UTC
    (Seoul's day starts at 15:00 UTC), where a local-time storage filter used to hide today's runs."""
    url = f"sqlite:///{tmp_path / 'f.db'}"
    FeedbackStore(url).add_feedback([AnswerFeedback("qa", "질문", "답변", 5) for _ in range(50)])
    for number in range(4):
        add_run(instance, f"earlier-{number}", 0)
    hour = datetime.now(UTC).hour
    zone = f"Etc/GMT-{24 - hour}" if hour >= 10 else f"Etc/GMT+{hour}"  # Etc/GMT-N is UTC+N
    policy = RetrainingPolicy(min_interval=timedelta(0), timezone=zone)
    sensor = build_feedback_retraining_sensor(policy=policy, clock=lambda: datetime.now(UTC), load_reader=calm)
    result = evaluate(sensor, instance, url, None)
    assert not result.run_requests and result.skip_message.startswith("daily cap: 4 retraining runs already today")
