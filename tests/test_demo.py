"""The demo's stage runner on a real (temporary) instance: documents per partition, then the rest."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.definitions import DEMO_STAGES, defs
from orchestration.demo import run_stages
from orchestration.partitions import sync_document_partitions


def test_partitions_follow_the_folder(small_data: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, small_data / "data" / "raw_docs")
        assert len(keys) == 4 and instance.get_dynamic_partitions("documents") == keys
        (small_data / "data" / "raw_docs" / "empty_notes.txt").unlink()
        assert sync_document_partitions(instance, small_data / "data" / "raw_docs") == keys[:0] + [
            k for k in keys if "empty" not in k
        ]
        assert "empty_notes-txt" not in instance.get_dynamic_partitions("documents")


def test_demo_stages_materialize_everything(small_data: Path) -> None:
    lines: list[str] = []
    with dg.DagsterInstance.ephemeral() as instance:
        results = run_stages(defs, DEMO_STAGES, instance, lines.append)
        assert all(r.success for r in results), lines
        assert not [r for r in results if r.failed_checks], lines
        assert sum(r.job_name == "documents_job" for r in results) == 4
        assert sum(r.job_name == "distillation_job" for r in results) == 4
        checks = {name: passed for r in results for name, passed in r.checks.items()}
        assert checks == {
            "chunks:chunks_within_budget_and_non_empty": True,
            "bm25_index:index_matches_chunks": True,
            "dense_index:index_matches_chunks": True,
            "retrieval_eval:retrieval_recall_floor": True,
            "synthetic_questions:questions_balanced_and_unique": True,
            "teacher_answers:answers_present_grounded_and_rarely_failed": True,
            "products:products_quarantine_ratio": True,
            "products:products_required_columns": True,
            "category_metrics:category_metrics_consistent": True,
            "report_bullets:report_bullets_valid_and_faithful": True,
        }
        for key in ("chunks", "bm25_index", "dense_index", "retrieval_eval", "report_bullets"):
            assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None
    assert (small_data / "artifacts" / "assets" / "chunks.parquet").is_file()
    assert (small_data / "artifacts" / "knowledge" / "retriever" / "manifest.json").is_file()
    assert (small_data / "artifacts" / "catalog" / "report_bullets.json").is_file()
