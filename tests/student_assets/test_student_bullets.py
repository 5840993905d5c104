"""Model-written report bullets: valid output kept, invalid JSON or unfaithful numbers fall back per category."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from assets.catalog.bullets import payload_problems, render_template_bullets
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from assets.catalog.student_bullets import write_bullets


def _conversation(record: dict) -> list[dict[str, str]]:
    return [{"role": "user", "content": json.dumps({"category": record["category"]}, ensure_ascii=False)}]


def test_invalid_json_falls_back_per_category(small_products_csv: Path) -> None:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    good = render_template_bullets(records[0])
    seen: list[list[dict[str, str]]] = []

    def model(conversations: Sequence[list[dict[str, str]]]) -> list[str]:
        seen.extend(conversations)
        target = {"category": good["category"], "summaryBullets": good["summaryBullets"]}
        return ["```json\n" + json.dumps(target, ensure_ascii=False) + "\n```"] + ['{"category": "x", "summ'] * (
            len(conversations) - 1
        )

    run = write_bullets(records, model, _conversation, model="champion v3")
    assert len(seen) == len(records) == 2
    assert run.student_categories == [records[0]["category"]]
    assert [p["generatedBy"] for p in run.payloads] == ["student", "template"]
    assert set(run.fallbacks) == {records[1]["category"]} and "no JSON object" in run.fallbacks[records[1]["category"]]
    assert run.payloads[1]["basis"]["fallbackReason"] == run.fallbacks[records[1]["category"]]
    assert run.payloads[1]["summaryBullets"] == render_template_bullets(records[1])["summaryBullets"]
    assert payload_problems(run.payloads, records) == []


def test_no_model_or_a_failing_model_means_every_category_templated(small_products_csv: Path) -> None:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    plain = write_bullets(records, None, _conversation)
    assert {p["generatedBy"] for p in plain.payloads} == {"template"} and plain.model_error is None

    def broken(conversations: Sequence[list[dict[str, str]]]) -> list[str]:
        raise RuntimeError("weights missing")

    failed = write_bullets(records, broken, _conversation, model="champion v1")
    assert {p["generatedBy"] for p in failed.payloads} == {"template"}
    assert "weights missing" in failed.model_error and failed.student_share == 0.0
    assert payload_problems(failed.payloads, records) == []
