"""An in-memory selection log with the feedback store's protocol (tests only): ids from 1, one lock per call."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict

from resources.feedback.records import SelectionLog, StoredSelection


class MemorySelectionLog:
    """`add_selections` stores all records or none; `selections` pages by id."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.rows: list[StoredSelection] = []
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def add_selections(self, records: Sequence[SelectionLog]) -> list[int]:
        with self._lock:
            if self.fail_on is not None and any(r.raw_input == self.fail_on for r in records):
                raise RuntimeError("simulated store failure")
            start = len(self.rows) + 1
            stored = [StoredSelection(**asdict(r), id=start + i) for i, r in enumerate(records)]
            self.rows.extend(stored)
            return [s.id for s in stored]

    def selections(self, after_id: int = 0, limit: int | None = None) -> list[StoredSelection]:
        with self._lock:
            found = [r for r in self.rows if r.id > after_id]
        return found if limit is None else found[:limit]
