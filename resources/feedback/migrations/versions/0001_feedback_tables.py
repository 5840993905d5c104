"""Feedback tables: answer_feedback and selection_log, indexed on created_at.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from resources.feedback.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("correction", sa.Text, nullable=True),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("model_version", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_answer_feedback_rating"),
        sa.CheckConstraint("task IN ('qa', 'bullets')", name="ck_answer_feedback_task"),
    )
    op.create_index("ix_answer_feedback_created_at", "answer_feedback", ["created_at"])
    op.create_table(
        "selection_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("raw_input", sa.Text, nullable=False),
        sa.Column("client_code", sa.String(100), nullable=True),
        sa.Column("selected_item_no", sa.String(100), nullable=False),
        sa.Column("rejected_item_nos", sa.Text, nullable=False, server_default="[]"),
        sa.Column("rule_based_score", sa.Float, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_selection_log_created_at", "selection_log", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_selection_log_created_at", table_name="selection_log")
    op.drop_table("selection_log")
    op.drop_index("ix_answer_feedback_created_at", table_name="answer_feedback")
    op.drop_table("answer_feedback")
