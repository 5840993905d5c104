"""Model-written report bullets: valid output kept, invalid JSON or unfaithful numbers fall back per category,
failing categories retried (and only they) up to the attempts allowed."""

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

    def model(conversations: Sequence[list[dict[str, str]]], attempt: int = 0) -> list[str]:
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

    def broken(conversations: Sequence[list[dict[str, str]]], attempt: int = 0) -> list[str]:
        raise RuntimeError("weights missing")

    failed = write_bullets(records, broken, _conversation, model="champion v1")
    assert {p["generatedBy"] for p in failed.payloads} == {"template"}
    assert "weights missing" in failed.model_error and failed.student_share == 0.0
    assert payload_problems(failed.payloads, records) == []


def _valid_output(record: dict) -> str:
    good = render_template_bullets(record)
    return json.dumps({"category": good["category"], "summaryBullets": good["summaryBullets"]}, ensure_ascii=False)


def test_failing_categories_are_retried_until_one_attempt_passes(small_products_csv: Path) -> None:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    asked: list[tuple[int, list[str]]] = []

    def model(conversations: Sequence[list[dict[str, str]]], attempt: int = 0) -> list[str]:
        categories = [json.loads(c[0]["content"])["category"] for c in conversations]
        asked.append((attempt, categories))
        by_category = {r["category"]: r for r in records}
        # the second category passes only at its third attempt (attempt index 2)
        return [
            _valid_output(by_category[c]) if c == records[0]["category"] or attempt == 2 else '{"category": "x"'
            for c in categories
        ]

    run = write_bullets(records, model, _conversation, model="champion v2", attempts=4)
    second = records[1]["category"]
    assert asked == [(0, [records[0]["category"], second]), (1, [second]), (2, [second])]
    assert run.student_categories == [records[0]["category"], second] and run.fallbacks == {}
    assert run.retried == {second: 3}
    assert payload_problems(run.payloads, records) == []

    asked.clear()
    once = write_bullets(records, model, _conversation, model="champion v2", attempts=2)
    assert [attempt for attempt, _ in asked] == [0, 1]
    assert set(once.fallbacks) == {second} and once.retried == {second: 2}
    assert once.payloads[1]["generatedBy"] == "template"
