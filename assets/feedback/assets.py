"""The feedback group: daily feedback events and the training examples built from the feedback store.

* `feedback_events` (daily partitions by created_at, Asia/Seoul): the rows of that day, as stored.
* `feedback_examples` (unpartitioned): approved, length-bounded, scrubbed and deduplicated training
  examples (columns `feedback_id, task, prompt, target, rating, model_version, created_at`) that
  `sft_dataset` reads. It reads the store directly rather than the daily partitions, so the rows of
  today — the ones that made the retraining sensor fire — are included; a run requested by the
  sensor reads exactly the rows up to the id in its `kodistill/feedback_up_to_id` tag, so a retried
  run trains on the same data. It depends on `feedback_events` for lineage only.

Both call the database, so both carry `BACKEND_RETRY`; bad data fails at once (`non_retryable_errors`).
"""

import dagster as dg
import pandas as pd
from pydantic import Field

from assets.feedback.examples import ExampleBounds, events_frame, select_examples
from assets.feedback.partitions import day_bounds, feedback_daily_partitions
from assets.metadata import Stopwatch
from assets.retry_policies import BACKEND_RETRY, non_retryable_errors
from resources.feedback_resource import FeedbackStoreResource

GROUP = "feedback"
UP_TO_ID_TAG = "kodistill/feedback_up_to_id"  # set by sensors.feedback on the runs it requests
PREVIEW_ROWS = 5


class FeedbackExamplesConfig(dg.Config):
    """Length bounds of a training example, in characters."""

    min_prompt_chars: int = Field(default=2, ge=1)
    max_prompt_chars: int = Field(default=2000, ge=1)
    min_target_chars: int = Field(default=2, ge=1)
    max_target_chars: int = Field(default=4000, ge=1)


def _preview(frame: pd.DataFrame, columns: list[str]) -> dg.MetadataValue:
    head = frame[columns].head(PREVIEW_ROWS).copy()
    for column in head.columns:
        if head[column].dtype == object:
            head[column] = head[column].astype(str).str.slice(0, 60)
    return dg.MetadataValue.md(head.to_markdown(index=False) if len(head) else "(no rows)")


@dg.asset(
    group_name=GROUP,
    kinds={"sql", "pandas", "parquet"},
    partitions_def=feedback_daily_partitions,
    retry_policy=BACKEND_RETRY,
    automation_condition=dg.AutomationCondition.on_missing(),
)
def feedback_events(context: dg.AssetExecutionContext, feedback_store: FeedbackStoreResource) -> dg.Output:
    """The feedback rows created on the partition's day (Asia/Seoul), as stored: task, input, output,
    correction, rating, model version, created_at (UTC)."""
    watch = Stopwatch()
    start, end = day_bounds(context.partition_key)
    with non_retryable_errors():
        frame = events_frame(feedback_store.get().feedback_created_between(start, end))
    approved = int(((frame["rating"] >= 4) | frame["correction"].notna()).sum()) if len(frame) else 0
    return dg.Output(
        frame,
        metadata={
            "rows": len(frame),
            "approved": approved,
            "by_task": dg.MetadataValue.json(frame["task"].value_counts().to_dict() if len(frame) else {}),
            "day_start": start.isoformat(),
            "preview": _preview(frame, ["feedback_id", "task", "input", "rating"]),
            "compute_seconds": watch.seconds,
        },
    )


@dg.asset(
    group_name=GROUP,
    kinds={"sql", "pandas", "parquet"},
    deps=[feedback_events],
    retry_policy=BACKEND_RETRY,
    automation_condition=dg.AutomationCondition.on_missing(),
)
def feedback_examples(
    context: dg.AssetExecutionContext, config: FeedbackExamplesConfig, feedback_store: FeedbackStoreResource
) -> dg.Output:
    """Training examples from user feedback: rating ≥ 4 or a correction, prompt/target within the length
    bounds, phone numbers, e-mails, resident registration and card numbers scrubbed, duplicates removed;
    target = the correction when given, else the model output. Rows up to the sensor's batch end."""
    watch = Stopwatch()
    up_to = context.run.tags.get(UP_TO_ID_TAG)
    with non_retryable_errors():
        rows = feedback_store.get().approved_after(0, up_to_id=int(up_to) if up_to else None)
        bounds = ExampleBounds(**config.model_dump())
        selection = select_examples(rows, bounds)
    frame = selection.frame
    return dg.Output(
        frame,
        metadata={
            "rows": len(frame),
            "approved_rows_read": len(rows),
            "up_to_feedback_id": int(up_to) if up_to else (int(frame["feedback_id"].max()) if len(frame) else 0),
            "dropped": dg.MetadataValue.json(dict(selection.dropped)),
            "personal_data_scrubbed": dg.MetadataValue.json(dict(selection.scrubbed)),
            "by_task": dg.MetadataValue.json(frame["task"].value_counts().to_dict() if len(frame) else {}),
            "preview": _preview(frame, ["feedback_id", "task", "prompt", "target"]),
            "compute_seconds": watch.seconds,
        },
    )
