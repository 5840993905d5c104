"""`kodistill search "질문"`: query the saved hybrid retriever and print the hits (text or --json)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from orchestration.cli import positive_int
from resources.errors import InputDataError
from resources.retrieval.dense import IndexIntegrityError
from resources.retrieval.hybrid import DEFAULT_FUSION, FUSION_MODES, HybridRetriever

SNIPPET_CHARS = 120


def default_index_dir() -> Path:
    """Where the knowledge assets save the retriever (the `retriever_store` resource's default folder)."""
    from resources.retriever_resource import RetrieverStore

    return RetrieverStore().path()


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the search subcommand."""
    parser = subparsers.add_parser("search", help="Search the saved hybrid retriever (BM25 + dense).")
    parser.add_argument("query", help='the question, e.g. "임종석이 지명수배된 날은?"')
    parser.add_argument("--k", type=positive_int, default=5, help="number of hits (default 5)")
    parser.add_argument(
        "--fusion", default=None, choices=FUSION_MODES, help="fusion mode (default: the measured default)"
    )
    parser.add_argument(
        "--k-each", type=positive_int, default=3, help="per-retriever depth for --fusion independent (default 3)"
    )
    parser.add_argument(
        "--index-dir", type=Path, default=None, help="saved retriever (default: artifacts/knowledge/retriever)"
    )
    parser.add_argument("--json", action="store_true", help="print the hits as one JSON object")
    parser.set_defaults(func=run)


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def _format_rank(value: int | None) -> str:
    return "-" if value is None else str(value)


def format_hits(hits: list[Any]) -> str:
    """Human-readable lines: rank, score, chunk id, doc id, per-retriever ranks, then a snippet."""
    if not hits:
        return "(no hits)"
    lines = []
    for hit in hits:
        ranks = " ".join(f"{name}={_format_rank(rank)}" for name, rank in hit.ranks.items())
        lines.append(f"{hit.rank:>2}. score={hit.score:.4f}  chunk={hit.chunk_id}  doc={hit.doc_id}  ranks[{ranks}]")
        lines.append(f"    {_snippet(hit.text)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Load the retriever (checksums verified) and print the hits."""
    if args.k < 1:
        raise InputDataError(f"--k must be at least 1, got {args.k}")
    directory = args.index_dir or default_index_dir()
    if not (directory / "manifest.json").is_file():
        raise InputDataError(
            f"no saved retriever in {directory}: materialize the knowledge group first "
            "(e.g. `kodistill demo`, or the knowledge assets in the Dagster UI), or pass --index-dir"
        )
    try:
        retriever = HybridRetriever.load(directory)
    except IndexIntegrityError as error:
        raise InputDataError(f"saved retriever failed its integrity check: {error}; rebuild it") from error
    mode = args.fusion or DEFAULT_FUSION
    hits = retriever.search(args.query, k=args.k, mode=mode, k_each=args.k_each)
    if args.json:
        payload = {"query": args.query, "mode": mode, "index_dir": str(directory), "hits": [asdict(h) for h in hits]}
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(format_hits(hits))
    return 0
