"""`nightly_backfill`: at 02:00 Asia/Seoul, materialize yesterday's feedback partition and fill the gaps.

Each tick looks back `lookback_days` (default 7) completed days. A partition is requested when it
was never materialized (missing, or its last run failed — a failed partition has no
materialization) and no run is in progress for it; yesterday is requested unless it is already
materialized or running. One run per partition, with run_key `nightly:<partition>:<tick date>`, so
a tick evaluated twice never doubles a partition. The choice itself (`partitions_to_backfill`) is
plain data in, plain data out.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import dagster as dg

from assets.feedback.partitions import FEEDBACK_TIMEZONE, feedback_daily_partitions

NIGHTLY_CRON = "0 2 * * *"
LOOKBACK_DAYS = 7
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def recent_partition_keys(now: datetime, lookback_days: int) -> list[str]:
    """The keys of the last `lookback_days` completed days before `now` (oldest first; the last is yesterday)."""
    keys = feedback_daily_partitions.get_partition_keys(current_time=now)
    return keys[-lookback_days:]


def partitions_to_backfill(window: Sequence[str], materialized: Iterable[str], in_progress: Iterable[str]) -> list[str]:
    """The keys of `window` neither materialized nor being materialized, oldest first (the gaps)."""
    done = set(materialized) | set(in_progress)
    return [key for key in window if key not in done]


def in_progress_partitions(instance: dg.DagsterInstance, job_name: str) -> set[str]:
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=IN_PROGRESS))
    return {run.tags["dagster/partition"] for run in runs if "dagster/partition" in run.tags}


def build_nightly_backfill(job: Any, lookback_days: int = LOOKBACK_DAYS) -> dg.ScheduleDefinition:
    """The nightly schedule over `job` (the `feedback_events` job)."""

    @dg.schedule(
        name="nightly_backfill",
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=FEEDBACK_TIMEZONE,
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"02:00 {FEEDBACK_TIMEZONE}: yesterday's feedback_events partition and any missing or failed "
        f"partition of the last {lookback_days} days, one run per partition.",
    )
    def nightly_backfill(context: dg.ScheduleEvaluationContext) -> dg.SkipReason | list[dg.RunRequest]:
        now = context.scheduled_execution_time or datetime.now().astimezone()
        window = recent_partition_keys(now, lookback_days)
        materialized = context.instance.get_materialized_partitions(dg.AssetKey("feedback_events"))
        wanted = partitions_to_backfill(window, materialized, in_progress_partitions(context.instance, job.name))
        if not wanted:
            return dg.SkipReason(f"the last {len(window)} feedback partitions are materialized or running")
        tick = now.strftime("%Y-%m-%d")
        return [dg.RunRequest(run_key=f"nightly:{key}:{tick}", partition_key=key) for key in wanted]

    return nightly_backfill
