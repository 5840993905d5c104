"""The main job end to end: one run over every document, each partition materialized once, every check
passing; and the demo's launch through the workspace, whose run carries the code-location origin."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from orchestration.demo import SOURCE_TAG, follow_run, launched_through_workspace, partition_range_tags
from orchestration.partitions import sync_document_partitions
from resources.paths import PROJECT_ROOT
from tests.pipeline import checks_of, materialize_folder

EXPECTED_CHECKS = {
    "chunks:chunks_within_budget_and_non_empty",
    "bm25_index:index_matches_chunks",
    "dense_index:index_matches_chunks",
    "retrieval_eval:retrieval_recall_floor",
    "synthetic_questions:questions_balanced_and_unique",
    "teacher_answers:answers_present_grounded_and_rarely_failed",
    "teacher_answers:answers_cite_their_source_and_contain_the_answer",
    "products:products_quarantine_ratio",
    "products:products_required_columns",
    "category_metrics:category_metrics_consistent",
    "report_bullets:report_bullets_valid_and_faithful",
    "matching_eval:matching_accuracy_floor",  # item matching (issue 12)
    "matching_eval:matching_no_regression",
    # the student chain (ci preset in tests)
    "sft_dataset:sft_splits_valid",
    "student_model:finite_loss",
    "student_model:validation_loss_below_untrained",
    "champion_model:margin_rule",
}


def test_partitions_follow_the_folder(small_data: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, small_data / "data" / "raw_docs")
        assert len(keys) == 4 and instance.get_dynamic_partitions("documents") == keys
        (small_data / "data" / "raw_docs" / "empty_notes.txt").unlink()
        assert sync_document_partitions(instance, small_data / "data" / "raw_docs") == [
            k for k in keys if "empty" not in k
        ]
        assert "empty_notes-txt" not in instance.get_dynamic_partitions("documents")


def _materializations_per_partition(instance: dg.DagsterInstance, asset: str) -> dict[str, int]:
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=1000).records
    counts: dict[str, int] = {}
    for record in records:
        counts[record.partition_key] = counts.get(record.partition_key, 0) + 1
    return counts


def test_one_run_materializes_each_partition_once(small_data: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize_folder(instance, small_data)
        assert result.success
        assert checks_of(result) == dict.fromkeys(EXPECTED_CHECKS, True)
        keys = instance.get_dynamic_partitions("documents")
        for asset in ("documents", "synthetic_questions", "teacher_answers"):
            assert _materializations_per_partition(instance, asset) == dict.fromkeys(keys, 1), asset
        assert len(instance.get_runs()) == 1
    evaluation = pd.read_parquet(small_data / "artifacts" / "assets" / "retrieval_eval.parquet")
    scopes = set(evaluation["scope"])
    assert {"all", "type:정의", "type:규정"} <= scopes and any(scope.startswith("doc:") for scope in scopes)
    answers = pd.read_parquet(small_data / "artifacts" / "assets" / "teacher_answers" / f"{keys[0]}.parquet")
    assert {"expected_answer", "cites_source", "contains_answer"} <= set(answers.columns)
    assert (small_data / "artifacts" / "assets" / "chunks.parquet").is_file()
    assert (small_data / "artifacts" / "knowledge" / "retriever" / "manifest.json").is_file()
    assert (small_data / "artifacts" / "catalog" / "report_bullets.json").is_file()


@pytest.mark.slow
def test_demo_run_belongs_to_the_code_location(small_data: Path, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        keys = sync_document_partitions(instance, small_data / "data" / "raw_docs")
        tags = {SOURCE_TAG: "demo", **partition_range_tags(keys)}
        lines: list[str] = []
        workspace = PROJECT_ROOT / "workspace.yaml"
        with launched_through_workspace(instance, workspace, "all_assets_job", tags) as run_id:
            outcome = follow_run(instance, run_id, lines.append)
        assert outcome.success, lines
        assert set(outcome.checks) == EXPECTED_CHECKS and not outcome.failed_checks
        run = instance.get_run_by_id(run_id)
        assert run.remote_job_origin is not None
        assert run.remote_job_origin.location_name == "kodistill"
        assert run.tags[SOURCE_TAG] == "demo"
        assert any(line.startswith("  teacher_answers") for line in lines)
