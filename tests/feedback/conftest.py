"""Fixtures of the feedback tests: a feedback store on SQLite and on a real PostgreSQL server.

The PostgreSQL server is the one `scripts/test.sh` started (KODISTILL_TEST_POSTGRES_URL); when the
variable is unset (pytest run by hand) a throwaway one is started with `scripts/postgres.sh start`
for the session, without installing packages. Each test gets its own fresh database. When no server
can be started, the PostgreSQL variants skip and say why.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from resources.feedback.store import FeedbackStore
from resources.paths import PROJECT_ROOT

POSTGRES_URL_VARIABLE = "KODISTILL_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of the PostgreSQL server's maintenance database (postgresql+psycopg://…/postgres)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        yield url
        return
    script = PROJECT_ROOT / "scripts" / "postgres.sh"
    env = {**os.environ, "KODISTILL_POSTGRES_NO_INSTALL": "1"}
    started = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, env=env, timeout=120)
    if started.returncode != 0 or "\t" not in started.stdout:
        pytest.skip(f"no PostgreSQL server could be started: {started.stderr.strip()[-300:] or 'no output'}")
    url, data_dir = started.stdout.strip().split("\t")
    try:
        yield url
    finally:
        subprocess.run(["bash", str(script), "stop", data_dir], capture_output=True, timeout=120)


def create_database(server_url: str) -> str:
    """A new empty database on the server; returns its URL."""
    name = f"kd_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    name = sa.make_url(url).database
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards (SQLAlchemy URL, psycopg 3 driver)."""
    url = create_database(postgres_server)
    try:
        yield url
    finally:
        drop_database(postgres_server, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty feedback store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def store(store_url: str) -> Iterator[FeedbackStore]:
    feedback_store = FeedbackStore(store_url)
    yield feedback_store
    feedback_store.dispose()
