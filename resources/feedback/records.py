"""Plain records the feedback store keeps, shared by the feedback and matching groups.

`AnswerFeedback` is one rating or correction of a model output; `SelectionLog` is one user choice
among an item matcher's candidates, shaped like the original system's `ml_training_data` table
(raw_input, client_code, selected_item_no, rejected_item_nos, rule_based_score, created_at).
Stored rows come back as `StoredAnswerFeedback` / `StoredSelection`, which add the database id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AnswerFeedback:
    """A user's verdict on one model output (task "qa" or "bullets"); a correction replaces the output."""

    task: str
    input: str
    output: str
    rating: int
    correction: str | None = None
    model_version: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class StoredAnswerFeedback(AnswerFeedback):
    """An `AnswerFeedback` read back from the store, with its id."""

    id: int = 0


@dataclass(frozen=True)
class SelectionLog:
    """Which catalogue item a user picked for a free-text order line, and which candidates were rejected."""

    raw_input: str
    selected_item_no: str
    client_code: str | None = None
    rejected_item_nos: tuple[str, ...] = field(default_factory=tuple)
    rule_based_score: float | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class StoredSelection(SelectionLog):
    """A `SelectionLog` read back from the store, with its id."""

    id: int = 0
