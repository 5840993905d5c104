"""`kodistill korquad-convert`: KorQuAD/SQuAD-format JSON -> corpus.jsonl + queries.jsonl for eval-retrieval."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the korquad-convert subcommand."""
    parser = subparsers.add_parser(
        "korquad-convert",
        help="Convert KorQuAD (SQuAD-format JSON) into corpus.jsonl and queries.jsonl.",
        description="Distinct paragraphs become the corpus; each question's relevant id is its paragraph.",
    )
    parser.add_argument("--input", required=True, type=Path, help="KorQuAD JSON, e.g. KorQuAD_v1.0_dev.json")
    parser.add_argument("--out-dir", required=True, type=Path, help="directory for corpus.jsonl and queries.jsonl")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Convert and print the counts and output paths as JSON."""
    from assets.knowledge.korquad import convert_korquad_file

    summary = convert_korquad_file(args.input, args.out_dir)
    print(json.dumps(summary, ensure_ascii=False))
    return 0
