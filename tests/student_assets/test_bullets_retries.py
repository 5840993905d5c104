"""Retrying failing bullets: only failing categories are asked again, attempts are counted, a retry resumes after
the bullets the check did not fault (the benchmark's `--retry-from` variant), bad arguments refused."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from assets.catalog.bullets import render_template_bullets
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from assets.distillation.bullets_retries import outputs_with_retries
from assets.distillation.sft_tasks import bullets_prompt, bullets_target
from assets.distillation.student_metrics import bullets_outcome
from benchmarks.student_prompt_copy import kept_bullets, resume_at_first_failing_bullet


def _records(small_products_csv: Any) -> list[dict[str, Any]]:
    return metrics_records(compute_category_metrics(read_products(small_products_csv).products))


def _valid(record: dict[str, Any]) -> str:
    payload = render_template_bullets(record)
    return json.dumps(
        {"category": payload["category"], "summaryBullets": payload["summaryBullets"]}, ensure_ascii=False
    )


def test_every_attempt_failing_keeps_the_last_output_and_counts_attempts(small_products_csv: Any) -> None:
    records = _records(small_products_csv)
    calls: list[tuple[int, int]] = []

    def never_valid(conversations: Sequence[Any], attempt: int) -> list[str]:
        calls.append((attempt, len(conversations)))
        return [f"attempt {attempt}"] * len(conversations)

    result = outputs_with_retries(never_valid, ["a", "b"], records, 3)
    assert calls == [(0, 2), (1, 2), (2, 2)]
    assert result.outputs == ["attempt 2", "attempt 2"] and result.attempts == [3, 3]
    assert result.first_attempt_pass_rate == 0.0 and result.mean_attempts == 3.0


def test_passing_first_attempts_are_not_asked_again(small_products_csv: Any) -> None:
    records = _records(small_products_csv)
    calls: list[int] = []

    def valid(conversations: Sequence[Any], attempt: int) -> list[str]:
        calls.append(attempt)
        return [_valid(record) for record in records[: len(conversations)]]

    result = outputs_with_retries(valid, ["a", "b"], records, 4)
    assert calls == [0] and result.attempts == [1, 1] and result.first_attempt_pass_rate == 1.0


def test_bad_arguments_are_refused(small_products_csv: Any) -> None:
    records = _records(small_products_csv)
    with pytest.raises(ValueError, match="attempts must be >= 1"):
        outputs_with_retries(lambda c, a: [], ["a", "b"], records, 0)
    with pytest.raises(ValueError, match="1 conversations but 2 metrics records"):
        outputs_with_retries(lambda c, a: [], ["a"], records, 2)


def test_a_retry_resumes_after_the_bullets_before_the_first_faulted_one(small_products_csv: Any) -> None:
    record = _records(small_products_csv)[0]
    bullets = render_template_bullets(record)["summaryBullets"]
    broken = [*bullets[:2], "평점 9.99점이고 1~2점 리뷰 비중은 0.1%입니다(리뷰 분포 기준).", *bullets[3:]]
    output = json.dumps({"category": record["category"], "summaryBullets": broken}, ensure_ascii=False)
    assert kept_bullets(output, record) == bullets[:2] and "," in bullets[0]  # "누적 리뷰 1,234건": grouped

    retry = resume_at_first_failing_bullet(["original"], record, output)
    start = retry[-1]["content"]
    assert retry[-1]["role"] == "assistant" and retry[:-1] == bullets_prompt(record)
    assert bullets_target(record).startswith(start) and start.endswith(',"')  # plain numbers, bullet 3 opened
    assert bullets_outcome(start + '"]}', record).payload["summaryBullets"] == [*bullets[:2], ""]


def test_a_fault_naming_no_bullet_or_a_passing_output_restarts_from_the_original(small_products_csv: Any) -> None:
    record = _records(small_products_csv)[0]
    assert kept_bullets("no json here", record) == []
    assert kept_bullets(_valid(record), record) == []
    other = json.dumps({"category": "딴카테고리", "summaryBullets": ["x"]}, ensure_ascii=False)
    assert resume_at_first_failing_bullet(["original"], record, other) == ["original"]


def test_a_bullet_that_swallowed_the_next_is_the_one_rewritten(small_products_csv: Any) -> None:
    record = _records(small_products_csv)[0]
    bullets = render_template_bullets(record)["summaryBullets"]
    merged = [*bullets[:3], bullets[3].removesuffix(").") + " " + bullets[4], *bullets[5:]]
    output = json.dumps({"category": record["category"], "summaryBullets": merged}, ensure_ascii=False)
    assert bullets_outcome(output, record).problems[0].startswith("bullet 5 should be")  # order breaks after it
    assert kept_bullets(output, record) == bullets[:3]
