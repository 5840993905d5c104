"""Shared fixtures: a small copy of the shipped data in a temporary data dir, with artifacts beside it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from resources.paths import data_dir

# The main job trains the miniature student in tests (assets/distillation/student_presets.py), here and in code servers.
os.environ.setdefault("KODISTILL_STUDENT_PRESET", "ci")


def copy_small_data(root: Path, documents: int) -> Path:
    """`documents` shipped documents, one unusable file, the shipped catalogue and item master under root/data."""
    raw = root / "data" / "raw_docs"
    raw.mkdir(parents=True)
    for name in sorted(p.name for p in (data_dir() / "raw_docs").iterdir())[:documents]:
        shutil.copy(data_dir() / "raw_docs" / name, raw / name)
    (raw / "empty_notes.txt").write_text("   \n", encoding="utf-8")
    shutil.copy(data_dir() / "products_all.csv", root / "data" / "products_all.csv")
    shutil.copy(data_dir() / "items.csv", root / "data" / "items.csv")  # item matching (issue 12)
    return root


@pytest.fixture
def small_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three shipped documents, one unusable file and the catalogue; KODISTILL_* point at them."""
    copy_small_data(tmp_path, documents=3)
    monkeypatch.setenv("KODISTILL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KODISTILL_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    return tmp_path


@pytest.fixture(autouse=True)
def isolated_mlflow(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees its own (not yet created) MLflow store, never the project's .mlflow/."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}")
