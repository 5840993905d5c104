"""The `kodistill` command line: one subcommand per module in `orchestration.commands`.

Each command module exposes `register(subparsers)` which adds its parser and sets `func`; `main`
imports only the module of the command being run (all of them for `--help` or an unknown command).
One error boundary, `main`, turns every error the user can fix into one line on stderr,
`kodistill <command>: error: …`, and exit status 2: `resources.errors.InputDataError`, `OSError`
(a file that cannot be read or written) and bad option values. Numeric options use the argparse
`type=` functions below (`positive_int`, `non_negative_int`, `share`), which name the rule broken.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from resources.errors import InputDataError

# Command modules under orchestration.commands, in the order shown by --help.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "bullets",
    "generate_products",
    "korquad",
    "eval_retrieval",
    "search",
    "chunk",
    "questions",
    "answer",
    "train_classifier",
    "feedback",
    "match",  # item matching (issue 12)
    "serve_matcher",
)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (`prog: error: message`) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def one_line(text: str) -> str:
    """Collapse a message onto one line."""
    return " ".join(str(text).split())


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number ≥ 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def share(text: str) -> float:
    """argparse type: a fraction in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


# Subcommands whose name is not their module's name with "-" for "_".
MODULE_OF_COMMAND: dict[str, str] = {"korquad-convert": "korquad"}


def module_of(command: str) -> str | None:
    """The command module that registers `command`, or None for anything else (an option, a typo)."""
    name = MODULE_OF_COMMAND.get(command, command.replace("-", "_"))
    return name if name in COMMAND_MODULES else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand, or just the one of module `only`
    (so `kodistill bullets` does not import, and hold in memory, what the other commands need)."""
    parser = OneLineParser(prog="kodistill", description="Korean RAG and distillation pipeline tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name in COMMAND_MODULES if only is None else (only,):
        module = importlib.import_module(f"orchestration.commands.{name}")
        module.register(subparsers)
    return parser


def describe_os_error(error: OSError) -> str:
    """`path: reason` for an OSError, without the errno noise."""
    reason = error.strerror or type(error).__name__
    return f"{error.filename}: {reason}" if error.filename else reason


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(module_of(argv[0]) if argv else None).parse_args(argv)
    except SystemExit as exit_:  # usage errors (already printed as one line) and --help: a status, as for a run
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return int(args.func(args) or 0)
    except InputDataError as error:
        message = str(error)
    except OSError as error:
        message = describe_os_error(error)
    print(f"kodistill {args.command}: error: {one_line(message)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
