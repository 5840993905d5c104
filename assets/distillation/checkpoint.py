"""Resumable per-partition checkpoint for long answer generation (teacher answers, CLI `answer`).

Finished items are appended to a JSONL file, one envelope per line
(`{"id", "status": "ok", "value", "input"}` or `{"id", "status": "failed", "reason", "input"}`),
flushed and fsynced after every batch; later lines win. A killed run reopens the file, skips what is
done and goes on; nothing is redone or duplicated. A crash mid-write leaves a torn last line: it is
detected, reported with a warning and cut off before appending, never a crash. `consolidate` writes
the final artifact atomically in the input order. Pure Python, no Dagster.

What the answers depend on is recorded, so a resumed run never reuses answers made for something
else:
* the run fingerprint (`JsonlCheckpoint(path, fingerprint={"teacher": ..., "k": ...})`) is the
  file's first line; reopening with a different fingerprint raises `CheckpointMismatchError`
  (naming the changed keys and how to fix it) or, with `on_mismatch="discard"`, deletes the file;
* each envelope carries `input`, a hash of the item's input (`run_with_checkpoint(item_input=...)`,
  by default the whole item), so an item whose input changed under the same id is done again.

`JsonlCheckpoint.locked()` holds an exclusive `filelock` lock (`<path>.lock`) for a run's whole use
of the file (load, append, consolidate, remove); a second run on the same checkpoint fails fast with
`CheckpointLockedError` (or waits up to `timeout` seconds), so one run can never delete or
interleave with the file another is appending to. The lock is re-entrant within a thread, also
across `JsonlCheckpoint` objects of the same path; `run_with_checkpoint` takes it itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from resources.atomic import atomic_write_jsonl
from resources.errors import InputDataError

logger = logging.getLogger(__name__)

STATUS_OK = "ok"
STATUS_FAILED = "failed"
HEADER_KIND = "kodistill-checkpoint"
HEADER_VERSION = 2


class CheckpointLockedError(InputDataError):
    """Another run holds the checkpoint's lock; the message names the file."""


class CheckpointMismatchError(InputDataError):
    """The checkpoint was written for other settings; the message says what changed and how to fix it."""


def hash_input(value: Any) -> str:
    """Short sha256 of `value` as canonical JSON (what an item's answer depends on)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
    inputs: dict[str, str] = field(default_factory=dict)  # id -> input hash of its latest line ("" if none)
    header: dict[str, Any] | None = None
    bad_lines: int = 0
    torn_tail: bool = False


@dataclass(frozen=True)
class RunSummary:
    """Counts from one `run_with_checkpoint` call."""

    processed: int
    failed: int
    skipped: int


class JsonlCheckpoint:
    """Append-only JSONL checkpoint of finished items for one partition, with a run fingerprint.

    `fingerprint`: what every answer depends on (teacher, k, fusion, index checksum, ...), JSON
    values. None skips the fingerprint check (a file written with any fingerprint is accepted).
    `on_mismatch`: "refuse" raises `CheckpointMismatchError`; "discard" deletes the stale file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fingerprint: Mapping[str, object] | None = None,
        on_mismatch: Literal["refuse", "discard"] = "refuse",
    ) -> None:
        if on_mismatch not in ("refuse", "discard"):
            raise ValueError(f"on_mismatch must be 'refuse' or 'discard', got {on_mismatch!r}")
        self.path = Path(path)
        self.fingerprint = _canonical(fingerprint) if fingerprint is not None else None
        self.on_mismatch = on_mismatch
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        # One lock object per lock file in this process: every JsonlCheckpoint of a path shares it, so
        # nested `locked()` blocks re-enter while other processes (and other threads) are kept out.
        self._lock = FileLock(self.lock_path, is_singleton=True)

    # ------------------------------------------------------------------------------- locking

    @contextlib.contextmanager
    def locked(self, timeout: float = 0) -> Iterator[JsonlCheckpoint]:
        """Hold the exclusive lock for the block (re-entrant); `timeout` seconds to wait (0: fail fast).

        Raises `CheckpointLockedError` naming the file when another run holds it past `timeout`.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout as error:
            raise CheckpointLockedError(
                f"{self.path}: another run holds this checkpoint (lock {self.lock_path}); wait for it to finish"
            ) from error
        try:
            yield self
        finally:
            self._lock.release()

    @property
    def is_locked(self) -> bool:
        """True while this object holds the lock."""
        return self._lock.is_locked

    # ------------------------------------------------------------------------------- reading

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
            if number == 1 and isinstance(envelope, dict) and envelope.get("kind") == HEADER_KIND:
                state.header = envelope
                state.torn_tail = state.torn_tail and not is_last
                return
            item_id = str(envelope["id"])
            status = envelope["status"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            state.bad_lines += 1
            where = "torn last line (interrupted write)" if is_last else "damaged line"
            logger.warning("checkpoint %s: ignoring %s %d", self.path, where, number)
            return
        if is_last and state.torn_tail:
            state.torn_tail = False  # complete JSON without its newline: keep it, newline is added later
        state.inputs[item_id] = str(envelope.get("input", ""))
        if status == STATUS_OK:
            state.done[item_id] = envelope.get("value", {})
            state.failed.pop(item_id, None)
        else:
            state.failed[item_id] = str(envelope.get("reason", "unknown"))
            state.done.pop(item_id, None)

    def load_done_ids(self) -> set[str]:
        """Ids of items finished successfully."""
        return set(self.load().done)

    # ------------------------------------------------------------------------------ fingerprint

    def check_fingerprint(self) -> None:
        """Compare the file's recorded fingerprint with ours: refuse or discard a mismatch."""
        if self.fingerprint is None or not self.path.exists() or self.path.stat().st_size == 0:
            return
        recorded = self.load().header
        problem = _fingerprint_problem(recorded, self.fingerprint)
        if problem is None:
            return
        if self.on_mismatch == "discard":
            logger.warning("checkpoint %s: discarded (%s)", self.path, problem)
            self.remove()
            return
        raise CheckpointMismatchError(
            f"{self.path}: checkpoint was written for other settings ({problem}); "
            "delete the file to start over (kodistill answer: --restart)"
        )

    def _write_header_if_new(self) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            return
        header = {"kind": HEADER_KIND, "version": HEADER_VERSION, "fingerprint": self.fingerprint or {}}
        self._write_durably("ab", _envelope_line(header).encode("utf-8"))

    def _write_durably(self, mode: str, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, mode) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    # ------------------------------------------------------------------------------- writing

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
        self._write_durably("wb", fixed)

    def append(
        self,
        values: Sequence[tuple[str, dict[str, Any]]],
        failures: Sequence[Failure] = (),
        inputs: Mapping[str, str] | None = None,
    ) -> None:
        """Append finished `(id, value)` pairs and failures as one durable batch (flush + fsync).

        `inputs` maps ids to their input hash (see `hash_input`), stored with each envelope.
        """
        inputs = inputs or {}
        envelopes = [{"id": i, "status": STATUS_OK, "value": value} for i, value in values]
        envelopes += [{"id": f.item_id, "status": STATUS_FAILED, "reason": f.reason} for f in failures]
        if not envelopes:
            return
        self._write_header_if_new()
        lines = [_envelope_line({**e, "input": inputs[e["id"]]} if e["id"] in inputs else e) for e in envelopes]
        self._write_durably("ab", "".join(lines).encode("utf-8"))

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


