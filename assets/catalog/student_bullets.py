"""Report bullets written by a model, falling back per category to the deterministic template.

`write_bullets(records, generate, conversation, attempts=…)` asks the model (any `generate(conversations,
attempt) -> texts` function, e.g. `BulletsWriter.generate`'s, which decodes only the generated tokens: greedy
at attempt 0, sampled with seed k at attempt k) for each category's bullets, takes the first valid JSON object
of each output, and keeps it only when it passes the catalog's schema + order + numeric-faithfulness checks. A
category that fails is asked again, up to `attempts` in all (`bullets_retries.outputs_with_retries`); one that
never passes gets the template's payload, with `generatedBy: "template"` and the last attempt's reason in
`basis.fallbackReason`. With no model (`generate=None`), or when generation itself fails, every category is
templated and the reason is recorded once in `BulletsRun.model_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assets.catalog.bullets import render_template_bullets
from assets.distillation.bullets_retries import AttemptGenerate, outputs_with_retries
from assets.distillation.student_metrics import bullets_outcome

Conversation = list[dict[str, str]]


@dataclass
class BulletsRun:
    """Payloads in record order, which categories the model wrote, why the others fell back, and how many
    attempts each category took where it took more than one."""

    payloads: list[dict[str, Any]]
    model: str
    student_categories: list[str] = field(default_factory=list)
    fallbacks: dict[str, str] = field(default_factory=dict)
    model_error: str | None = None
    retried: dict[str, int] = field(default_factory=dict)

    @property
    def student_share(self) -> float:
        return len(self.student_categories) / len(self.payloads) if self.payloads else 0.0


def _fallback(template: dict[str, Any], reason: str) -> dict[str, Any]:
    return {**template, "basis": {**template["basis"], "fallbackReason": reason[:300]}}


def write_bullets(
    records: Sequence[dict[str, Any]],
    generate: AttemptGenerate | None,
    conversation: Callable[[dict[str, Any]], Conversation],
    model: str = "template",
    attempts: int = 1,
) -> BulletsRun:
    """One payload per metrics record: the model's when one of its `attempts` is valid, else the template's
    (reason recorded)."""
    templates = [render_template_bullets(record) for record in records]
    if generate is None or not records:
        return BulletsRun(templates, model)
    try:
        conversations = [conversation(record) for record in records]
        attempted = outputs_with_retries(generate, conversations, records, attempts)
    except Exception as error:  # noqa: BLE001 - any model failure means templated bullets, recorded
        reason = f"model generation failed: {type(error).__name__}: {error}"
        return BulletsRun([_fallback(t, reason) for t in templates], model, model_error=reason)
    run = BulletsRun([], model)
    run.retried = {r["category"]: n for r, n in zip(records, attempted.attempts, strict=True) if n > 1}
    for record, template, raw in zip(records, templates, attempted.outputs, strict=True):
        outcome = bullets_outcome(raw, record, template["basis"])
        if outcome.passed and outcome.payload is not None:
            run.payloads.append(outcome.payload)
            run.student_categories.append(record["category"])
        else:
            reason = outcome.problems[0] if outcome.problems else "invalid output"
            run.payloads.append(_fallback(template, reason))
            run.fallbacks[record["category"]] = reason
    return run
