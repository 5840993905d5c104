"""Atomic file writes: write beside the target, fsync, then rename, so a crash never leaves half a file.

Temporaries are named `.<target name>.<pid>.<random>.tmp` in the target's folder. A killed writer
cannot remove its own, so every `atomic_path` first calls `remove_stale_temporaries(target)`, which
deletes temporaries in that folder whose writing process no longer runs and that have not been
touched for `DEAD_WRITER_GRACE_SECONDS` (a process on another machine sharing the folder may reuse
the pid number space), and, for names without a pid, those of the same target untouched for
`STALE_AFTER_SECONDS`. `record_json_entry` sets one key of a JSON object file (benchmark results keyed by
run name) under a `filelock` lock, so two writers at once keep each other's entries.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success it is renamed onto `target`.

    The caller writes the whole artifact to the yielded path. If the block raises, the temporary
    file is removed and `target` is left untouched.
    """
    target = Path(target)
    if target.is_dir():  # fail before any work, naming the target rather than the temporary
        raise IsADirectoryError(errno.EISDIR, "is a directory, expected a file path", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp_name)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp_path, 0o666 & ~_current_umask())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


STALE_AFTER_SECONDS = 3600
DEAD_WRITER_GRACE_SECONDS = 60
_TEMPORARY_NAME = re.compile(r"^\.(?P<target>.+?)\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{8}\.tmp$")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_stale(path: Path, target: Path) -> bool:
    match = _TEMPORARY_NAME.match(path.name)
    if match is None:
        return False
    age = time.time() - path.stat().st_mtime
    if match["pid"] is not None:
        pid = int(match["pid"])
        return age > DEAD_WRITER_GRACE_SECONDS and pid != os.getpid() and not _process_alive(pid)
    return path.name.startswith(f".{target.name}.") and age > STALE_AFTER_SECONDS


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Delete leftovers of killed atomic writes in `target`'s folder (see the module docstring); return them."""
    target = Path(target)
    removed = []
    for path in target.parent.glob(".*.tmp"):
        with contextlib.suppress(OSError):  # vanished meanwhile, or not ours to delete
            if path.is_file() and _is_stale(path, target):
                path.unlink()
                removed.append(path)
    return removed


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `target` atomically and return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `target` atomically and return the target path."""
    return atomic_write_bytes(target, text.encode(encoding))


def atomic_write_json(target: str | os.PathLike[str], payload: Any) -> Path:
    """Write `payload` as pretty UTF-8 JSON (Korean kept readable) to `target` atomically."""
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return atomic_write_text(target, text)


def atomic_write_jsonl(target: str | os.PathLike[str], rows: list[dict[str, Any]]) -> Path:
    """Write one JSON object per line to `target` atomically."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return atomic_write_text(target, text)


def record_json_entry(target: str | os.PathLike[str], key: str, entry: Any) -> Path:
    """Set `key` of the JSON object in `target` (created if missing) to `entry`, keeping every other key: read,
    update and atomic write happen under an exclusive lock on `<target>.lock`."""
    target = Path(target)
    with FileLock(f"{target}.lock"):
        payload = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
        payload[key] = entry
        return atomic_write_json(target, payload)
