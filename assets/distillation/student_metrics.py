"""Pure evaluation metrics of the student's two tasks, and the one score the champion gate compares.

QA (per answer): `contains_span` (the question's recorded answer span appears in the answer,
whitespace-insensitive) and `morpheme_f1` (SQuAD-style bag-of-morphemes F1 against the teacher's
answer; morphemes come from Kiwi, passed in). The trivial baseline answers with
`first_sentence(top context)`. Bullets (per raw model output): `bullets_outcome` parses the first
valid JSON object and judges it with the catalog's own schema and numeric-faithfulness checks; an
output that fails is what the report would replace by the template (`fallback`). `summarize` turns
rows into rates per system (and per question type); `overall_score` is the gate's score.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assets.catalog.bullets import faithfulness_problems, schema_problems
from assets.distillation.sft_tasks import grouped_numbers
from resources.llm.json_output import parse_json_object

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
SCORE_PARTS = ("qa_span_containment", "qa_morpheme_f1", "bullets_pass_rate")


def _squash(text: str) -> str:
    return _SPACE.sub("", text or "")


def contains_span(answer: str, span: str) -> bool:
    """Whether the recorded answer span occurs in the answer (spaces ignored); an empty span never counts."""
    needle = _squash(span)
    return bool(needle) and needle in _squash(answer)


def morpheme_f1(predicted: Sequence[str], reference: Sequence[str]) -> float:
    """Bag-of-morphemes F1 (SQuAD's token F1 with Kiwi morphemes); 1.0 when both are empty."""
    if not predicted and not reference:
        return 1.0
    common = sum((Counter(predicted) & Counter(reference)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def first_sentence(text: str) -> str:
    """The first sentence of a context (up to the first sentence end), the trivial baseline's answer."""
    text = (text or "").strip()
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0].strip() if parts else ""


@dataclass(frozen=True)
class BulletsOutcome:
    """Judgement of one model output for one category."""

    schema_valid: bool
    faithful: bool
    problems: tuple[str, ...]
    payload: dict[str, Any] | None

    @property
    def passed(self) -> bool:
        return self.schema_valid and self.faithful

    @property
    def fallback(self) -> bool:
        return not self.passed


def payload_from_output(raw: str, metrics: dict[str, Any], basis: dict[str, Any]) -> dict[str, Any] | None:
    """The first JSON object of a model output that has summaryBullets, as a full student payload (its numbers
    given thousands separators, `grouped_numbers`: the student writes them plain)."""
    found = parse_json_object(raw, lambda obj: "summaryBullets" in obj)
    if found is None:
        return None
    bullets = found["summaryBullets"]
    if isinstance(bullets, list):
        bullets = [grouped_numbers(bullet) if isinstance(bullet, str) else bullet for bullet in bullets]
    return {
        "category": found.get("category", metrics["category"]),
        "summaryBullets": bullets,
        "generatedBy": "student",
        "basis": basis,
    }


def bullets_outcome(raw: str, metrics: dict[str, Any], basis: dict[str, Any] | None = None) -> BulletsOutcome:
    """Parse a model's bullets output and validate it: schema + order, then numeric faithfulness."""
    payload = payload_from_output(raw, metrics, basis if basis is not None else {})
    if payload is None:
        return BulletsOutcome(False, False, ("no JSON object with summaryBullets in the output",), None)
    schema = schema_problems(payload)
    if schema:
        return BulletsOutcome(False, False, tuple(schema), payload)
    faithful = faithfulness_problems(payload, metrics)
    return BulletsOutcome(True, not faithful, tuple(faithful), payload)


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")


def summarize_qa(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Rates over QA rows with keys `contains_span` and `morpheme_f1`."""
    return {
        "qa_span_containment": _mean([float(r["contains_span"]) for r in rows]),
        "qa_morpheme_f1": _mean([float(r["morpheme_f1"]) for r in rows]),
        "qa_examples": float(len(rows)),
    }


def summarize_qa_by_type(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """`summarize_qa` per question type (`qtype`)."""
    types = sorted({str(r["qtype"]) for r in rows})
    return {qtype: summarize_qa([r for r in rows if str(r["qtype"]) == qtype]) for qtype in types}


def summarize_bullets(outcomes: Sequence[BulletsOutcome]) -> dict[str, float]:
    """Schema-valid, numerically faithful (pass) and fallback rates over bullets outputs."""
    return {
        "bullets_schema_valid_rate": _mean([float(o.schema_valid) for o in outcomes]),
        "bullets_faithful_rate": _mean([float(o.faithful) for o in outcomes]),
        "bullets_pass_rate": _mean([float(o.passed) for o in outcomes]),
        "bullets_fallback_rate": _mean([float(o.fallback) for o in outcomes]),
        "bullets_examples": float(len(outcomes)),
    }


def overall_score(summary: dict[str, float]) -> float:
    """Mean of QA span containment, QA morpheme F1 and bullets pass rate (parts without examples left out)."""
    parts = [summary[name] for name in SCORE_PARTS if name in summary and summary[name] == summary[name]]
    return _mean(parts) if parts else 0.0
