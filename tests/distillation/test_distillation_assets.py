"""synthetic_questions and teacher_answers over a range of document partitions in one step, checks
asserted per document; resources swapped by fakes; a killed teacher run resumes from its checkpoint;
the hf backend through the resources on a tiny local model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.distillation.checkpoint import JsonlCheckpoint, hash_input
from assets.distillation.questions import QUESTION_TYPES
from assets.distillation.teacher import BatchAnswerer
from resources.llm.base import GenerationParams, GenerationRequest
from resources.llm.extractive import ExtractiveTeacher
from resources.llm_resources import QuestionGeneratorResource, TeacherResource
from resources.retriever_resource import RetrieverStore
from tests.conftest import copy_small_data
from tests.pipeline import checks_of, materialize_folder, run_assets

KNOWLEDGE = ["documents", "chunks", "bm25_index", "dense_index"]


@pytest.fixture
def two_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_small_data(tmp_path, documents=2)
    (tmp_path / "data" / "raw_docs" / "empty_notes.txt").unlink()
    monkeypatch.setenv("KODISTILL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KODISTILL_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    return tmp_path


def _stored(root: Path, asset: str, key: str) -> pd.DataFrame:
    return pd.read_parquet(root / "artifacts" / "assets" / asset / f"{key}.parquet")


def test_two_partitions_in_one_step_with_checks(two_documents: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize_folder(instance, two_documents)
        keys = instance.get_dynamic_partitions("documents")
    assert result.success
    checks = checks_of(result)
    assert checks["synthetic_questions:questions_balanced_and_unique"]
    assert checks["teacher_answers:answers_present_grounded_and_rarely_failed"]
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name.startswith("answers"))
    assert evaluation.metadata["documents_checked"].value == 2
    assert evaluation.description == "passed for all 2 document(s)"
    for key in keys:
        questions, answers = (
            _stored(two_documents, "synthetic_questions", key),
            _stored(two_documents, "teacher_answers", key),
        )
        assert set(questions["qtype"]) == set(QUESTION_TYPES)
        assert (questions["doc_id"] == key).all() and questions["question"].is_unique
        assert answers["question_id"].tolist() == questions["question_id"].tolist()
        assert (answers["status"] == "answered").all() and (answers["groundedness"] == 1.0).all()
        assert all(len(cited) >= 1 for cited in answers["cited_ids"])


class _EchoBackend:
    """A fake teacher: answers with a fixed line about the question, citing the first context (never
    grounded; echoing the question itself would be, now that questions reuse their evidence's words)."""

    name = "echo"

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        return [f"메아리: 질문 {len(r.question)}자를 받았습니다.\n[출처: {r.contexts[0][0]}]" for r in requests]

    def format_chat(self, messages: Sequence[dict[str, str]]) -> str:
        return "\n".join(m["content"] for m in messages)


class FakeTeacher(TeacherResource):
    """The teacher resource with its backend replaced by `_EchoBackend`."""

    def get(self, tokenizer: object = None) -> _EchoBackend:
        return _EchoBackend()


def test_a_fake_teacher_resource_answers_and_the_check_names_the_documents(two_documents: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_folder(instance, two_documents, assets=[*KNOWLEDGE, "synthetic_questions"]).success
        keys = instance.get_dynamic_partitions("documents")
        result = run_assets(instance, assets=["teacher_answers"], resources={"teacher": FakeTeacher()})
    answers = _stored(two_documents, "teacher_answers", keys[0])
    assert answers["answer"].str.startswith("메아리: ").all() and (answers["teacher"] == "echo").all()
    evaluation = result.get_asset_check_evaluations()[0]
    assert not evaluation.passed  # the echo lines are not sentences of the contexts
    assert evaluation.description == f"failed for {', '.join(sorted(keys))}"
    assert set(evaluation.metadata["documents_failing"].value) == set(keys)


def test_killed_run_resumes_from_checkpoint(two_documents: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_folder(instance, two_documents, assets=[*KNOWLEDGE, "synthetic_questions"]).success
        key = instance.get_dynamic_partitions("documents")[0]
        questions = _stored(two_documents, "synthetic_questions", key)
        # A previous run answered the first three questions, then died while writing the fourth.
        store = RetrieverStore()
        first = [{"id": q.question_id, "query": q.question, "qtype": q.qtype} for q in questions.head(3).itertuples()]
        done = BatchAnswerer(store.load(), ExtractiveTeacher())(first)
        path = two_documents / "artifacts" / "distillation" / "teacher_answers" / f"{key}.partial.jsonl"
        fingerprint = {
            "teacher": "extractive",
            "k": 3,
            "fusion": "weighted",
            "max_new_tokens": 256,
            "answer_shape": "given type",
            "index": store.fingerprint(),
        }
        inputs = {row["id"]: hash_input(row["query"]) for row in first}
        JsonlCheckpoint(path, fingerprint=fingerprint).append([(row["id"], row) for row in done], inputs=inputs)
        with path.open("a", encoding="utf-8") as handle:
            handle.write('{"id": "torn-line", "status": "ok", "val')
        result = run_assets(instance, assets=["teacher_answers"], partition_keys=[key])
    assert result.success
    metadata = result.asset_materializations_for_node("teacher_answers")[0].metadata
    assert metadata["resumed_from_checkpoint"].value == 3
    answers = _stored(two_documents, "teacher_answers", key)
    assert answers["question_id"].tolist() == questions["question_id"].tolist()  # nothing lost, nothing twice
    assert answers.head(3)["answer"].tolist() == [row["answer"] for row in done]
    assert not path.exists()  # consolidated into the asset, checkpoint removed
    # the rest were answered in the shape of their given type, as BatchAnswerer does with `qtype`
    rest = [{"id": q.question_id, "query": q.question, "qtype": q.qtype} for q in questions.iloc[3:].itertuples()]
    shaped = BatchAnswerer(store.load(), ExtractiveTeacher())(rest)
    plain = BatchAnswerer(store.load(), ExtractiveTeacher())([{"id": r["id"], "query": r["query"]} for r in rest])
    assert answers.iloc[3:]["answer"].tolist() == [row["answer"] for row in shaped]
    assert [row["answer_shape"] for row in shaped] == [r["qtype"] for r in rest]
    assert [row["answer"] for row in shaped] != [row["answer"] for row in plain]


def test_hf_question_generator_and_teacher_on_the_tiny_model(two_documents: Path, tiny_model_dir: Path) -> None:
    """The same assets with a local HF model as question writer and teacher, configured as resources.

    The tiny model is randomly initialised: its questions are unusable, so every slot falls back to
    the template of the same type, and its answers are gibberish, which the groundedness check must fail."""
    resources = {
        "question_generator": QuestionGeneratorResource(kind="hf", model_path=str(tiny_model_dir)),
        "teacher": TeacherResource(kind="hf", model_path=str(tiny_model_dir)),
    }
    run_config = {
        "ops": {
            "synthetic_questions": {"config": {"per_chunk": 1}},
            "teacher_answers": {"config": {"max_new_tokens": 12, "batch_size": 8}},
        }
    }
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_folder(instance, two_documents, assets=KNOWLEDGE).success
        key = instance.get_dynamic_partitions("documents")[0]
        result = run_assets(
            instance,
            assets=["synthetic_questions", "teacher_answers"],
            partition_keys=[key],
            resources=resources,
            run_config=run_config,
        )
    assert result.success
    questions_meta = result.asset_materializations_for_node("synthetic_questions")[0].metadata
    assert questions_meta["question_writer"].value == f"hf:{tiny_model_dir}"
    assert questions_meta["by_source"].value == {"template": questions_meta["questions"].value}
    answers = _stored(two_documents, "teacher_answers", key)
    assert (answers["teacher"] == f"hf:{tiny_model_dir}").all() and (answers["status"] == "answered").all()
    assert (answers["groundedness"] < 0.5).all()  # morpheme-overlap precision of gibberish
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "questions_balanced_and_unique": True,
        "answers_present_grounded_and_rarely_failed": False,
        "answers_cite_their_source_and_contain_the_answer": False,  # gibberish cites nothing
    }
