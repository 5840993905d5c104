"""The `kodistill` command line: one subcommand per module in `orchestration.commands`.

Each command module exposes `register(subparsers)` which adds its parser and sets `func`.
Errors the user can fix (bad file, bad row, bad option) are raised as
`resources.errors.InputDataError` and printed as one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from resources.errors import InputDataError

# Command modules under orchestration.commands, in the order shown by --help.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "bullets",
    "generate_products",
    "korquad",
    "eval_retrieval",
    "search",
    "questions",
    "answer",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="kodistill", description="Korean RAG and distillation pipeline tools.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"orchestration.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputDataError, FileNotFoundError) as error:
        print(f"kodistill {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
