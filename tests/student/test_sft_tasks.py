"""The SFT task builders (QA, bullets, feedback) and the leakage-free split."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assets.catalog.bullets import READING_PHRASES, faithfulness_problems, render_template_bullets, schema_problems
from assets.distillation.sft_tasks import (
    MAX_CATALOGUE_WORKERS,
    QA_SYSTEM,
    SHIPPED_CATALOGUE_SEED,
    bullets_answer_start,
    bullets_conversation,
    bullets_copy_phrases,
    bullets_examples,
    bullets_prompt_fields,
    catalogue_workers,
    feedback_examples_to_chat,
    generated_bullets_examples,
    generated_metrics,
    grouped_numbers,
    plain_numbers,
    qa_examples,
    relabelled_metrics,
    relabelled_metrics_of,
    split_examples,
    split_problems,
)
from resources.errors import InputDataError
from resources.student.prompt_copy import prompt_numbers


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    return generated_metrics(11, n_products=400)


def _answer(question_id: str, doc: str, chunks: list[str], answer: str = "답입니다.", status: str = "answered") -> dict:
    retrieved = [{"chunk_id": chunk, "rank": rank} for rank, chunk in enumerate(chunks, start=1)]
    return {
        "question_id": question_id,
        "question": f"{question_id} 질문?",
        "doc_id": doc,
        "answer": answer,
        "status": status,
        "retrieved": json.dumps(retrieved),
    }


def test_qa_examples_use_top_contexts_in_rank_order_and_report_skips() -> None:
    chunks = {"a#0": "첫 문맥", "b#0": "둘째 문맥", "c#0": "셋째 문맥"}
    rows = [
        _answer("q1", "a", ["b#0", "a#0", "c#0"]),
        _answer("q2", "a", ["a#0"], answer="  "),
        _answer("q3", "b", ["b#0"], status="failed"),
        _answer("q4", "c", ["zz#9"]),
    ]
    skipped: list[str] = []
    examples = qa_examples(rows, chunks, contexts=2, skipped=skipped)
    assert [example["example_id"] for example in examples] == ["q1"]
    system, user, assistant = examples[0]["messages"]
    assert system == {"role": "system", "content": QA_SYSTEM}
    assert user["content"] == "[1] 둘째 문맥\n[2] 첫 문맥\n질문: q1 질문?"
    assert assistant == {"role": "assistant", "content": "답입니다."}
    assert examples[0]["group"] == "a"
    assert [line.split(":")[0] for line in skipped] == ["q2", "q3", "q4"]


def test_bullets_target_is_the_valid_template_and_every_number_is_in_the_prompt(seed_records: list[dict]) -> None:
    examples = bullets_examples(seed_records, "seed-11")
    assert len(examples) == len(seed_records) == 16
    for example, record in zip(examples, seed_records):
        target = json.loads(example["messages"][-1]["content"])
        template = render_template_bullets(record)["summaryBullets"]
        assert [grouped_numbers(bullet) for bullet in target["summaryBullets"]] == template
        payload = {**render_template_bullets(record), **target}
        assert schema_problems(payload) == [] and faithfulness_problems(payload, record) == []
        prompt = example["messages"][1]["content"]
        facts = json.loads(prompt)  # a JSON list of facts
        assert facts[:2] == [f"카테고리 {record['category']}", f"상품 {round(record['product_count'])}개"]
        phrases = bullets_copy_phrases(example["messages"][:-1])
        assert phrases and all(phrase in example["messages"][-1]["content"] for phrase in phrases)
        stated = [reading for reading in READING_PHRASES if reading in prompt]
        assert stated and all(reading in " ".join(template) for reading in stated)  # the template's readings
        written = prompt_numbers(example["messages"][-1]["content"])
        assert written <= prompt_numbers(prompt), (
            f"numbers the target writes but the prompt lacks: {written - prompt_numbers(prompt)}"
        )
        assert example["example_id"] == f"seed-11:{record['category']}"
        start = bullets_answer_start(record["category"])
        assert example["messages"][-1]["content"].startswith(start)
        assert bullets_conversation(record) == [*example["messages"][:-1], {"role": "assistant", "content": start}]


def test_plain_and_grouped_numbers_invert_each_other() -> None:
    text = "누적 리뷰 155,100건, P75 1,234,567원, '타입: 10000Pa' 제품군, 평점 4.64점, HHI) 2,993, 100g당 1,888원"
    assert (
        plain_numbers(text)
        == "누적 리뷰 155100건, P75 1234567원, '타입: 10000Pa' 제품군, 평점 4.64점, HHI) 2993, 100g당 1888원"
    )
    assert grouped_numbers(plain_numbers(text)) == text


def test_bullets_prompt_renders_missing_metrics_as_null(seed_records: list[dict]) -> None:
    record = {**seed_records[0], "weighted_rating": float("nan"), "low_rating_share": float("nan")}
    fields = bullets_prompt_fields(record)
    assert fields["평점"] is None and fields["1~2점 리뷰"] is None


def test_relabelled_catalogues_shuffle_the_names_and_stay_valid_templates() -> None:
    """Names move to other categories' figures (seeded), so a student cannot guess a name from the figures."""
    original, relabelled = generated_metrics(11), relabelled_metrics(11)
    assert relabelled == relabelled_metrics(11)
    assert sorted(r["category"] for r in relabelled) == sorted(r["category"] for r in original)
    moved = sum(a["category"] != b["category"] for a, b in zip(original, relabelled, strict=True))
    assert moved >= len(original) // 2
    for original_record, record in zip(original, relabelled, strict=True):
        assert {**record, "category": original_record["category"]} == original_record
        payload = render_template_bullets(record)
        assert schema_problems(payload) == [] and faithfulness_problems(payload, record) == []


