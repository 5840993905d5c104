"""`FeedbackStore`: answer feedback and item-selection logs in SQL tables, over any SQLAlchemy URL.

The default URL is a SQLite file in the git-ignored artifacts folder
(`<artifacts>/feedback/feedback.db`); production uses PostgreSQL
(`postgresql+psycopg://user:password@host/db`). The schema is brought up to date with Alembic on
first use (`resources.feedback.migrate`).

Guarantees the retraining sensor relies on:
* a batch (`add_feedback`, `add_selections`) is one transaction: all rows or none;
* ids grow in commit order — each batch first shuts out other writers of its table (SQLite:
  `BEGIN IMMEDIATE`; PostgreSQL: a `SHARE ROW EXCLUSIVE` table lock; readers never wait), so a reader
  that has seen id N never later finds a new row below N. A cursor on the id therefore never skips a row;
* reads by id range walk the primary key, so their cost depends on the rows read, not on the table size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from resources.errors import InputDataError
from resources.feedback.migrate import upgrade
from resources.feedback.records import AnswerFeedback, SelectionLog, StoredAnswerFeedback, StoredSelection
from resources.feedback.schema import answer_feedback, approved_clause, selection_log
from resources.feedback.validation import feedback_problems, selection_problems
from resources.paths import artifacts_dir

SQLITE_BUSY_TIMEOUT_S = 30


def default_url() -> str:
    """The SQLite file in the artifacts folder (created on first use)."""
    return f"sqlite:///{artifacts_dir() / 'feedback' / 'feedback.db'}"


@dataclass(frozen=True)
class ApprovedBatch:
    """New approved rows after a cursor: how many were found (at most the size asked), the first id and the
    id of the last one found, and the highest id in the table at the time (approved or not; 0 if empty)."""

    found: int
    first_id: int | None
    last_found_id: int | None
    max_id: int


@dataclass(frozen=True)
class FeedbackStats:
    """Counts over the whole answer-feedback table."""

    total: int
    approved: int
    by_task: dict[str, dict[str, int]] = field(default_factory=dict)
    max_id: int = 0
    first_created_at: datetime | None = None
    last_created_at: datetime | None = None
    selections: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "approved": self.approved,
            "by_task": self.by_task,
            "max_id": self.max_id,
            "first_created_at": self.first_created_at.isoformat() if self.first_created_at else None,
            "last_created_at": self.last_created_at.isoformat() if self.last_created_at else None,
            "selections": self.selections,
        }


def _make_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # the sensor reads while a batch is being written
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _row_to_feedback(row: sa.Row) -> StoredAnswerFeedback:
    return StoredAnswerFeedback(
        id=row.id,
        task=row.task,
        input=row.input,
        output=row.output,
        rating=row.rating,
        correction=row.correction,
        model_version=row.model_version,
        created_at=row.created_at,
    )


def _row_to_selection(row: sa.Row) -> StoredSelection:
    return StoredSelection(
        id=row.id,
        raw_input=row.raw_input,
        selected_item_no=row.selected_item_no,
        client_code=row.client_code,
        rejected_item_nos=tuple(json.loads(row.rejected_item_nos)),
        rule_based_score=row.rule_based_score,
        created_at=row.created_at,
    )


def _raise_on_problems(kind: str, problems: list[tuple[int, list[str]]]) -> None:
    if problems:
        index, reasons = problems[0]
        more = f" (and {len(problems) - 1} more bad records)" if len(problems) > 1 else ""
        raise InputDataError(f"{kind} record {index}: {'; '.join(reasons)}{more}; nothing was stored")


class FeedbackStore:
    """Answer feedback and selection logs in one SQL database (see the module docstring)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self._engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        """The engine, created and migrated to the latest schema on first use."""
        if self._engine is None:
            engine = _make_engine(self.url)
            upgrade(engine)
            self._engine = engine
        return self._engine

    def dispose(self) -> None:
        """Close pooled connections (the next use reconnects)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert `rows` in one transaction that first shuts out other writers of `table` (SQLite: BEGIN
        IMMEDIATE; PostgreSQL: a SHARE ROW EXCLUSIVE table lock, which readers pass), then one executemany
        (RETURNING would make psycopg send the rows one by one: 7x slower). With no other writer, the new
        rows are exactly those above the previous highest id, in insertion order; their count is checked."""
        if not rows:
            return []
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLAlchemy's own BEGIN would be deferred
            try:
                if not sqlite:
                    connection.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
                before = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
                connection.execute(sa.insert(table), rows)
                new = sa.select(table.c.id).where(table.c.id > before).order_by(table.c.id)
                ids = list(connection.execute(new).scalars())
                if len(ids) != len(rows):
                    raise RuntimeError(f"{table.name}: inserted {len(rows)} rows but found {len(ids)} new ids")
                if sqlite:
                    connection.exec_driver_sql("COMMIT")
                else:
                    connection.commit()
            except BaseException:
                if sqlite:
                    connection.exec_driver_sql("ROLLBACK")
                else:
                    connection.rollback()
                raise
        return ids

    # -- answer feedback ---------------------------------------------------------------------------

    def add_feedback(self, records: Sequence[AnswerFeedback], now: datetime | None = None) -> list[int]:
        """Store `records` in one transaction and return their ids (in order); records without
        created_at get `now` (default: the current UTC time). Any invalid record: nothing is stored."""
        _raise_on_problems("feedback", [(i, p) for i, r in enumerate(records) if (p := feedback_problems(r))])
        stamp = now or datetime.now(UTC)
        rows = [
            {
                "task": r.task,
                "input": r.input,
                "output": r.output,
                "correction": r.correction,
                "rating": r.rating,
                "model_version": r.model_version,
                "created_at": r.created_at or stamp,
            }
            for r in records
        ]
        return self._insert(answer_feedback, rows)

    def feedback(
        self,
        after_id: int = 0,
        limit: int | None = None,
        up_to_id: int | None = None,
        approved_only: bool = False,
    ) -> list[StoredAnswerFeedback]:
        """Rows with `after_id` < id (≤ `up_to_id`), ordered by id; only approved ones if asked."""
        query = sa.select(answer_feedback).where(answer_feedback.c.id > after_id).order_by(answer_feedback.c.id)
        if up_to_id is not None:
            query = query.where(answer_feedback.c.id <= up_to_id)
        if approved_only:
            query = query.where(approved_clause())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [_row_to_feedback(row) for row in connection.execute(query)]

    def approved_after(
        self, after_id: int = 0, limit: int | None = None, up_to_id: int | None = None
    ) -> list[StoredAnswerFeedback]:
        """Approved rows (rating ≥ 4 or a correction) with id > `after_id`, ordered by id."""
        return self.feedback(after_id, limit=limit, up_to_id=up_to_id, approved_only=True)

    def feedback_created_between(self, start: datetime, end: datetime) -> list[StoredAnswerFeedback]:
        """Rows with `start` ≤ created_at < `end` (aware datetimes), ordered by id."""
        created = answer_feedback.c.created_at
        query = sa.select(answer_feedback).where(created >= start, created < end).order_by(answer_feedback.c.id)
        with self.engine.connect() as connection:
            return [_row_to_feedback(row) for row in connection.execute(query)]

    def approved_batch(self, after_id: int, size: int) -> ApprovedBatch:
        """The first `size` approved ids after `after_id` and the table's highest id — two index reads,
        so the cost does not grow with the table."""
        ids_query = (
            sa.select(answer_feedback.c.id)
            .where(answer_feedback.c.id > after_id, approved_clause())
            .order_by(answer_feedback.c.id)
            .limit(size)
        )
        with self.engine.connect() as connection:
            ids = list(connection.execute(ids_query).scalars())
            max_id = connection.execute(sa.select(sa.func.max(answer_feedback.c.id))).scalar() or 0
        return ApprovedBatch(len(ids), ids[0] if ids else None, ids[-1] if ids else None, max_id)

    def max_feedback_id(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(answer_feedback.c.id))).scalar() or 0

    def stats(self) -> FeedbackStats:
        """Totals, approved counts and counts per task, the id and time range, and the selection count."""
        approved = sa.func.sum(sa.case((approved_clause(), 1), else_=0))
        per_task = sa.select(answer_feedback.c.task, sa.func.count(), approved).group_by(answer_feedback.c.task)
        extent = sa.select(
            sa.func.max(answer_feedback.c.id),
            sa.func.min(answer_feedback.c.created_at),
            sa.func.max(answer_feedback.c.created_at),
        )
        with self.engine.connect() as connection:
            by_task = {task: {"total": int(n), "approved": int(a or 0)} for task, n, a in connection.execute(per_task)}
            max_id, first, last = connection.execute(extent).one()
            selections = connection.execute(sa.select(sa.func.count()).select_from(selection_log)).scalar() or 0
        return FeedbackStats(
            total=sum(v["total"] for v in by_task.values()),
            approved=sum(v["approved"] for v in by_task.values()),
            by_task=dict(sorted(by_task.items())),
            max_id=max_id or 0,
            first_created_at=first,
            last_created_at=last,
            selections=int(selections),
        )

    # -- selection logs (item matching) ------------------------------------------------------------

    def add_selections(self, records: Sequence[SelectionLog], now: datetime | None = None) -> list[int]:
        """Store selection logs in one transaction and return their ids (in order)."""
        _raise_on_problems("selection", [(i, p) for i, r in enumerate(records) if (p := selection_problems(r))])
        stamp = now or datetime.now(UTC)
        rows = [
            {
                "raw_input": r.raw_input,
                "client_code": r.client_code,
                "selected_item_no": r.selected_item_no,
                "rejected_item_nos": json.dumps(list(r.rejected_item_nos), ensure_ascii=False),
                "rule_based_score": None if r.rule_based_score is None else float(r.rule_based_score),
                "created_at": r.created_at or stamp,
            }
            for r in records
        ]
        return self._insert(selection_log, rows)

    def selections(self, after_id: int = 0, limit: int | None = None) -> list[StoredSelection]:
        """Selection logs with id > `after_id`, ordered by id."""
        query = sa.select(selection_log).where(selection_log.c.id > after_id).order_by(selection_log.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [_row_to_selection(row) for row in connection.execute(query)]
