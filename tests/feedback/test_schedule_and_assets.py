"""feedback_events (days in Asia/Seoul), feedback_examples (sensor batch bounds), and the nightly_backfill
schedule: the right partition key for a given time, gap detection, once per partition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import dagster as dg
import pytest

from assets.feedback.assets import UP_TO_ID_TAG, feedback_events, feedback_examples
from orchestration.definitions import defs
from orchestration.jobs import feedback_events_job
from orchestration.schedules import build_nightly_backfill, partitions_to_backfill, recent_partition_keys
from resources.feedback.records import AnswerFeedback
from resources.feedback.store import FeedbackStore
from resources.feedback_resource import FeedbackStoreResource
from resources.io_managers import AtomicParquetIOManager

KST = timezone(timedelta(hours=9))


@pytest.fixture
def env(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    resources = {
        "feedback_store": FeedbackStoreResource(url=url),
        "io_manager": AtomicParquetIOManager(base_dir=str(tmp_path / "assets")),
    }
    with dg.instance_for_test() as instance:
        yield FeedbackStore(url), resources, instance


def test_recent_partition_keys_end_yesterday_in_seoul() -> None:
    at_two_kst = datetime(2026, 12, 2, 2, 0, tzinfo=KST)  # = 2026-12-01 17:00 UTC
    assert recent_partition_keys(at_two_kst, 3) == ["2026-11-29", "2026-11-30", "2026-12-01"]
    just_before_midnight = datetime(2026, 12, 1, 23, 59, tzinfo=KST)
    assert recent_partition_keys(just_before_midnight, 1) == ["2026-11-30"]


def test_gap_detection_is_plain() -> None:
    window = ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]
    assert partitions_to_backfill(window, {"2026-11-28", "2026-10-01"}, {"2026-11-30"}) == ["2026-11-27", "2026-11-29"]
    assert partitions_to_backfill(window, window, []) == []


def test_feedback_events_holds_the_rows_of_its_seoul_day(env) -> None:
    store, resources, instance = env
    store.add_feedback(
        [
            AnswerFeedback("qa", "전날 밤", "답", 5, created_at=datetime(2026, 11, 29, 23, 59, tzinfo=KST)),
            AnswerFeedback("qa", "자정", "답", 5, created_at=datetime(2026, 11, 30, 0, 0, tzinfo=KST)),
            AnswerFeedback("bullets", "UTC로는 전날", "답", 2, created_at=datetime(2026, 11, 29, 20, 0, tzinfo=UTC)),
            AnswerFeedback("qa", "다음 날", "답", 5, created_at=datetime(2026, 12, 1, 0, 0, tzinfo=KST)),
        ]
    )
    result = dg.materialize([feedback_events], partition_key="2026-11-30", resources=resources, instance=instance)
    frame = result.output_for_node("feedback_events")
    assert frame["input"].tolist() == ["자정", "UTC로는 전날"]
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["rows"].value == 2 and metadata["approved"].value == 1


def test_feedback_examples_reads_up_to_the_sensor_batch_end(env) -> None:
    store, resources, instance = env
    store.add_feedback([AnswerFeedback("qa", f"질문 {i}", "답변입니다", 5) for i in range(6)])
    store.add_feedback([AnswerFeedback("qa", "연락처 010-1111-2222", "답변입니다", 1, correction="고친 답변")])
    store.add_feedback([AnswerFeedback("qa", "질문 0", "답변입니다", 5)])  # duplicate of id 1
    limited = dg.materialize(
        [feedback_events, feedback_examples],
        selection=[feedback_examples],
        resources=resources,
        instance=instance,
        tags={UP_TO_ID_TAG: "4"},
    )
    assert limited.output_for_node("feedback_examples")["feedback_id"].tolist() == [1, 2, 3, 4]
    everything = dg.materialize(
        [feedback_events, feedback_examples], selection=[feedback_examples], resources=resources, instance=instance
    )
    frame = everything.output_for_node("feedback_examples")
    assert frame["feedback_id"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert frame.set_index("feedback_id").loc[7, "prompt"] == "연락처 [전화번호]"
    assert frame.set_index("feedback_id").loc[7, "target"] == "고친 답변"
    metadata = everything.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["dropped"].value == {"duplicate": 1} and metadata["personal_data_scrubbed"].value == {"phone": 1}


def test_nightly_backfill_requests_yesterday_and_the_gaps_once(env) -> None:
    store, resources, instance = env
    schedule = build_nightly_backfill(feedback_events_job, lookback_days=5)
    tick_time = datetime(2026, 12, 2, 2, 0, tzinfo=KST)
    for day in ("2026-11-28", "2026-11-30"):
        dg.materialize([feedback_events], partition_key=day, resources=resources, instance=instance)
    instance.add_run(  # what a failed run of a partition leaves: the run, no materialization
        dg.DagsterRun(
            job_name=feedback_events_job.name,
            status=dg.DagsterRunStatus.FAILURE,
            tags={"dagster/partition": "2026-11-29"},
        )
    )
    instance.add_run(
        dg.DagsterRun(
            job_name=feedback_events_job.name,
            status=dg.DagsterRunStatus.STARTED,
            tags={"dagster/partition": "2026-11-27"},
        )
    )
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=tick_time, repository_def=defs.get_repository_def()
    )
    requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2026-11-29", "2026-12-01"]  # failed gap, then yesterday
    assert [r.run_key for r in requests] == ["nightly:2026-11-29:2026-12-02", "nightly:2026-12-01:2026-12-02"]
    for day in ("2026-11-29", "2026-12-01"):
        dg.materialize([feedback_events], partition_key=day, resources=resources, instance=instance)
    assert "materialized or running" in schedule.evaluate_tick(context).skip_message


def test_the_schedule_sensor_and_jobs_are_in_the_code_location() -> None:
    schedule = defs.resolve_schedule_def("nightly_backfill")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.execution_timezone == "Asia/Seoul"
    sensor = defs.resolve_sensor_def("feedback_retraining_sensor")
    assert sensor.job_name == "retraining_job"
    retraining = defs.resolve_job_def("retraining_job")
    assert retraining.tags["dagster/priority"] == "10"
    assert int(defs.resolve_job_def("feedback_events_job").tags["dagster/priority"]) < 0
    assert dg.AssetKey("feedback_examples") in retraining.asset_layer.selected_asset_keys
    for name in ("feedback_events", "feedback_examples"):
        assert defs.resolve_assets_def(name).op.retry_policy is not None
