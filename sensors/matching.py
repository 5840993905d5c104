"""Selection log sensor: re-learn aliases and rebuild the item index once enough new selections arrived.

The cursor holds the id of the last selection a run was requested for. When at least `min_new`
selections have ids above it, one run of the target (the matching job: learned_aliases → item_index
→ matching_eval) is requested with run key `selections:<last id>`, so the same selections never run
twice, and the cursor moves to that id.
"""

from __future__ import annotations

from typing import Any

from dagster import DefaultSensorStatus, RunRequest, SensorDefinition, SensorEvaluationContext, SkipReason, sensor

from resources.matching.learning import SelectionSource
from resources.matching_resource import SelectionLogResource

DEFAULT_MIN_NEW = 50


def evaluate_selection_log(source: SelectionSource, cursor: int, min_new: int) -> tuple[RunRequest | SkipReason, int]:
    """The run request (or skip) for the selections logged after `cursor`, and the next cursor."""
    fresh = source.selections(after_id=cursor, limit=min_new)
    if len(fresh) < min_new:
        return SkipReason(f"{len(fresh)} new selection(s) after id {cursor}; waiting for {min_new}"), cursor
    last = fresh[-1].id
    request = RunRequest(run_key=f"selections:{last}", tags={"kodistill/selections_through": str(last)})
    return request, last


def build_selection_sensor(
    job: Any, min_new: int = DEFAULT_MIN_NEW, minimum_interval_seconds: int = 60
) -> SensorDefinition:
    """A sensor that runs `job` each time `min_new` more selections are logged."""

    @sensor(
        name="selection_log_sensor",
        job=job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Re-learns aliases and rebuilds the item index after every {min_new} new selections.",
    )
    def _selection_sensor(context: SensorEvaluationContext, selection_log: SelectionLogResource) -> Any:
        cursor = int(context.cursor or 0)
        result, next_cursor = evaluate_selection_log(selection_log.source(), cursor, min_new)
        context.update_cursor(str(next_cursor))
        return result

    return _selection_sensor
