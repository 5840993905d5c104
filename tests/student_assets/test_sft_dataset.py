"""sft_dataset: built from real teacher answers and generated catalogues, split by group, datasets-compatible."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.config import SftDatasetConfig
from assets.distillation.sft_asset import build_sft_dataset
from assets.distillation.sft_frame import add_token_lengths, length_statistics, random_samples
from assets.distillation.student_presets import STUDENT_CI
from orchestration.partitions import sync_document_partitions
from resources.mlflow_resource import DAGSTER_ASSET_TAG, DAGSTER_RUN_TAG, MlflowTracking
from tests.pipeline import checks_of, run_assets

UPSTREAM = [
    "documents",
    "chunks",
    "bm25_index",
    "dense_index",
    "synthetic_questions",
    "teacher_answers",
    "feedback_examples",
]


def _answers(question_ids: list[str], doc: str) -> pd.DataFrame:
    retrieved = json.dumps([{"chunk_id": "c2", "rank": 2}, {"chunk_id": "c1", "rank": 1}])
    return pd.DataFrame(
        {
            "question_id": question_ids,
            "qtype": ["정의"] * len(question_ids),
            "question": ["반품 기한은?"] * len(question_ids),
            "doc_id": [doc] * len(question_ids),
            "answer": ["반품은 7일 이내입니다."] * len(question_ids),
            "status": ["answered"] * len(question_ids),
            "retrieved": [retrieved] * len(question_ids),
            "expected_answer": ["7일 이내"] * len(question_ids),
        }
    )


def test_builder_mixes_three_tasks_without_leakage() -> None:
    answers = pd.concat([_answers([f"{d}-q{i}" for i in range(3)], d) for d in ("d1", "d2", "d3", "d4")])
    chunks = pd.DataFrame({"chunk_id": ["c1", "c2"], "text": ["반품은 7일 이내입니다. 교환은 다릅니다.", "둘째 문맥."]})
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"f{i}" for i in range(5)],
            "task": ["qa"] * 5,
            "prompt": ["질문?"] * 5,
            "target": ["고친 답"] * 5,
            "rating": [5] * 5,
            "model_version": ["1"] * 5,
            "created_at": ["2026-12-01"] * 5,
        }
    )
    frame, skipped = build_sft_dataset(SftDatasetConfig(bullets_seeds=3), answers, chunks, feedback)
    assert skipped == []
    assert frame.task.value_counts().to_dict() == {"bullets": 48, "qa": 12, "feedback": 5}
    for task, rows in frame.groupby("task"):
        groups = rows.groupby("group").split.nunique()
        assert (groups == 1).all(), f"{task}: a group in two splits"
        assert set(rows.split) == {"train", "validation", "test"}, task
    qa = frame[frame.task == "qa"].iloc[0]
    reference = json.loads(qa.reference)
    assert reference == {"qtype": "정의", "answer_span": "7일 이내", "top_context": chunks.text[0]}
    assert list(qa.messages)[1]["content"].startswith("[1] 반품은 7일")
    bullets = json.loads(frame[frame.task == "bullets"].iloc[0].reference)
    assert {"category", "product_count"} <= set(bullets["metrics"])

    counted = add_token_lengths(frame, lambda texts: [len(t.split()) for t in texts])
    stats = length_statistics(counted, max_tokens=50)
    assert stats["qa"]["examples"] == 12 and stats["bullets"]["over_max_tokens"] > 0
    assert (counted.total_tokens == counted.prompt_tokens + counted.target_tokens).all()
    samples = random_samples(counted, per_task=2)
    assert {len(v) for v in samples.values()} == {2} and samples == random_samples(counted, per_task=2)


def test_unanswered_teacher_rows_are_listed_not_dropped_silently() -> None:
    answers = _answers(["q1", "q2"], "d1")
    answers.loc[1, "status"] = "failed"
    chunks = pd.DataFrame({"chunk_id": ["c1"], "text": ["문맥."]})
    frame, skipped = build_sft_dataset(SftDatasetConfig(bullets_seeds=0), answers, chunks)
    assert list(frame.example_id) == ["q1"] and skipped == ["q2: status 'failed'"]


@pytest.mark.slow
def test_asset_on_the_shipped_documents(small_data: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        sync_document_partitions(instance, small_data / "data" / "raw_docs")
        config = {"ops": {"sft_dataset": STUDENT_CI["ops"]["sft_dataset"]}}
        result = run_assets(instance, assets=[*UPSTREAM, "sft_dataset"], run_config=config)
        assert result.success
        assert checks_of(result)["sft_dataset:sft_splits_valid"]
        frame = result.output_for_node("sft_dataset")
        assert {"qa", "bullets"} == set(frame.task)
        metadata = result.get_asset_materialization_events()[-1].materialization.metadata
        assert metadata["token_lengths"].data["qa"]["examples"] == int((frame.task == "qa").sum())

    import datasets

    folder = small_data / "artifacts" / "distillation" / "sft"
    loaded = datasets.load_dataset("parquet", data_files={s: str(folder / f"{s}.parquet") for s in ("train", "test")})
    assert loaded["train"].num_rows == int((frame.split == "train").sum())
    assert loaded["train"][0]["messages"][-1]["role"] == "assistant"

    tracking = MlflowTracking()
    runs = tracking.client().search_runs([tracking.experiment_id(tracking.client())])
    (run,) = [r for r in runs if r.data.tags.get(DAGSTER_ASSET_TAG) == "sft_dataset"]
    assert run.data.tags[DAGSTER_RUN_TAG] == result.run_id and run.info.run_id == metadata["mlflow_run_id"].value


def test_length_sample_is_seeded_and_capped_per_task() -> None:
    from assets.distillation.sft_frame import sample_per_task

    frame = pd.DataFrame({"task": ["qa"] * 10 + ["bullets"] * 3, "example_id": [str(i) for i in range(13)]})
    sample = sample_per_task(frame, per_task=4, seed=1)
    assert sample.task.value_counts().to_dict() == {"qa": 4, "bullets": 3}
    assert list(sample.example_id) == list(sample_per_task(frame, per_task=4, seed=1).example_id)
