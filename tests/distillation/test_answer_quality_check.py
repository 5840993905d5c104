"""The answer-quality check: source citation and answer-span containment over a step, worst documents named."""

from __future__ import annotations

import pandas as pd

from assets.distillation.checks import answer_quality_rates, answer_quality_result


def _answers(cites: list[bool], contains: list[bool], spans: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"cites_source": cites, "contains_answer": contains, "expected_answer": spans})


def test_rates_count_containment_only_where_a_span_was_recorded() -> None:
    frame = _answers([True, True, False, True], [True, False, False, False], ["7일", "3영업일", "", ""])
    assert answer_quality_rates(frame) == {"source_citation_rate": 0.75, "answer_span_containment": 0.5}


def test_the_check_passes_above_the_floors_and_names_the_worst_documents_below() -> None:
    good = _answers([True] * 10, [True] * 10, ["a"] * 10)
    weak = _answers([True] * 5 + [False] * 5, [True] * 5 + [False] * 5, ["b"] * 10)
    passed = answer_quality_result({"doc-good": good}, min_citation=0.9, min_containment=0.85)
    assert passed.passed and passed.description.endswith("above both floors")
    failed = answer_quality_result({"doc-good": good, "doc-weak": weak}, min_citation=0.9, min_containment=0.85)
    assert not failed.passed
    assert failed.description.startswith("citation 75.0%, span 75.0%; worst documents: doc-weak (0.5)")
    assert failed.metadata["source_citation_rate"].value == 0.75
