"""Products CSV sensor: refresh the catalog chain whenever `products_all.csv`'s bytes change.

The cursor holds the sha256 of the file last seen. A different hash requests one run of the target
(the catalog job) with the hash as run key, so the same content never runs twice; a missing file is
a skip with the reason, never a failure. On its first tick, a file older than the latest `products`
materialization only sets the cursor (the demo already ran the catalog). Like every sensor here it
receives what it needs from `orchestration`, so `sensors/` never imports `assets/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from resources.hashing import sha256_file


def evaluate_products_file(
    cursor: str | None, path: Path, materialized_at: float | None = None
) -> tuple[RunRequest | SkipReason, str | None]:
    """The run request (or skip) for the file's current content, and the cursor to store.

    With no cursor yet (a fresh daemon), a file not modified since the catalog was last materialized
    (`materialized_at`, a timestamp) is taken as already processed: its hash becomes the cursor, no run.
    """
    if not path.is_file():
        return SkipReason(f"{path} does not exist or is not a regular file"), cursor
    current = sha256_file(path)
    if current == cursor:
        return SkipReason(f"{path.name} unchanged (sha256 {current[:12]})"), cursor
    if cursor is None and materialized_at is not None and path.stat().st_mtime < materialized_at:
        return SkipReason(f"{path.name} already materialized (sha256 {current[:12]}); watching for changes"), current
    return RunRequest(run_key=f"products:{current[:16]}", tags={"kodistill/products_sha256": current[:16]}), current


def build_products_sensor(
    job: Any, products_path: Callable[[], Path], minimum_interval_seconds: int = 30
) -> SensorDefinition:
    """A sensor that runs `job` when the file at `products_path()` (resolved each tick) changes."""

    @sensor(
        name="products_csv_sensor",
        job=job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Runs the catalog chain when products_all.csv changes (content hash in the cursor).",
    )
    def _products_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        latest = context.instance.get_latest_materialization_event(AssetKey("products")) if not context.cursor else None
        materialized_at = latest.timestamp if latest is not None else None
        request, cursor = evaluate_products_file(context.cursor, products_path(), materialized_at)
        if cursor != context.cursor and cursor is not None:
            context.update_cursor(cursor)
        return request

    return _products_sensor
