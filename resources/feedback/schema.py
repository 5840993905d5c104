"""The feedback store's tables (SQLAlchemy Core), shared by the store and its Alembic migrations.

* `answer_feedback`: one user verdict on a model output — task ("qa" | "bullets"), input, model
  output, optional correction, rating 1–5, model version, created_at (UTC);
* `selection_log`: one item-matcher choice, shaped like the original `ml_training_data` table
  (raw_input, client_code, selected_item_no, rejected_item_nos as a JSON list, rule_based_score,
  created_at).

Both are keyed by an autoincrementing integer id and indexed on created_at (daily partitions read
by time, the retraining sensor reads by id). Times are stored as naive UTC (`UTCDateTime`) so SQLite
and PostgreSQL hold the same values and every read returns an aware UTC datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

TASKS = ("qa", "bullets")
MIN_RATING, MAX_RATING = 1, 5
APPROVED_MIN_RATING = 4


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime (naive input is taken as UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()

answer_feedback = sa.Table(
    "answer_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("task", sa.String(16), nullable=False),
    sa.Column("input", sa.Text, nullable=False),
    sa.Column("output", sa.Text, nullable=False),
    sa.Column("correction", sa.Text, nullable=True),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("model_version", sa.String(200), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint(f"rating BETWEEN {MIN_RATING} AND {MAX_RATING}", name="ck_answer_feedback_rating"),
    sa.CheckConstraint("task IN ('qa', 'bullets')", name="ck_answer_feedback_task"),
    sa.Index("ix_answer_feedback_created_at", "created_at"),
)

selection_log = sa.Table(
    "selection_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("raw_input", sa.Text, nullable=False),
    sa.Column("client_code", sa.String(100), nullable=True),
    sa.Column("selected_item_no", sa.String(100), nullable=False),
    sa.Column("rejected_item_nos", sa.Text, nullable=False, server_default="[]"),
    sa.Column("rule_based_score", sa.Float, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_selection_log_created_at", "created_at"),
)


def approved_clause() -> sa.ColumnElement[bool]:
    """Rows usable for training: rated 4 or 5, or carrying a correction."""
    return sa.or_(answer_feedback.c.rating >= APPROVED_MIN_RATING, answer_feedback.c.correction.is_not(None))
