"""Report bullets written by a model, falling back per category to the deterministic template.

`write_bullets(records, generate, conversation)` asks the model (any `generate(conversations) ->
texts` function, e.g. `StudentGenerator.generate`, which decodes only the generated tokens) for each
category's bullets, takes the first valid JSON object of each output, and keeps it only when it
passes the catalog's schema + order + numeric-faithfulness checks; otherwise that category gets the
template's payload, with `generatedBy: "template"` and the reason in `basis.fallbackReason`. With no
model (`generate=None`), or when generation itself fails, every category is templated and the reason
is recorded once in `BulletsRun.model_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assets.catalog.bullets import render_template_bullets
from assets.distillation.student_metrics import bullets_outcome

Conversation = list[dict[str, str]]
Generate = Callable[[Sequence[Conversation]], list[str]]


@dataclass
class BulletsRun:
    """Payloads in record order, which categories the model wrote, and why the others fell back."""

    payloads: list[dict[str, Any]]
    model: str
    student_categories: list[str] = field(default_factory=list)
    fallbacks: dict[str, str] = field(default_factory=dict)
    model_error: str | None = None

    @property
    def student_share(self) -> float:
        return len(self.student_categories) / len(self.payloads) if self.payloads else 0.0


def _fallback(template: dict[str, Any], reason: str) -> dict[str, Any]:
    return {**template, "basis": {**template["basis"], "fallbackReason": reason[:300]}}


def write_bullets(
    records: Sequence[dict[str, Any]],
    generate: Generate | None,
    conversation: Callable[[dict[str, Any]], Conversation],
    model: str = "template",
) -> BulletsRun:
    """One payload per metrics record: the model's when valid, else the template's (reason recorded)."""
    templates = [render_template_bullets(record) for record in records]
    if generate is None or not records:
        return BulletsRun(templates, model)
    try:
        outputs = generate([conversation(record) for record in records])
    except Exception as error:  # noqa: BLE001 - any model failure means templated bullets, recorded
        reason = f"model generation failed: {type(error).__name__}: {error}"
        return BulletsRun([_fallback(t, reason) for t in templates], model, model_error=reason)
    run = BulletsRun([], model)
    for record, template, raw in zip(records, templates, outputs, strict=True):
        outcome = bullets_outcome(raw, record, template["basis"])
        if outcome.passed and outcome.payload is not None:
            run.payloads.append(outcome.payload)
            run.student_categories.append(record["category"])
        else:
            reason = outcome.problems[0] if outcome.problems else "invalid output"
            run.payloads.append(_fallback(template, reason))
            run.fallbacks[record["category"]] = reason
    return run
