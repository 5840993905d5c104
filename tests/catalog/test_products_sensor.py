"""The products CSV sensor: a run per new content of products_all.csv, never twice for the same bytes."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.definitions import products_csv_sensor
from sensors.catalog import evaluate_products_file


def test_content_changes_request_runs_once(tmp_path: Path) -> None:
    csv = tmp_path / "products_all.csv"
    csv.write_text("category,product\n노트북,그램\n", encoding="utf-8")
    first, cursor = evaluate_products_file(None, csv)
    assert isinstance(first, dg.RunRequest) and first.run_key == f"products:{cursor[:16]}"
    same, same_cursor = evaluate_products_file(cursor, csv)
    assert isinstance(same, dg.SkipReason) and same_cursor == cursor
    csv.write_text("category,product\n노트북,그램 16\n", encoding="utf-8")
    changed, new_cursor = evaluate_products_file(cursor, csv)
    assert isinstance(changed, dg.RunRequest) and new_cursor != cursor and changed.run_key != first.run_key


def test_a_fresh_cursor_skips_a_file_already_materialized(tmp_path: Path) -> None:
    csv = tmp_path / "products_all.csv"
    csv.write_text("category,product\n노트북,그램\n", encoding="utf-8")
    later = csv.stat().st_mtime + 10
    result, cursor = evaluate_products_file(None, csv, materialized_at=later)
    assert isinstance(result, dg.SkipReason) and "already materialized" in result.skip_message and cursor
    earlier = csv.stat().st_mtime - 10
    result, _ = evaluate_products_file(None, csv, materialized_at=earlier)
    assert isinstance(result, dg.RunRequest)


def test_missing_file_or_folder_is_a_skip_with_the_reason(tmp_path: Path) -> None:
    for path in (tmp_path / "nowhere.csv", tmp_path):
        result, cursor = evaluate_products_file("abc", path)
        assert isinstance(result, dg.SkipReason) and "not a regular file" in result.skip_message
        assert cursor == "abc"


def test_the_sensor_targets_the_catalog_job(small_data: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance)
        result = products_csv_sensor(context)
    assert isinstance(result, dg.RunRequest) and context.cursor
    assert products_csv_sensor.job_name == "catalog_job"
