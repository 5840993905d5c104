"""synthetic_questions and teacher_answers materialized for two document partitions, checks asserted;
a teacher run killed mid-partition resumes from its checkpoint without duplicates."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.distillation.checkpoint import JsonlCheckpoint
from assets.distillation.questions import QUESTION_TYPES
from assets.distillation.teacher import BatchAnswerer
from orchestration.definitions import defs
from orchestration.demo import Stage, run_stages
from orchestration.partitions import sync_document_partitions
from resources.llm.extractive import ExtractiveTeacher
from resources.retrieval.hybrid import HybridRetriever
from tests.conftest import copy_small_data


@pytest.fixture
def two_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_small_data(tmp_path, documents=2)
    (tmp_path / "data" / "raw_docs" / "empty_notes.txt").unlink()
    monkeypatch.setenv("KODISTILL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KODISTILL_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    return tmp_path


def _keys(root: Path):
    return lambda instance: sync_document_partitions(instance, root / "data" / "raw_docs")


def _answers(root: Path, key: str) -> pd.DataFrame:
    return pd.read_parquet(root / "artifacts" / "assets" / "teacher_answers" / f"{key}.parquet")


def test_two_partitions_with_checks(two_documents: Path) -> None:
    lines: list[str] = []
    stages = [
        Stage("documents_job", _keys(two_documents)),
        Stage("knowledge_job"),
        Stage("distillation_job", _keys(two_documents)),
    ]
    with dg.DagsterInstance.ephemeral() as instance:
        results = run_stages(defs, stages, instance, lines.append)
        keys = instance.get_dynamic_partitions("documents")
    distillation = [r for r in results if r.job_name == "distillation_job"]
    assert len(distillation) == 2 and all(r.success for r in distillation), lines
    for result in distillation:
        assert result.checks == {
            "synthetic_questions:questions_balanced_and_unique": True,
            "teacher_answers:answers_present_grounded_and_rarely_failed": True,
        }
    for key in keys:
        questions = pd.read_parquet(two_documents / "artifacts" / "assets" / "synthetic_questions" / f"{key}.parquet")
        answers = _answers(two_documents, key)
        assert set(questions["qtype"]) == set(QUESTION_TYPES)
        assert (questions["doc_id"] == key).all() and questions["question"].is_unique
        assert answers["question_id"].tolist() == questions["question_id"].tolist()
        assert (answers["status"] == "answered").all() and (answers["groundedness"] == 1.0).all()
        assert all(len(cited) >= 1 for cited in answers["cited_ids"])


def test_killed_run_resumes_from_checkpoint(two_documents: Path) -> None:
    lines: list[str] = []
    with dg.DagsterInstance.ephemeral() as instance:
        run_stages(defs, [Stage("documents_job", _keys(two_documents)), Stage("knowledge_job")], instance, lines.append)
        key = instance.get_dynamic_partitions("documents")[0]
        job = defs.resolve_job_def("distillation_job")
        questions_only = job.get_subset(asset_selection={dg.AssetKey("synthetic_questions")})
        assert questions_only.execute_in_process(instance=instance, partition_key=key).success
        questions = pd.read_parquet(two_documents / "artifacts" / "assets" / "synthetic_questions" / f"{key}.parquet")
        # A previous run answered the first three questions, then died while writing the fourth.
        retriever = HybridRetriever.load(two_documents / "artifacts" / "knowledge" / "retriever")
        first = [{"id": q.question_id, "query": q.question} for q in questions.head(3).itertuples()]
        done = BatchAnswerer(retriever, ExtractiveTeacher())(first)
        checkpoint_path = two_documents / "artifacts" / "distillation" / "teacher_answers" / f"{key}.partial.jsonl"
        JsonlCheckpoint(checkpoint_path).append([(row["id"], row) for row in done])
        with checkpoint_path.open("a", encoding="utf-8") as handle:
            handle.write('{"id": "torn-line", "status": "ok", "val')
        answers_only = job.get_subset(asset_selection={dg.AssetKey("teacher_answers")})
        result = answers_only.execute_in_process(instance=instance, partition_key=key)
    assert result.success
    metadata = result.asset_materializations_for_node("teacher_answers")[0].metadata
    assert metadata["resumed_from_checkpoint"].value == 3
    answers = _answers(two_documents, key)
    assert answers["question_id"].tolist() == questions["question_id"].tolist()  # nothing lost, nothing twice
    assert answers.head(3)["answer"].tolist() == [row["answer"] for row in done]
    assert not checkpoint_path.exists()  # consolidated into the asset, checkpoint removed


def test_hf_question_generator_and_teacher_on_the_tiny_model(two_documents: Path, tiny_model_dir: Path) -> None:
    """The same assets with a local HF model as question writer and teacher (real loading and generation).

    The tiny model is randomly initialised: its questions are unusable, so every slot falls back to
    the template of the same type, and its answers are gibberish, which the groundedness check must fail."""
    with dg.DagsterInstance.ephemeral() as instance:
        run_stages(
            defs, [Stage("documents_job", _keys(two_documents)), Stage("knowledge_job")], instance, lambda line: None
        )
        key = instance.get_dynamic_partitions("documents")[0]
        spec = f"hf:{tiny_model_dir}"
        run_config = {
            "ops": {
                "synthetic_questions": {"config": {"generator": spec, "per_chunk": 1}},
                "teacher_answers": {"config": {"teacher": spec, "max_new_tokens": 12, "batch_size": 8}},
            }
        }
        result = defs.resolve_job_def("distillation_job").execute_in_process(
            instance=instance, partition_key=key, run_config=run_config, raise_on_error=False
        )
    assert result.success
    questions_meta = result.asset_materializations_for_node("synthetic_questions")[0].metadata
    assert questions_meta["generator"].value == spec
    assert questions_meta["by_source"].value == {"template": questions_meta["questions"].value}
    answers = _answers(two_documents, key)
    assert (answers["teacher"] == spec).all() and (answers["status"] == "answered").all()
    assert (answers["groundedness"] < 0.5).all()  # morpheme-overlap precision of gibberish
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"questions_balanced_and_unique": True, "answers_present_grounded_and_rarely_failed": False}
