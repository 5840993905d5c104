"""Resumable answer checkpoints: crash mid-partition (torn line), resume without loss or duplicates."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from assets.distillation.checkpoint import (
    CheckpointLockedError,
    CheckpointMismatchError,
    Failure,
    JsonlCheckpoint,
    run_with_checkpoint,
)

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


# --------------------------------------------------------------- fingerprints, inputs and the lock

FINGERPRINT = {"teacher": "extractive", "k": 3, "fusion": "weighted", "index": "abc123"}


def _answer_all(checkpoint: JsonlCheckpoint, items=ITEMS, calls: list[str] | None = None):
    return run_with_checkpoint(items, lambda r: r["id"], make_process([] if calls is None else calls), checkpoint)


def test_fingerprint_is_recorded_and_a_different_one_is_refused(tmp_path):
    path = tmp_path / "part.jsonl"
    _answer_all(JsonlCheckpoint(path, fingerprint=FINGERPRINT))
    assert json.loads(_lines(path)[0])["fingerprint"] == FINGERPRINT
    same: list[str] = []
    _answer_all(JsonlCheckpoint(path, fingerprint=dict(FINGERPRINT)), calls=same)
    assert same == []  # same settings: everything reused
    changed = JsonlCheckpoint(path, fingerprint={**FINGERPRINT, "k": 1})
    with pytest.raises(
        CheckpointMismatchError, match=r"k: 3 -> 1.*delete the file to start over \(kodistill answer: --restart\)"
    ) as error:
        _answer_all(changed)
    assert str(path) in str(error.value) and len(str(error.value).splitlines()) == 1
    assert len(_lines(path)) == 1 + len(ITEMS)  # refused before touching the file


def test_a_mismatched_checkpoint_can_be_discarded(tmp_path, caplog):
    path = tmp_path / "part.jsonl"
    _answer_all(JsonlCheckpoint(path, fingerprint=FINGERPRINT))
    calls: list[str] = []
    with caplog.at_level(logging.WARNING):
        _answer_all(
            JsonlCheckpoint(path, fingerprint={**FINGERPRINT, "teacher": "hf:/m"}, on_mismatch="discard"), calls=calls
        )
    assert calls == [i["id"] for i in ITEMS] and "discarded (teacher: 'extractive' -> 'hf:/m')" in caplog.text
    assert json.loads(_lines(path)[0])["fingerprint"]["teacher"] == "hf:/m"


def test_a_file_without_header_is_refused_when_a_fingerprint_is_wanted(tmp_path):
    path = tmp_path / "part.jsonl"
    path.write_text('{"id": "q0", "status": "ok", "value": {"answer": "옛 답"}}\n', encoding="utf-8")
    with pytest.raises(CheckpointMismatchError, match="no fingerprint header"):
        JsonlCheckpoint(path, fingerprint=FINGERPRINT).check_fingerprint()


def test_an_item_whose_input_changed_is_done_again(tmp_path):
    checkpoint = JsonlCheckpoint(tmp_path / "part.jsonl", fingerprint=FINGERPRINT)
    _answer_all(checkpoint)
    changed = [dict(item, query="완전히 다른 질문") if item["id"] == "q4" else item for item in ITEMS]
    calls: list[str] = []
    summary = run_with_checkpoint(
        changed, lambda r: r["id"], make_process(calls), checkpoint, item_input=lambda r: r["query"]
    )
    assert calls == [i["id"] for i in ITEMS]  # the default input was the whole item: hashes differ from the query's
    calls.clear()
    summary = run_with_checkpoint(
        changed, lambda r: r["id"], make_process(calls), checkpoint, item_input=lambda r: r["query"]
    )
    assert calls == [] and summary.skipped == len(ITEMS)
    again = [dict(item, query="세 번째 질문") if item["id"] == "q7" else item for item in changed]
    run_with_checkpoint(again, lambda r: r["id"], make_process(calls), checkpoint, item_input=lambda r: r["query"])
    assert calls == ["q7"]


def test_a_later_failure_replaces_an_earlier_answer(tmp_path):
    checkpoint = JsonlCheckpoint(tmp_path / "part.jsonl")
    checkpoint.append([("a", {"answer": "옛 답"})])
    checkpoint.append([], [Failure("a", "시간 초과")])
    state = checkpoint.load()
    assert state.done == {} and state.failed == {"a": "시간 초과"}


def test_the_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path):
    path = tmp_path / "part.jsonl"
    holder = (
        "import sys, time; from assets.distillation.checkpoint import JsonlCheckpoint\n"
        "with JsonlCheckpoint(sys.argv[1]).locked():\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    other = subprocess.Popen([sys.executable, "-c", holder, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(CheckpointLockedError, match="another run holds this checkpoint") as error:
            _answer_all(JsonlCheckpoint(path))
        assert str(path) in str(error.value)
        assert not path.exists()  # nothing written, nothing recorded as failed
    finally:
        other.kill()
        other.wait()
    checkpoint = JsonlCheckpoint(path)
    with checkpoint.locked(), JsonlCheckpoint(path).locked():  # same process and thread: re-entrant
        summary = _answer_all(checkpoint)
        checkpoint.remove()
    assert summary.processed == len(ITEMS) and not path.exists()
