"""Alembic migrations of the feedback store (applied by `FeedbackStore` on first use, see `migrate.py`)."""
