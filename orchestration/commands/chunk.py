"""`kodistill chunk`: a folder of documents -> corpus.jsonl for `questions`, `answer` and `eval-retrieval`.

Reads and chunks with the functions the knowledge assets use (`scan_documents`, `document_row`,
`chunk_table`; chunk budget from `ChunksConfig`, default 256 morphemes with 48 of overlap), so the
ids are those of the `chunks` asset. Output: one line `{"id": chunk_id, "text", "doc_id"}` per chunk,
written atomically. A document that cannot be used (unsupported, empty, binary, unreadable, a bad
symlink) is listed on stderr with the reason and skipped; a missing --docs, a file given as --docs
or a folder without any usable document is one error line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from orchestration.cli import non_negative_int, positive_int
from resources.errors import InputDataError, check_output_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the chunk subcommand."""
    from assets.config import ChunksConfig

    defaults = ChunksConfig()
    parser = subparsers.add_parser(
        "chunk",
        help="Read and chunk a folder of documents (txt, md, html, pdf) into corpus.jsonl.",
        description='Writes one line {"id", "text", "doc_id"} per chunk, as the chunks asset makes them.',
    )
    parser.add_argument("--docs", required=True, type=Path, help="folder of documents (searched recursively)")
    parser.add_argument("--out", required=True, type=Path, help="corpus.jsonl to write")
    parser.add_argument(
        "--max-tokens",
        type=positive_int,
        default=defaults.max_tokens,
        help=f"largest chunk in Kiwi morphemes (default {defaults.max_tokens})",
    )
    parser.add_argument(
        "--overlap-tokens",
        type=non_negative_int,
        default=defaults.overlap_tokens,
        help=f"overlap in morphemes (default {defaults.overlap_tokens})",
    )
    parser.set_defaults(func=run)


def read_folder(docs: Path) -> tuple[Any, list[tuple[str, str]]]:
    """Document rows (the `documents` asset's columns) of every supported file, and (path, reason)
    for every file that cannot be used."""
    import pandas as pd

    from assets.knowledge.assets import DOCUMENT_COLUMNS, document_row
    from assets.knowledge.documents import scan_documents

    if not docs.exists():
        raise InputDataError(f"--docs {docs}: no such folder")
    if not docs.is_dir():
        raise InputDataError(f"--docs {docs}: not a folder")
    scan = scan_documents(docs)
    rows = [document_row(scan, doc_id) for doc_id in sorted(scan.found)]
    problems = list(scan.problems) + [(row["relative_path"] or row["doc_id"], row["problem"]) for row in rows]
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    return frame, [(path, reason) for path, reason in problems if reason]


def corpus_lines(chunks: Any) -> list[dict[str, str]]:
    """Eval-retrieval corpus lines from a chunks table."""
    return [{"id": r.chunk_id, "text": r.text, "doc_id": r.doc_id} for r in chunks.itertuples()]


def _problem_text(reason: str, path: str) -> str:
    """The reason without a repeated "<path>: " prefix (DocumentError messages start with the file)."""
    prefix = f"{path}: "
    return reason[len(prefix) :] if reason.startswith(prefix) else reason


def run(args: argparse.Namespace) -> int:
    """Scan, read, chunk, write atomically; skipped documents on stderr, a summary on stdout."""
    from assets.knowledge.assets import chunk_table
    from resources.atomic import atomic_write_jsonl
    from resources.korean import KoreanTokenizer

    check_output_path(args.out, "--out")
    frame, problems = read_folder(args.docs)
    for path, reason in problems:
        print(f"kodistill chunk: skipped {path}: {_problem_text(reason, path)}", file=sys.stderr)
    usable = frame[frame["problem"] == ""]
    if usable.empty:
        raise InputDataError(f"--docs {args.docs}: no usable document (supported: txt, md, html, pdf)")
    chunks, removed = chunk_table(usable, KoreanTokenizer(), args.max_tokens, args.overlap_tokens)
    if chunks.empty:
        raise InputDataError(f"--docs {args.docs}: the documents hold no text to chunk")
    atomic_write_jsonl(args.out, corpus_lines(chunks))
    summary = {
        "out": str(args.out),
        "documents": int(chunks["doc_id"].nunique()),
        "chunks": len(chunks),
        "duplicates_removed": removed,
        "skipped": len(problems),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
