"""Resumable per-partition checkpoint for long answer generation (teacher answers, CLI `answer`).

Finished items are appended to a JSONL file, one envelope per line
(`{"id", "status": "ok", "value"}` or `{"id", "status": "failed", "reason"}`), flushed and fsynced
after every batch. A killed run reopens the file, skips what is done and goes on; nothing is redone
or duplicated. A crash mid-write leaves a torn last line: it is detected, reported with a warning
and cut off before appending, never a crash. `consolidate` writes the final artifact atomically in
the input order. Pure Python, no Dagster.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resources.atomic import atomic_write_jsonl

logger = logging.getLogger(__name__)

STATUS_OK = "ok"
STATUS_FAILED = "failed"


@dataclass(frozen=True)
class Failure:
    """An item that could not be processed, with a short reason kept in the checkpoint."""

    item_id: str
    reason: str


@dataclass
class CheckpointState:
    """What a checkpoint file holds: finished values and failures by id, and damaged lines skipped."""

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    bad_lines: int = 0
    torn_tail: bool = False


@dataclass(frozen=True)
class RunSummary:
    """Counts from one `run_with_checkpoint` call."""

    processed: int
    failed: int
    skipped: int


class JsonlCheckpoint:
    """Append-only JSONL checkpoint of finished items for one partition."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> CheckpointState:
        """Read the file (if any): later lines win, damaged lines are counted and skipped."""
        state = CheckpointState()
        if not self.path.exists():
            return state
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        state.torn_tail = bool(lines[-1].strip())
        for number, line in enumerate(lines, start=1):
            if line.strip():
                self._apply_line(state, line, number, is_last=number == len(lines))
        return state

    def _apply_line(self, state: CheckpointState, line: bytes, number: int, is_last: bool) -> None:
        """Fold one line into `state`, warning about (and skipping) a damaged one."""
        try:
            envelope = json.loads(line.decode("utf-8"))
            item_id = str(envelope["id"])
            status = envelope["status"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            state.bad_lines += 1
            where = "torn last line (interrupted write)" if is_last else "damaged line"
            logger.warning("checkpoint %s: ignoring %s %d", self.path, where, number)
            return
        if is_last and state.torn_tail:
            state.torn_tail = False  # complete JSON without its newline: keep it, newline is added later
        if status == STATUS_OK:
            state.done[item_id] = envelope.get("value", {})
            state.failed.pop(item_id, None)
        elif item_id not in state.done:
            state.failed[item_id] = str(envelope.get("reason", "unknown"))

    def load_done_ids(self) -> set[str]:
        """Ids of items finished successfully."""
        return set(self.load().done)

    def repair_tail(self) -> None:
        """Make the file end at a line boundary: cut a torn last line, or add a missing newline."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        data = self.path.read_bytes()
        if data.endswith(b"\n"):
            return
        head, _, tail = data.rpartition(b"\n")
        try:
            json.loads(tail.decode("utf-8"))
            fixed = data + b"\n"
        except (UnicodeDecodeError, json.JSONDecodeError):
            logger.warning("checkpoint %s: cutting torn last line (%d bytes)", self.path, len(tail))
            fixed = head + b"\n" if head else b""
        with open(self.path, "wb") as handle:
            handle.write(fixed)
            handle.flush()
            os.fsync(handle.fileno())

    def append(self, values: Sequence[tuple[str, dict[str, Any]]], failures: Sequence[Failure] = ()) -> None:
        """Append finished `(id, value)` pairs and failures as one durable batch (flush + fsync)."""
        lines = [_envelope_line({"id": item_id, "status": STATUS_OK, "value": value}) for item_id, value in values]
        lines += [_envelope_line({"id": f.item_id, "status": STATUS_FAILED, "reason": f.reason}) for f in failures]
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as handle:
            handle.write("".join(lines).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    def consolidate(self, target: str | os.PathLike[str], order: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Write finished values to `target` atomically (in `order` when given) and return them."""
        state = self.load()
        ids = [i for i in order if i in state.done] if order is not None else list(state.done)
        rows = [state.done[i] for i in ids]
        atomic_write_jsonl(target, rows)
        return rows

    def remove(self) -> None:
        """Delete the checkpoint file (after a successful consolidation)."""
        self.path.unlink(missing_ok=True)


def _envelope_line(envelope: dict[str, Any]) -> str:
    """One JSONL line (Korean kept readable)."""
    return json.dumps(envelope, ensure_ascii=False) + "\n"


BatchFn = Callable[[list[Any]], Sequence[dict[str, Any] | Failure]]


def _process_isolating_failures(batch: list[Any], ids: list[str], process: BatchFn) -> list[dict[str, Any] | Failure]:
    """Run `process` on the batch; if it raises, run items one by one so one bad item fails alone."""
    try:
        results = list(process(batch))
        if len(results) != len(batch):
            raise RuntimeError(f"batch function returned {len(results)} results for {len(batch)} items")
        return results
    except Exception as error:  # noqa: BLE001 - any failure of user code is isolated and recorded
        if len(batch) == 1:
            return [Failure(ids[0], f"{type(error).__name__}: {error}")]
        return [_process_isolating_failures([item], [item_id], process)[0] for item, item_id in zip(batch, ids)]


def run_with_checkpoint(
    items: Iterable[Any],
    key: Callable[[Any], str],
    process: BatchFn,
    checkpoint: JsonlCheckpoint,
    batch_size: int = 16,
    retry_failed: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process the items not yet done, in batches, appending each batch's results to `checkpoint`.

    `process(batch)` returns one value dict or `Failure` per item. Previously failed items are tried
    again when `retry_failed`. `on_batch(n)` is called after each batch (e.g. a progress bar update).
    """
    checkpoint.repair_tail()
    state = checkpoint.load()
    skip = set(state.done) | (set() if retry_failed else set(state.failed))
    items = list(items)
    todo = [item for item in items if key(item) not in skip]
    processed = failed = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        ids = [key(item) for item in batch]
        results = _process_isolating_failures(batch, ids, process)
        values = [(i, r) for i, r in zip(ids, results) if not isinstance(r, Failure)]
        failures = [
            r if r.item_id == i else Failure(i, r.reason) for i, r in zip(ids, results) if isinstance(r, Failure)
        ]
        checkpoint.append(values, failures)
        processed += len(values)
        failed += len(failures)
        if on_batch is not None:
            on_batch(len(batch))
    return RunSummary(processed=processed, failed=failed, skipped=len(items) - len(todo))
