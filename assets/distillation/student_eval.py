"""Running the student's test-split evaluation: the sample, each system's outputs, the summary table.

`evaluation_set(test_rows, ...)` takes a seeded sample of the test split (QA and bullets) with what judging
needs; a bullets item's conversation ends with the answer's prefilled start, as the report gives it.
`score_outputs(eval_set, qa_answers, bullets_outputs, morphemes)` judges any system's outputs with
`student_metrics` (None for a task the system does not do). Model systems produce outputs with
`model_outputs(generate, ...)` (bullets decoded copying from the prompt when asked and failing categories retried
up to `attempts` in all, as the report decodes them; `bullets_outputs` alone for a bullets-only row;
`attempts_summary` for the first attempt's pass rate and the attempts used); the teacher's outputs are the
targets themselves and the trivial baseline answers with the first sentence of the top context
(`reference_outputs`). `comparison_png` draws the side-by-side bar chart.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from assets.distillation.bullets_retries import AttemptedOutputs, outputs_with_retries
from assets.distillation.sft_tasks import bullets_answer_start
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

Conversation = list[dict[str, str]]
# (conversations, max tokens, copy from the prompt, attempt: 0 greedy, k sampled with seed k) -> texts
Generate = Callable[[Sequence[Conversation], int, bool, int], list[str]]
Morphemes = Callable[[list[str]], list[list[str]]]
PLOTTED = ("qa_span_containment", "qa_morpheme_f1", "bullets_pass_rate", "score")


@dataclass
class EvaluationSet:
    """Sampled test examples: QA items (conversation, teacher answer, span, type, top context) and bullets items."""

    qa: list[dict[str, Any]] = field(default_factory=list)
    bullets: list[dict[str, Any]] = field(default_factory=list)


def _sample(rows: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    if len(rows) <= limit:
        return rows
    picked = sorted(random.Random(seed).sample(range(len(rows)), limit))
    return rows.iloc[picked]


def evaluation_set(test_rows: pd.DataFrame, max_qa: int, max_bullets: int, seed: int = 0) -> EvaluationSet:
    """A seeded sample of the test split's QA and bullets rows (feedback rows are not scored here)."""
    result = EvaluationSet()
    for task, limit, target in (("qa", max_qa, result.qa), ("bullets", max_bullets, result.bullets)):
        for row in _sample(test_rows[test_rows.task == task], limit, seed).itertuples(index=False):
            messages = [{"role": str(m["role"]), "content": str(m["content"])} for m in row.messages]
            item = {
                "example_id": row.example_id,
                "qtype": row.qtype,
                "conversation": messages[:-1],
                "target": messages[-1]["content"],
                **json.loads(row.reference or "{}"),
            }
            if task == "bullets":
                start = bullets_answer_start(item["metrics"]["category"])
                item["conversation"] = [*item["conversation"], {"role": "assistant", "content": start}]
            target.append(item)
    return result


def score_outputs(
    items: EvaluationSet, qa_answers: Sequence[str] | None, bullets_outputs: Sequence[str] | None, morphemes: Morphemes
) -> dict[str, Any]:
    """Summary of one system: QA rates (and per type), bullets rates, and the gate's `score`."""
    summary: dict[str, Any] = {}
    if qa_answers is not None and items.qa:
        predicted = morphemes(list(qa_answers))
        reference = morphemes([item["target"] for item in items.qa])
        rows = [
            {
                "qtype": item["qtype"],
                "contains_span": contains_span(answer, item.get("answer_span", "")),
                "morpheme_f1": morpheme_f1(p, r),
            }
            for item, answer, p, r in zip(items.qa, qa_answers, predicted, reference, strict=True)
        ]
        summary.update(summarize_qa(rows))
        summary["by_type"] = summarize_qa_by_type(rows)
    if bullets_outputs is not None and items.bullets:
        outcomes = [
            bullets_outcome(raw, item["metrics"]) for item, raw in zip(items.bullets, bullets_outputs, strict=True)
        ]
        summary.update(summarize_bullets(outcomes))
    summary["score"] = overall_score(summary)
    return summary


def model_outputs(
    generate: Generate,
    items: EvaluationSet,
    qa_tokens: int,
    bullets_tokens: int,
    copy_from_prompt: bool,
    attempts: int = 1,
) -> tuple[list[str], AttemptedOutputs]:
    """A model's QA answers (free, greedy decoding) and bullets outputs (copying from the prompt when
    `copy_from_prompt`, failing categories retried up to `attempts` in all, as the report decodes them)."""
    qa = generate([item["conversation"] for item in items.qa], qa_tokens, False, 0) if items.qa else []
    return qa, bullets_outputs(generate, items, bullets_tokens, copy_from_prompt, attempts)


def bullets_outputs(
    generate: Generate, items: EvaluationSet, bullets_tokens: int, copy_from_prompt: bool, attempts: int = 1
) -> AttemptedOutputs:
    """A model's bullets outputs for the sampled categories, each retried while it fails the blocking check (as
    the report retries)."""

    def attempt_generate(conversations: Sequence[Conversation], attempt: int) -> list[str]:
        return generate(conversations, bullets_tokens, copy_from_prompt, attempt)

    conversations = [item["conversation"] for item in items.bullets]
    return outputs_with_retries(attempt_generate, conversations, [item["metrics"] for item in items.bullets], attempts)


def attempts_summary(attempted: AttemptedOutputs) -> dict[str, float]:
    """The bullets pass rate of the first (greedy) attempt alone and the mean attempts per category."""
    return {
        "bullets_first_attempt_pass_rate": attempted.first_attempt_pass_rate,
        "bullets_mean_attempts": attempted.mean_attempts,
    }


def reference_outputs(items: EvaluationSet) -> dict[str, tuple[list[str] | None, list[str] | None]]:
    """The teacher (targets: teacher answers, template bullets) and the trivial baseline (QA only)."""
    return {
        "teacher": ([item["target"] for item in items.qa], [item["target"] for item in items.bullets]),
        "trivial baseline": ([first_sentence(item.get("top_context", "")) for item in items.qa], None),
    }


def comparison_png(table: pd.DataFrame) -> bytes:
    """Grouped bars: each system's QA span containment, morpheme F1, bullets pass rate and score."""
    from assets.catalog.plots import _korean_matplotlib

    plt = _korean_matplotlib()
    figure, axis = plt.subplots(figsize=(9, 4), dpi=110)
    width = 0.8 / max(len(table), 1)
    for offset, row in enumerate(table.itertuples(index=False)):
        values = [float(getattr(row, name)) if pd.notna(getattr(row, name)) else 0.0 for name in PLOTTED]
        axis.bar([i + offset * width for i in range(len(PLOTTED))], values, width, label=row.system)
    axis.set_xticks([i + width * (len(table) - 1) / 2 for i in range(len(PLOTTED))], list(PLOTTED))
    axis.set_ylim(0, 1.05)
    axis.set_title("student vs references (test split)")
    axis.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