def test_catalogues_made_in_two_processes_equal_those_made_in_one() -> None:
    seeds = [3, 4, 5, 6]
    serial, parallel = relabelled_metrics_of(seeds, workers=1), relabelled_metrics_of(seeds, workers=2)
    assert [len(records) for records in parallel] == [16] * len(seeds)
    assert json.dumps(parallel, default=str, sort_keys=True) == json.dumps(serial, default=str, sort_keys=True)
    assert 1 <= catalogue_workers() <= MAX_CATALOGUE_WORKERS


def test_generated_examples_refuse_the_shipped_seed() -> None:
    with pytest.raises(ValueError, match=str(SHIPPED_CATALOGUE_SEED)):
        generated_bullets_examples([1, SHIPPED_CATALOGUE_SEED])


def test_feedback_rows_become_examples_and_empty_targets_are_named() -> None:
    frame = pd.DataFrame(
        {
            "feedback_id": ["f1", "f2"],
            "task": ["qa", "other"],
            "prompt": ["질문 하나", "입력"],
            "target": ["고친 답", "출력"],
            "rating": [5, 4],
            "model_version": ["1", "1"],
            "created_at": ["2026-11-01", "2026-11-02"],
        }
    )
    examples = feedback_examples_to_chat(frame)
    assert examples[0]["messages"][0] == {"role": "system", "content": QA_SYSTEM}
    assert [m["role"] for m in examples[1]["messages"]] == ["user", "assistant"]
    assert {example["task"] for example in examples} == {"feedback"}
    with pytest.raises(InputDataError, match="feedback_id f2: empty target"):
        feedback_examples_to_chat(frame.assign(target=["ok", " "]))
    with pytest.raises(InputDataError, match="missing column"):
        feedback_examples_to_chat(frame.drop(columns=["rating"]))


def test_split_keeps_groups_whole_is_deterministic_and_detects_leakage(seed_records: list[dict]) -> None:
    examples = [example for seed in range(20) for example in bullets_examples(seed_records[:2], f"seed-{seed}")]
    qa = [
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "task": "qa",
         "example_id": f"q{i}", "group": f"doc{i % 10}"}
        for i in range(40)
    ]  # fmt: skip
    splits = split_examples(examples + qa, validation_share=0.1, test_share=0.2, seed=3)
    assert split_problems(splits) == []
    assert {name: len(items) for name, items in splits.items()} == {
        "train": 28 + 28,
        "validation": 4 + 4,
        "test": 8 + 8,
    }
    assert split_examples(examples + qa, 0.1, 0.2, seed=3) == splits
    assert split_examples(examples + qa, 0.1, 0.2, seed=4) != splits
    leaked = {**splits, "test": splits["test"] + splits["train"][:1]}
    assert any("is in both train and test" in problem for problem in split_problems(leaked))
    empty = dict(splits, train=[{**qa[0], "messages": [qa[0]["messages"][0], {"role": "assistant", "content": ""}]}])
    assert any("non-empty assistant target" in problem for problem in split_problems(empty))
