"""Where kodistill reads shipped inputs and writes generated artifacts (overridable by environment).

* `data_dir`, `artifacts_dir`, `shared_dir`: the three roots.
* `safe_child(root, *parts)`: `root/parts...` resolved, proven to stay inside `root` (no "..",
  absolute part or symlink escape), else `UnsafePathError`.
* `validate_partition_key(key)`: a partition key safe to use as a file name (what the documents
  scanner produces: letters/digits of any script, "_" and "-", at most 200 characters), else
  `UnsafePathError`.
"""

from __future__ import annotations

import os
from pathlib import Path

from resources.errors import InputDataError

MAX_PARTITION_KEY_LENGTH = 200

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Shipped sample inputs (`products_all.csv`, `raw_docs/`); `KODISTILL_DATA_DIR` overrides."""
    return Path(os.environ.get("KODISTILL_DATA_DIR", PROJECT_ROOT / "data"))


def artifacts_dir() -> Path:
    """Generated artifacts (git-ignored); `KODISTILL_ARTIFACTS_DIR` overrides."""
    return Path(os.environ.get("KODISTILL_ARTIFACTS_DIR", PROJECT_ROOT / "artifacts"))


def follow_external_symlinks() -> bool:
    """Whether symlinks in raw_docs/ that point outside it are read (`KODISTILL_FOLLOW_EXTERNAL_SYMLINKS=1`)."""
    return os.environ.get("KODISTILL_FOLLOW_EXTERNAL_SYMLINKS") == "1"


def shared_dir() -> Path:
    """The `../shared` folder beside the checkout (datasets, seeds); may be absent on a user's clone."""
    return Path(os.environ.get("KODISTILL_SHARED_DIR", PROJECT_ROOT.parent / "shared"))


class UnsafePathError(InputDataError):
    """A path built from user-controlled parts (a partition key, a file name) would leave its root folder,
    or a key is not a safe file name; the message names the key or path. A `ValueError` (via InputDataError)."""


def safe_child(root: str | os.PathLike[str], *parts: str) -> Path:
    """`root` joined with `parts`, resolved; raises `UnsafePathError` unless it lies strictly inside `root`.

    Symlinks are resolved on both sides, so a link inside `root` that points elsewhere is refused too.
    """
    if not parts:
        raise UnsafePathError(f"no path given under {root}")
    for part in parts:
        if not isinstance(part, str) or not part or "\x00" in part:
            raise UnsafePathError(f"path part {part!r} under {root} is empty or holds a NUL character")
    base = Path(root).resolve()
    candidate = base.joinpath(*parts).resolve()
    if candidate == base or base not in candidate.parents:
        raise UnsafePathError(f"{'/'.join(parts)!r} would be written outside {base} (resolves to {candidate})")
    return candidate


def validate_partition_key(key: str) -> str:
    """Return `key` if it is a safe partition key / file name, else raise `UnsafePathError` saying why.

    Allowed: 1 to 200 characters, each a letter or digit (any script), "_" or "-" (so no "/", "\\",
    ".", "..", NUL, whitespace or control characters).
    """
    if not isinstance(key, str) or not key:
        raise UnsafePathError(f"partition key {key!r} is empty")
    if len(key) > MAX_PARTITION_KEY_LENGTH:
        raise UnsafePathError(
            f"partition key {key[:40]!r}... is {len(key)} characters (max {MAX_PARTITION_KEY_LENGTH})"
        )
    bad = sorted({char for char in key if not (char.isalnum() or char in "_-")})
    if bad:
        raise UnsafePathError(
            f"partition key {key!r} holds {', '.join(repr(c) for c in bad)}; "
            "only letters, digits, '_' and '-' are allowed"
        )
    return key
