"""Where kodistill reads shipped inputs and writes generated artifacts (overridable by environment)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Shipped sample inputs (`products_all.csv`, `raw_docs/`); `KODISTILL_DATA_DIR` overrides."""
    return Path(os.environ.get("KODISTILL_DATA_DIR", PROJECT_ROOT / "data"))


def artifacts_dir() -> Path:
    """Generated artifacts (git-ignored); `KODISTILL_ARTIFACTS_DIR` overrides."""
    return Path(os.environ.get("KODISTILL_ARTIFACTS_DIR", PROJECT_ROOT / "artifacts"))


def shared_dir() -> Path:
    """The `../shared` folder beside the checkout (datasets, seeds); may be absent on a user's clone."""
    return Path(os.environ.get("KODISTILL_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
