"""The feedback store on SQLite and PostgreSQL: batches are atomic, ids ordered, reads by id and by time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from resources.errors import InputDataError
from resources.feedback.records import AnswerFeedback, SelectionLog
from resources.feedback.store import FeedbackStore

KST = timezone(timedelta(hours=9))


def feedback(rating: int, correction: str | None = None, task: str = "qa", **extra) -> AnswerFeedback:
    return AnswerFeedback(
        task=task, input=f"질문 {rating}", output="답변", rating=rating, correction=correction, **extra
    )


def test_add_returns_ordered_ids_and_reads_back(store: FeedbackStore) -> None:
    when = datetime(2026, 11, 30, 9, 30, tzinfo=KST)
    ids = store.add_feedback(
        [feedback(5, model_version="student-v1", created_at=when), feedback(2), feedback(1, "고침")]
    )
    assert ids == sorted(ids) and len(ids) == 3
    rows = store.feedback()
    assert [r.id for r in rows] == ids
    assert rows[0].created_at == when and rows[0].created_at.tzinfo is not None
    assert rows[0].model_version == "student-v1" and rows[2].correction == "고침"
    assert [r.id for r in store.approved_after(0)] == [ids[0], ids[2]]
    assert [r.id for r in store.approved_after(ids[0])] == [ids[2]]
    assert [r.id for r in store.feedback(0, up_to_id=ids[1])] == ids[:2]


def test_a_bad_record_stores_nothing(store: FeedbackStore) -> None:
    store.add_feedback([feedback(5)])
    with pytest.raises(InputDataError, match="record 1: rating 7"):
        store.add_feedback([feedback(4), feedback(7), feedback(5)])
    assert store.stats().total == 1


def test_a_database_error_mid_batch_rolls_back(store: FeedbackStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch the database itself refuses on its last row (a task the CHECK constraint rejects, with the
    Python validation switched off) leaves none of its rows behind."""
    import resources.feedback.store as store_module

    monkeypatch.setattr(store_module, "feedback_problems", lambda record: [])
    with pytest.raises(sa.exc.IntegrityError):
        store.add_feedback([feedback(5), feedback(4), feedback(5, task="other")])
    assert store.stats().total == 0


def test_approved_batch_and_stats(store: FeedbackStore) -> None:
    ids = store.add_feedback([feedback(r, task="bullets" if r % 2 else "qa") for r in (5, 1, 4, 2, 3)])
    batch = store.approved_batch(0, 2)
    assert (batch.found, batch.first_id, batch.last_found_id, batch.max_id) == (2, ids[0], ids[2], ids[-1])
    assert store.approved_batch(ids[2], 50).found == 0
    stats = store.stats()
    assert (stats.total, stats.approved, stats.max_id) == (5, 2, ids[-1])
    assert stats.by_task == {"bullets": {"total": 3, "approved": 1}, "qa": {"total": 2, "approved": 1}}


def test_rows_by_creation_time(store: FeedbackStore) -> None:
    day = datetime(2026, 11, 30, tzinfo=KST)
    times = [day - timedelta(seconds=1), day, day + timedelta(hours=23, minutes=59), day + timedelta(days=1)]
    store.add_feedback([feedback(5, created_at=t) for t in times])
    rows = store.feedback_created_between(day, day + timedelta(days=1))
    assert [r.created_at for r in rows] == times[1:3]


def test_selection_logs(store: FeedbackStore) -> None:
    ids = store.add_selections(
        [
            SelectionLog("레이크 찰리스 말보로 24병", "I-001", "C7", ("I-002", "I-003"), 0.82),
            SelectionLog("lc 말보로", "I-001"),
        ]
    )
    rows = store.selections()
    assert [r.id for r in rows] == ids
    assert rows[0].rejected_item_nos == ("I-002", "I-003") and rows[0].rule_based_score == pytest.approx(0.82)
    assert rows[1].client_code is None and rows[1].rejected_item_nos == ()
    assert [r.id for r in store.selections(after_id=ids[0])] == ids[1:]
    assert len(store.selections(limit=1)) == 1
    with pytest.raises(InputDataError):
        store.add_selections([SelectionLog("x", "")])
    assert store.stats().selections == 2


def test_migrations_run_once_and_are_recorded(store_url: str) -> None:
    first, second = FeedbackStore(store_url), FeedbackStore(store_url)
    first.add_feedback([feedback(5)])
    assert second.stats().total == 1  # the second store found the schema in place
    with first.engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM kodistill_feedback_version")).scalars().all()
        indexes = {index["name"] for index in sa.inspect(connection).get_indexes("answer_feedback")}
    assert versions == ["0001"] and "ix_answer_feedback_created_at" in indexes
    first.dispose()
    second.dispose()


def test_concurrent_writers_commit_ids_in_order(store_url: str) -> None:
    """Two writers adding batches at once: every batch is contiguous in id (no interleaving), so a reader's
    id cursor never sees id N before a smaller id commits."""
    stores = [FeedbackStore(store_url), FeedbackStore(store_url)]
    stores[0].stats()  # migrate once before the race
    results: list[list[int]] = []

    def write(store: FeedbackStore) -> None:
        for _ in range(5):
            results.append(store.add_feedback([feedback(5) for _ in range(40)]))

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    for ids in results:
        assert ids == list(range(ids[0], ids[0] + 40))
    assert stores[0].stats().total == 400
    for s in stores:
        s.dispose()
