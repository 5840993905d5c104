"""Turn stored feedback rows into training examples (plain data in, plain data out).

A row is kept when it is approved (rating ≥ 4, or it carries a correction), its prompt and target
fit the length bounds, and no earlier kept row has the same task, prompt and target (after
whitespace normalisation; the newest row of a duplicate group wins its place). The target is the
correction when there is one, else the model output. Prompt and target are scrubbed of personal
data (`pii.scrub`) before deduplication. Every dropped row is counted by reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from assets.feedback.pii import scrub
from resources.feedback.records import StoredAnswerFeedback
from resources.feedback.schema import APPROVED_MIN_RATING

EXAMPLE_COLUMNS = ["feedback_id", "task", "prompt", "target", "rating", "model_version", "created_at"]
EVENT_COLUMNS = ["feedback_id", "task", "input", "output", "correction", "rating", "model_version", "created_at"]


@dataclass(frozen=True)
class ExampleBounds:
    """Length bounds in characters for prompts and targets."""

    min_prompt_chars: int = 2
    max_prompt_chars: int = 2000
    min_target_chars: int = 2
    max_target_chars: int = 4000


@dataclass
class ExampleSelection:
    """The kept examples and the count of rows dropped per reason, and personal data found per kind."""

    frame: pd.DataFrame
    dropped: Counter = field(default_factory=Counter)
    scrubbed: Counter = field(default_factory=Counter)


def events_frame(rows: list[StoredAnswerFeedback]) -> pd.DataFrame:
    """Stored feedback rows as a DataFrame (columns `EVENT_COLUMNS`, created_at in UTC)."""
    frame = pd.DataFrame(
        [[r.id, r.task, r.input, r.output, r.correction, r.rating, r.model_version, r.created_at] for r in rows],
        columns=EVENT_COLUMNS,
    )
    frame["feedback_id"] = frame["feedback_id"].astype("int64")
    frame["rating"] = frame["rating"].astype("int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _drop_reason(prompt: str, target: str, row: StoredAnswerFeedback, bounds: ExampleBounds) -> str | None:
    if row.rating < APPROVED_MIN_RATING and row.correction is None:
        return "not approved (rating < 4, no correction)"
    if not bounds.min_prompt_chars <= len(prompt) <= bounds.max_prompt_chars:
        return "prompt length out of bounds"
    if not bounds.min_target_chars <= len(target) <= bounds.max_target_chars:
        return "target length out of bounds"
    return None


def select_examples(rows: list[StoredAnswerFeedback], bounds: ExampleBounds) -> ExampleSelection:
    """Approved, length-bounded, scrubbed and deduplicated examples (see the module docstring)."""
    selection = ExampleSelection(pd.DataFrame(columns=EXAMPLE_COLUMNS))
    kept: dict[tuple[str, str, str], list] = {}
    for row in sorted(rows, key=lambda r: r.id):
        prompt, prompt_found = scrub(_normalise(row.input))
        target, target_found = scrub(_normalise(row.correction if row.correction is not None else row.output))
        reason = _drop_reason(prompt, target, row, bounds)
        if reason:
            selection.dropped[reason] += 1
            continue
        selection.scrubbed.update(prompt_found + target_found)
        key = (row.task, prompt, target)
        if key in kept:
            selection.dropped["duplicate"] += 1
        kept[key] = [row.id, row.task, prompt, target, row.rating, row.model_version, row.created_at]
    frame = pd.DataFrame(sorted(kept.values(), key=lambda values: values[0]), columns=EXAMPLE_COLUMNS)
    frame["feedback_id"] = frame["feedback_id"].astype("int64")
    frame["rating"] = frame["rating"].astype("int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    selection.frame = frame
    return selection
