"""Retrying a model's report bullets that fail the blocking check, before the template takes over.

A model's first attempt at a category is greedy; a category whose output fails the blocking check
(`bullets_outcome`: schema + order + numeric faithfulness) is asked again, up to `attempts` in all, each retry
sampled with its own seed (`AttemptGenerate(conversations, attempt)`: attempt 0 greedy, attempt k ≥ 1 sampled
with seed k), so the same model and catalogue always give the same bullets. Only outputs that pass the same check
are ever kept, so a retry can turn a fallback into the model's bullets but never lets a wrong one through — the
re-asking on validation failure that structured-output libraries (Instructor's `max_retries`) do. A retry
starts from the original conversation; a `resume` function can give it another one instead (the benchmark
`student_prompt_copy.py --retry-from` resumes after the bullets the check did not fault: measured, that passed
no more categories than restarting, docs/benchmarks.md, "Retrying failed bullets", so the report and the
evaluation restart).

- `outputs_with_retries(generate, conversations, records, attempts, resume)`: the final outputs and the attempts
  each category used (`AttemptedOutputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assets.distillation.student_metrics import bullets_outcome

AttemptGenerate = Callable[[Sequence[Any], int], list[str]]  # (conversations, attempt) -> texts; 0 is greedy
Resume = Callable[[Any, dict[str, Any], str], Any]  # (conversation, metrics, failed output) -> retry conversation
DEFAULT_ATTEMPTS = 4


@dataclass(frozen=True)
class AttemptedOutputs:
    """Per category: its last output (the passing one, if any attempt passed) and the attempts it used."""

    outputs: list[str]
    attempts: list[int]
    first_passed: list[bool]

    @property
    def first_attempt_pass_rate(self) -> float:
        return sum(self.first_passed) / len(self.first_passed) if self.first_passed else float("nan")

    @property
    def mean_attempts(self) -> float:
        return sum(self.attempts) / len(self.attempts) if self.attempts else float("nan")


def _failing(outputs: Sequence[str], records: Sequence[dict[str, Any]], among: Sequence[int]) -> list[int]:
    return [index for index in among if not bullets_outcome(outputs[index], records[index]).passed]


def outputs_with_retries(
    generate: AttemptGenerate,
    conversations: Sequence[Any],
    records: Sequence[dict[str, Any]],
    attempts: int,
    resume: Resume | None = None,
) -> AttemptedOutputs:
    """Greedy outputs, then up to `attempts - 1` sampled retries of the categories still failing the check,
    each from `resume(conversation, record, latest output)` when given, else from the original conversation."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    if len(conversations) != len(records):
        raise ValueError(f"{len(conversations)} conversations but {len(records)} metrics records")
    outputs = list(generate(conversations, 0)) if conversations else []
    used = [1] * len(outputs)
    failing = _failing(outputs, records, range(len(outputs)))
    failed_first = set(failing)
    first_passed = [index not in failed_first for index in range(len(outputs))]
    for attempt in range(1, attempts):
        if not failing:
            break
        asked = [resume(conversations[i], records[i], outputs[i]) if resume else conversations[i] for i in failing]
        for index, text in zip(failing, generate(asked, attempt), strict=True):
            outputs[index], used[index] = text, attempt + 1
        failing = _failing(outputs, records, failing)
    return AttemptedOutputs(outputs, used, first_passed)
