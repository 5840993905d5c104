"""What makes an `AnswerFeedback` or `SelectionLog` storable: the problems of one record, as plain sentences.

The CLI reports them per line of the input file; the store refuses a batch holding any of them.
"""

from __future__ import annotations

from datetime import datetime

from resources.feedback.records import AnswerFeedback, SelectionLog
from resources.feedback.schema import MAX_RATING, MIN_RATING, TASKS

MAX_TEXT_CHARS = 100_000
MAX_MODEL_VERSION_CHARS = 200


def _text_problem(name: str, value: object, required: bool = True) -> str | None:
    if value is None:
        return f"{name} is missing" if required else None
    if not isinstance(value, str):
        return f"{name} must be text, got {type(value).__name__}"
    if required and not value.strip():
        return f"{name} is empty"
    if len(value) > MAX_TEXT_CHARS:
        return f"{name} is {len(value):,} characters (max {MAX_TEXT_CHARS:,})"
    return None


def feedback_problems(record: AnswerFeedback) -> list[str]:
    """Everything wrong with `record` (empty when it can be stored)."""
    problems = []
    if record.task not in TASKS:
        problems.append(f"task {record.task!r} is not one of {', '.join(TASKS)}")
    for name in ("input", "output"):
        problem = _text_problem(name, getattr(record, name))
        if problem:
            problems.append(problem)
    problem = _text_problem("correction", record.correction, required=False)
    if problem:
        problems.append(problem)
    rating = record.rating
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        problems.append(f"rating {rating!r} is not a whole number from {MIN_RATING} to {MAX_RATING}")
    version = record.model_version
    if version is not None and (not isinstance(version, str) or len(version) > MAX_MODEL_VERSION_CHARS):
        problems.append(f"model_version must be text of at most {MAX_MODEL_VERSION_CHARS} characters")
    problems.extend(_time_problems(record.created_at))
    return problems


def selection_problems(record: SelectionLog) -> list[str]:
    """Everything wrong with a selection log record (empty when it can be stored)."""
    texts = (("raw_input", record.raw_input), ("selected_item_no", record.selected_item_no))
    problems = [problem for name, value in texts if (problem := _text_problem(name, value))]
    if not all(isinstance(item, str) and item for item in record.rejected_item_nos):
        problems.append("rejected_item_nos must be non-empty item numbers")
    score = record.rule_based_score
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        problems.append(f"rule_based_score {score!r} is not a number")
    problems.extend(_time_problems(record.created_at))
    return problems


def _time_problems(created_at: object) -> list[str]:
    if created_at is None:
        return []
    if not isinstance(created_at, datetime):
        return [f"created_at must be a datetime, got {type(created_at).__name__}"]
    if created_at.tzinfo is None:
        return ["created_at has no time zone (give an offset, e.g. 2026-12-01T09:30:00+09:00)"]
    return []
