"""Bring a feedback database to the latest schema with Alembic, safely when several processes start at once.

`upgrade(engine)` reads the current revision first (one query when up to date); otherwise it runs
the migrations under a lock — a PostgreSQL advisory lock held by the migrating transaction, or a
lock file beside a SQLite database — so two processes starting together migrate once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "kodistill_feedback_version"
ADVISORY_LOCK_KEY = 0x6B6F6469  # "kodi": serialises feedback-store migrations on one PostgreSQL server


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with FileLock(f"{database}.migrate.lock", timeout=120):
            yield
    else:
        yield


def upgrade(engine: sa.Engine) -> str:
    """Apply every pending migration; return the revision the database is at."""
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return head
    with _migration_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        if current_revision(connection) != head:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return head