def _canonical(fingerprint: Mapping[str, object]) -> dict[str, Any]:
    """The fingerprint as it reads back from JSON (so a comparison after a round trip is exact)."""
    return json.loads(json.dumps(dict(fingerprint), ensure_ascii=False, sort_keys=True, default=str))


def _fingerprint_problem(header: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """None when `header` records `wanted`; else a short description of the difference."""
    if header is None:
        return "it has no fingerprint header (written by an older version)"
    if header.get("version") != HEADER_VERSION:
        return f"format version {header.get('version')!r}, expected {HEADER_VERSION}"
    recorded = header.get("fingerprint")
    if not isinstance(recorded, dict):
        return "its fingerprint header is damaged"
    changed = sorted(key for key in set(recorded) | set(wanted) if recorded.get(key) != wanted.get(key))
    if not changed:
        return None
    return "; ".join(f"{key}: {recorded.get(key)!r} -> {wanted.get(key)!r}" for key in changed)


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
    item_input: Callable[[Any], Any] | None = None,
) -> RunSummary:
    """Process the items not yet done, in batches, appending each batch's results to `checkpoint`.

    `process(batch)` returns one value dict or `Failure` per item. Previously failed items are tried
    again when `retry_failed`. `on_batch(n)` is called after each batch (e.g. a progress bar update).
    `item_input(item)` is what the item's result depends on (default: the whole item); a recorded
    result whose input hash differs is done again. Holds `checkpoint.locked()` throughout (fails
    fast if another run holds it) and checks the checkpoint's fingerprint first.
    """
    with checkpoint.locked():
        checkpoint.check_fingerprint()
        checkpoint.repair_tail()
        items = list(items)
        hashes = {key(item): hash_input(item_input(item) if item_input else item) for item in items}
        todo = _todo(items, key, hashes, checkpoint, retry_failed)
        processed = failed = 0
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            done, bad = _run_batch(batch, key, process, checkpoint, hashes)
            processed, failed = processed + done, failed + bad
            if on_batch is not None:
                on_batch(len(batch))
    return RunSummary(processed=processed, failed=failed, skipped=len(items) - len(todo))


def _todo(
    items: list[Any], key: Callable[[Any], str], hashes: dict[str, str], checkpoint: JsonlCheckpoint, retry_failed: bool
) -> list[Any]:
    """Items with no result recorded for their current input (failed ones only when `retry_failed`)."""
    state = checkpoint.load()
    skip = set(state.done) | (set() if retry_failed else set(state.failed))
    current = {item_id for item_id in skip if state.inputs.get(item_id) == hashes.get(item_id)}
    stale = len(skip & set(hashes)) - len(current & set(hashes))
    if stale:
        logger.warning("checkpoint %s: %d item(s) recorded for another input are done again", checkpoint.path, stale)
    return [item for item in items if key(item) not in current]


def _run_batch(
    batch: list[Any], key: Callable[[Any], str], process: BatchFn, checkpoint: JsonlCheckpoint, hashes: dict[str, str]
) -> tuple[int, int]:
    """Process one batch and append its results; returns (values, failures) counts."""
    ids = [key(item) for item in batch]
    results = _process_isolating_failures(batch, ids, process)
    values = [(i, r) for i, r in zip(ids, results) if not isinstance(r, Failure)]
    failures = [r if r.item_id == i else Failure(i, r.reason) for i, r in zip(ids, results) if isinstance(r, Failure)]
    checkpoint.append(values, failures, inputs={i: hashes[i] for i in ids})
    return len(values), len(failures)
