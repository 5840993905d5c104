"""Resumable answer checkpoints: crash mid-partition (torn line), resume without loss or duplicates."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assets.distillation.checkpoint import Failure, JsonlCheckpoint, run_with_checkpoint

ITEMS = [{"id": f"q{i}", "query": f"질문 {i}"} for i in range(10)]


class Crash(BaseException):
    """Simulated kill of the process (like KeyboardInterrupt/SystemExit: not an item failure)."""


def make_process(calls: list[str], crash_after: int | None = None, fail_ids: frozenset[str] = frozenset()):
    """A batch function that answers items, records calls, fails some ids and can 'crash' the run."""

    def process(batch: list[dict[str, str]]) -> list[dict[str, str] | Failure]:
        if crash_after is not None and len(calls) >= crash_after:
            raise Crash()
        out: list[dict[str, str] | Failure] = []
        for item in batch:
            calls.append(item["id"])
            out.append(
                Failure(item["id"], "모델 출력 없음")
                if item["id"] in fail_ids
                else {"id": item["id"], "answer": f"답 {item['id']}"}
            )
        return out

    return process


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_resume_after_crash_with_a_torn_line(tmp_path, caplog):
    checkpoint = JsonlCheckpoint(tmp_path / "answers.jsonl.partial")
    calls: list[str] = []
    with pytest.raises(Crash):
        run_with_checkpoint(ITEMS, lambda r: r["id"], make_process(calls, crash_after=4), checkpoint, batch_size=2)
    assert checkpoint.load_done_ids() == {"q0", "q1", "q2", "q3"}
    with open(checkpoint.path, "ab") as handle:  # the process died while writing q4's line
        handle.write(b'{"id": "q4", "status": "ok", "value": {"id": "q4", "ans')

    with caplog.at_level(logging.WARNING):
        state = checkpoint.load()
    assert state.bad_lines == 1 and set(state.done) == {"q0", "q1", "q2", "q3"}
    assert "torn last line" in caplog.text

    resumed: list[str] = []
    summary = run_with_checkpoint(ITEMS, lambda r: r["id"], make_process(resumed), checkpoint, batch_size=3)
    assert resumed == [f"q{i}" for i in range(4, 10)]  # nothing redone
    assert (summary.processed, summary.failed, summary.skipped) == (6, 0, 4)
    rows = checkpoint.consolidate(tmp_path / "answers.jsonl", order=[i["id"] for i in ITEMS])
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(10)]
    written = [json.loads(line) for line in _lines(tmp_path / "answers.jsonl")]
    assert written == rows and len({r["id"] for r in written}) == 10
    assert all(json.loads(line) for line in _lines(checkpoint.path))  # the torn tail was cut before appending


def test_failures_are_recorded_with_reason_and_retried(tmp_path):
    checkpoint = JsonlCheckpoint(tmp_path / "part.jsonl")
    calls: list[str] = []
    summary = run_with_checkpoint(
        ITEMS, lambda r: r["id"], make_process(calls, fail_ids=frozenset({"q3"})), checkpoint, batch_size=4
    )
    assert summary.failed == 1
    assert checkpoint.load().failed == {"q3": "모델 출력 없음"}
    assert "q3" not in checkpoint.load_done_ids()

    retry: list[str] = []
    run_with_checkpoint(ITEMS, lambda r: r["id"], make_process(retry), checkpoint, batch_size=4)
    assert retry == ["q3"]
    state = checkpoint.load()
    assert "q3" in state.done and not state.failed

    again: list[str] = []
    run_with_checkpoint(ITEMS, lambda r: r["id"], make_process(again), checkpoint, retry_failed=False)
    assert again == []


def test_an_exception_in_a_batch_fails_only_the_bad_item(tmp_path):
    checkpoint = JsonlCheckpoint(tmp_path / "part.jsonl")

    def process(batch):
        if any(item["id"] == "q5" for item in batch):
            raise RuntimeError("CUDA error on q5")
        return [{"id": item["id"]} for item in batch]

    summary = run_with_checkpoint(ITEMS, lambda r: r["id"], process, checkpoint, batch_size=4)
    assert (summary.processed, summary.failed) == (9, 1)
    assert checkpoint.load().failed["q5"].startswith("RuntimeError: CUDA error on q5")


def test_complete_last_line_without_newline_is_kept(tmp_path):
    path = tmp_path / "part.jsonl"
    path.write_text('{"id": "a", "status": "ok", "value": {"id": "a"}}', encoding="utf-8")
    checkpoint = JsonlCheckpoint(path)
    assert checkpoint.load_done_ids() == {"a"}
    checkpoint.repair_tail()
    checkpoint.append([("b", {"id": "b"})])
    assert checkpoint.load_done_ids() == {"a", "b"} and len(_lines(path)) == 2


def test_damaged_middle_line_is_skipped_not_fatal(tmp_path, caplog):
    path = tmp_path / "part.jsonl"
    path.write_text(
        '{"id": "a", "status": "ok", "value": {}}\n\x00\x00garbage\n{"id": "b", "status": "ok", "value": {}}\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        assert JsonlCheckpoint(path).load_done_ids() == {"a", "b"}
    assert "damaged line 2" in caplog.text
