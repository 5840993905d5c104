"""`FeedbackStoreResource`: the feedback store as a Dagster resource (URL from config or `KODISTILL_FEEDBACK_URL`).

An empty URL means the default SQLite file in the artifacts folder (resolved at each use, so
`KODISTILL_ARTIFACTS_DIR` is honoured). One `FeedbackStore` (one
connection pool) is kept per URL and process, so sensor ticks and steps do not reconnect each time.
"""

from __future__ import annotations

import functools

from dagster import ConfigurableResource
from pydantic import Field

from resources.feedback.store import FeedbackStore, default_url


@functools.lru_cache(maxsize=8)
def store_for(url: str) -> FeedbackStore:
    """The process-wide store of `url` (one connection pool per URL and process)."""
    return FeedbackStore(url or None)


class FeedbackStoreResource(ConfigurableResource):
    """Answer feedback and selection logs in SQL (SQLite by default, PostgreSQL by URL)."""

    url: str = Field(
        default="",
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; empty: "
        "<artifacts>/feedback/feedback.db (SQLite).",
    )

    def get(self) -> FeedbackStore:
        return store_for(self.url or default_url())
