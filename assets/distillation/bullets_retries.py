"""Retrying a model's report bullets that fail the blocking check, before the template takes over.

A model's first attempt at a category is greedy; a category whose output fails the blocking check
(`bullets_outcome`: schema + order + numeric faithfulness) is asked again, up to `attempts` in all, each retry
sampled with its own seed (`AttemptGenerate(conversations, attempt)`: attempt 0 greedy, attempt k ≥ 1 sampled
with seed k), so the same model and catalogue always give the same bullets. Only outputs that pass the same check
are ever kept, so a retry can turn a fallback into the model's bullets but never lets a wrong one through — the
re-asking on validation failure that structured-output libraries (Instructor's `max_retries`) do. A retry
starts from the original conversation. With a `resume` function it can instead keep what the latest attempt
got right: `resume_at_first_failing_bullet` gives the model its own bullets before the first one the check
faults as the prefilled start, so it rewrites from there. Measured, that passed no more categories than
restarting (docs/benchmarks.md, "Retrying failed bullets"), so the report and the evaluation restart; the
benchmark `student_prompt_copy.py --retry-from` compares the two.

- `outputs_with_retries(generate, conversations, records, attempts, resume)`: the final outputs and the attempts
  each category used (`AttemptedOutputs`).
- `kept_bullets(output, record)`: an output's bullets before its first faulted one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assets.catalog.bullets import faithfulness_problems, order_problems
from assets.distillation.sft_tasks import bullets_resume_conversation
from assets.distillation.student_metrics import bullets_outcome

AttemptGenerate = Callable[[Sequence[Any], int], list[str]]  # (conversations, attempt) -> texts; 0 is greedy
Resume = Callable[[Any, dict[str, Any], str], Any]  # (conversation, metrics, failed output) -> retry conversation
_FAULTED_BULLET = re.compile(r"bullet (\d+) ")
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


def kept_bullets(output: str, record: dict[str, Any]) -> list[str]:
    """The output's bullets before the first one the check faults, by its slot's marker and basis (order) or by
    its numbers and reading (faithfulness), whichever comes first — faithfulness is looked at even where the
    order already failed, since a bullet that swallowed the next one breaks the order only after it. None when
    the output passes, has no list of bullets, is about another category, or no fault names a bullet."""
    outcome = bullets_outcome(output, record)
    payload = outcome.payload
    if outcome.passed or payload is None or payload.get("category") != record.get("category"):
        return []
    bullets = payload.get("summaryBullets")
    if not isinstance(bullets, list) or not all(isinstance(bullet, str) for bullet in bullets):
        return []
    problems = order_problems(bullets) + faithfulness_problems(payload, record)
    positions = [int(match.group(1)) for problem in problems if (match := _FAULTED_BULLET.match(problem))]
    return bullets[: min(positions) - 1] if positions else []


def resume_at_first_failing_bullet(conversation: Any, record: dict[str, Any], output: str) -> Any:
    """The retry conversation: the bullets prompt with the failed output's bullets before its first faulted
    one prefilled (`sft_tasks.bullets_resume_conversation`), or the original conversation when none are kept."""
    kept = kept_bullets(output, record)
    return bullets_resume_conversation(record, kept) if kept else conversation


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
