"""Leftovers of killed atomic writes (`.X.csv.<pid>.<random>.tmp`) are removed by the next write."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from assets.catalog.generator import generate_products, write_products_csv
from resources.atomic import DEAD_WRITER_GRACE_SECONDS, STALE_AFTER_SECONDS, remove_stale_temporaries


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftover(folder: Path, name: str, age_s: float) -> Path:
    path = folder / name
    path.write_bytes(b"half a csv")
    old = time.time() - age_s
    os.utime(path, (old, old))
    return path


def test_next_write_removes_a_killed_writers_temporary(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = _leftover(tmp_path, f".products.csv.{dead}.abcd1234.tmp", DEAD_WRITER_GRACE_SECONDS + 10)
    other_target = _leftover(tmp_path, f".other.json.{dead}.efgh5678.tmp", DEAD_WRITER_GRACE_SECONDS + 10)
    write_products_csv(generate_products(n_products=20, seed=1), tmp_path / "products.csv")
    assert not stale.exists() and not other_target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["products.csv"]


def test_live_recent_and_foreign_files_are_kept(tmp_path: Path) -> None:
    live = _leftover(tmp_path, f".products.csv.{os.getppid()}.abcd1234.tmp", 3 * STALE_AFTER_SECONDS)
    recent = _leftover(tmp_path, f".products.csv.{_dead_pid()}.abcd1234.tmp", 1)
    foreign = _leftover(tmp_path, ".cache.tmp", 3 * STALE_AFTER_SECONDS)
    unnamed_old = _leftover(tmp_path, ".products.csv.k2j4h5g6.tmp", 3 * STALE_AFTER_SECONDS)  # pre-pid naming
    unnamed_new = _leftover(tmp_path, ".products.csv.z9y8x7w6.tmp", 5)
    removed = remove_stale_temporaries(tmp_path / "products.csv")
    assert removed == [unnamed_old]
    assert live.exists() and recent.exists() and foreign.exists() and unnamed_new.exists()
