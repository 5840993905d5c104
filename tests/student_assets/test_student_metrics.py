"""Evaluation metrics on hand-made pairs: span containment, morpheme F1, first sentence, bullets outcomes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assets.catalog.bullets import render_template_bullets
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from assets.distillation.student_metrics import (
    bullets_outcome,
    contains_span,
    first_sentence,
    morpheme_f1,
    overall_score,
    summarize_bullets,
    summarize_qa,
    summarize_qa_by_type,
)


def test_contains_span_ignores_spaces_and_never_counts_an_empty_span() -> None:
    assert contains_span("반품은 7일 이내에 신청합니다.", "7 일 이내")
    assert not contains_span("반품은 14일 이내에 신청합니다.", "7일 이내")
    assert not contains_span("아무 답", "")


def test_morpheme_f1_on_hand_made_bags() -> None:
    assert morpheme_f1(["반품", "7", "일"], ["반품", "7", "일"]) == 1.0
    assert morpheme_f1(["반품"], ["교환"]) == 0.0
    # 2 common of 4 predicted and 2 reference: P=0.5, R=1.0, F1=2/3
    assert morpheme_f1(["반품", "일", "은", "다"], ["반품", "일"]) == pytest.approx(2 / 3)
    assert morpheme_f1([], []) == 1.0 and morpheme_f1([], ["a"]) == 0.0


def test_first_sentence_of_a_context() -> None:
    assert first_sentence("반품은 7일 이내입니다. 교환은 14일입니다.") == "반품은 7일 이내입니다."
    assert first_sentence("문장 끝 없음") == "문장 끝 없음"


def test_qa_summaries_overall_and_per_type() -> None:
    rows = [
        {"qtype": "정의", "contains_span": True, "morpheme_f1": 1.0},
        {"qtype": "정의", "contains_span": False, "morpheme_f1": 0.5},
        {"qtype": "규정", "contains_span": True, "morpheme_f1": 0.0},
    ]
    summary = summarize_qa(rows)
    assert summary["qa_span_containment"] == pytest.approx(2 / 3)
    assert summary["qa_morpheme_f1"] == pytest.approx(0.5)
    by_type = summarize_qa_by_type(rows)
    assert by_type["정의"]["qa_span_containment"] == 0.5 and by_type["규정"]["qa_morpheme_f1"] == 0.0
    assert math.isnan(summarize_qa([])["qa_span_containment"])


@pytest.fixture
def shampoo(small_products_csv: Path) -> dict:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    return next(r for r in records if r["category"] == "샴푸")


def test_bullets_outcomes_valid_unfaithful_and_broken(shampoo: dict) -> None:
    template = render_template_bullets(shampoo)
    target = {"category": template["category"], "summaryBullets": template["summaryBullets"]}
    good = bullets_outcome("출력: " + json.dumps(target, ensure_ascii=False) + " 끝", shampoo)
    assert good.passed and good.payload["generatedBy"] == "student"
    wrong_number = json.loads(json.dumps(target))
    wrong_number["summaryBullets"][0] = wrong_number["summaryBullets"][0].replace("상품 4개", "상품 9개")
    unfaithful = bullets_outcome(json.dumps(wrong_number, ensure_ascii=False), shampoo)
    assert unfaithful.schema_valid and not unfaithful.faithful and unfaithful.fallback
    broken = bullets_outcome('{"category": "샴푸", "summaryBullets": ["하나"', shampoo)
    assert not broken.schema_valid and broken.payload is None
    short = bullets_outcome(json.dumps({"category": "샴푸", "summaryBullets": ["a"]}), shampoo)
    assert not short.schema_valid
    summary = summarize_bullets([good, unfaithful, broken, short])
    assert summary["bullets_schema_valid_rate"] == 0.5
    assert summary["bullets_pass_rate"] == 0.25 and summary["bullets_fallback_rate"] == 0.75


def test_overall_score_is_the_mean_of_available_parts() -> None:
    assert overall_score({"qa_span_containment": 0.5, "qa_morpheme_f1": 0.7, "bullets_pass_rate": 0.9}) == (
        pytest.approx(0.7)
    )
    assert overall_score({"qa_span_containment": 0.4, "qa_morpheme_f1": 0.6, "bullets_pass_rate": float("nan")}) == (
        pytest.approx(0.5)
    )
    assert overall_score({}) == 0.0
