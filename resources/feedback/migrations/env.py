"""Alembic environment of the feedback store: runs on the connection `migrate.upgrade` hands it.

The version table is `kodistill_feedback_version`, so the store can share a database (e.g. the
PostgreSQL database of the Dagster instance) with other Alembic users.
"""

from __future__ import annotations

from alembic import context

from resources.feedback.schema import metadata

VERSION_TABLE = "kodistill_feedback_version"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
