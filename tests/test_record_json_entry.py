"""`record_json_entry`: keyed updates of a JSON results file keep every other key, also from writers at once."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from resources.atomic import record_json_entry


def test_an_entry_is_set_and_the_others_kept(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    record_json_entry(target, "a", {"value": 1})
    record_json_entry(target, "b", {"value": "둘"})
    record_json_entry(target, "a", {"value": 3})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": {"value": 3}, "b": {"value": "둘"}}


def test_writers_at_once_keep_each_others_entries(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    keys = [f"run-{i}" for i in range(24)]
    with ProcessPoolExecutor(max_workers=4) as pool:
        list(pool.map(record_json_entry, [target] * len(keys), keys, range(len(keys))))
    assert json.loads(target.read_text(encoding="utf-8")) == {key: i for i, key in enumerate(keys)}
