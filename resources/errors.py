"""Error types shared by every layer, and the output-path check every command runs before working.

`InputDataError` is bad input the user can fix, named precisely. `check_output_path(path, option)`
refuses an output path that can never be written (a directory, a parent that is a file) up front, so
a command fails in a second instead of after its work.
"""

from __future__ import annotations

import os
from pathlib import Path


class InputDataError(ValueError):
    """Bad input the user can fix: the message names the file, row, column or field and the problem.

    The CLI prints it as one line with exit status 2; in Dagster it fails the step with that message.
    """


def check_output_path(path: str | os.PathLike[str], option: str) -> Path:
    """Return `path` as a Path, or raise `InputDataError` naming `option` when no file can be written there."""
    target = Path(path)
    if target.is_dir():
        raise InputDataError(f"{option} {target}: is a directory, expected a file path")
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputDataError(f"{option} {target}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputDataError(f"{option} {target}: directory {ancestor} is not writable")
    return target
