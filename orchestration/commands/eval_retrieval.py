"""`kodistill eval-retrieval`: recall@k, MRR, build time and query latency of BM25, dense and hybrid retrieval."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from resources.errors import InputDataError
from resources.retrieval.hybrid import DEFAULT_FUSION, FUSION_MODES, FusionSettings


def parse_ks(text: str) -> list[int]:
    """ "1,3,5,10" -> [1, 3, 5, 10]; InputDataError for anything but positive integers."""
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise InputDataError(f"--k: expected comma-separated positive integers, got {text!r}") from error
    if not ks or ks[0] < 1:
        raise InputDataError(f"--k: expected comma-separated positive integers, got {text!r}")
    return ks


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the eval-retrieval subcommand."""
    parser = subparsers.add_parser(
        "eval-retrieval",
        help="Evaluate BM25, dense and hybrid retrieval on a JSONL corpus and queries; prints one JSON object.",
        description='Corpus lines {"id", "text", "doc_id"?}; query lines {"id", "query", "relevant_ids": [...]}.',
    )
    parser.add_argument("--corpus", required=True, type=Path, help="corpus.jsonl")
    parser.add_argument("--queries", required=True, type=Path, help="queries.jsonl")
    parser.add_argument("--k", default="1,3,5,10", help="cut-offs for recall@k (default 1,3,5,10)")
    parser.add_argument(
        "--fusion", default=None, choices=FUSION_MODES, help="mode reported as 'hybrid' (default: the measured default)"
    )
    parser.add_argument("--embedder", default="lsa", help="'lsa', 'lsa:DIM' or 'st:/local/model/dir' (default lsa)")
    parser.add_argument(
        "--bm25-weight",
        type=float,
        default=None,
        help="BM25's weight in weighted fusion, dense gets the rest (default: the measured default)",
    )
    parser.add_argument("--dense-kind", default="flat", choices=("flat", "hnsw"), help="FAISS index kind")
    parser.add_argument(
        "--save-index", type=Path, default=None, help="also save the built retriever here (for `kodistill search`)"
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON report to this file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build, evaluate, print the report."""
    from assets.knowledge.evaluation import run_evaluation
    from resources.atomic import atomic_write_json

    settings = FusionSettings() if args.bm25_weight is None else FusionSettings(bm25_weight=args.bm25_weight)
    report = run_evaluation(
        args.corpus,
        args.queries,
        ks=parse_ks(args.k),
        fusion=args.fusion or DEFAULT_FUSION,
        embedder_spec=args.embedder,
        dense_kind=args.dense_kind,
        show_progress=not args.no_progress,
        save_dir=args.save_index,
        fusion_settings=settings,
    )
    if args.out is not None:
        atomic_write_json(args.out, report)
    print(json.dumps(report, ensure_ascii=False))
    return 0
