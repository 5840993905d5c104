"""Error types shared by every layer: input problems the user can fix, named precisely."""

from __future__ import annotations


class InputDataError(ValueError):
    """Bad input the user can fix: the message names the file, row, column or field and the problem.

    The CLI prints it as one line with exit status 2; in Dagster it fails the step with that message.
    """
