"""`kodistill match "QUERY" [--client C] [--k 5]` and `kodistill match --queries Q.jsonl --out R.jsonl`.

One query prints the ranked items (or `--json`). A batch reads JSON lines `{id, query, client_code?}`
and writes `{id, query, results: [{item_no, score, stage}], quantity, timing_ms}` per line
(atomically). A bad line is reported with its line number and field (exit status 2), before any
output is written. Without a saved index one is built from data/items.csv first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from orchestration.cli import positive_int
from resources.errors import InputDataError, check_output_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the match subcommand."""
    parser = subparsers.add_parser("match", help="Resolve order lines to catalogue items (rule + semantic hybrid).")
    parser.add_argument("query", nargs="?", help='an order line, e.g. "레이크 찰리스 말보로 24병"')
    parser.add_argument("--client", default=None, help="client code (per-client aliases and priors)")
    parser.add_argument("--k", type=positive_int, default=5, help="number of items (default 5)")
    parser.add_argument("--queries", type=Path, default=None, help="JSON lines {id, query, client_code?} to match")
    parser.add_argument("--out", type=Path, default=None, help="where --queries results go (JSON lines)")
    parser.add_argument("--index-dir", type=Path, default=None, help="saved item index (default artifacts/matching)")
    parser.add_argument("--json", action="store_true", help="print the single result as JSON")
    parser.set_defaults(func=run)


def load_index(index_dir: Path | None) -> Any:
    """The saved matcher (built from data/items.csv first when none is saved); InputDataError if altered."""
    from resources.matching.index_build import ensure_index
    from resources.matching.store import load_matcher
    from resources.matching_resource import ItemIndexStore
    from resources.paths import data_dir
    from resources.retrieval.dense import IndexIntegrityError

    folder = index_dir or ItemIndexStore().path()
    if ensure_index(folder, data_dir() / "items.csv"):
        print(f"built the item index from {data_dir() / 'items.csv'} into {folder}", file=sys.stderr)
    try:
        return load_matcher(folder)
    except IndexIntegrityError as error:
        raise InputDataError(f"saved item index failed its integrity check: {error}; rebuild it") from error


def read_query_lines(path: Path) -> list[dict[str, Any]]:
    """The batch's lines, validated: each a JSON object with a non-empty string `query`, an `id`."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputDataError(f"{path}: line {number}: not JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise InputDataError(f"{path}: line {number}: expected a JSON object")
        if "id" not in row:
            raise InputDataError(f"{path}: line {number}: field 'id' is missing")
        if not isinstance(row.get("query"), str) or not row["query"].strip():
            raise InputDataError(f"{path}: line {number}: field 'query' must be a non-empty string")
        client = row.get("client_code")
        if client is not None and not isinstance(client, str):
            raise InputDataError(f"{path}: line {number}: field 'client_code' must be a string")
        rows.append(row)
    return rows


def _batch(args: argparse.Namespace) -> int:
    from resources.atomic import atomic_write_jsonl

    if args.out is None:
        raise InputDataError("--queries needs --out (where the results go)")
    out = check_output_path(args.out, "--out")
    rows = read_query_lines(args.queries)
    matcher = load_index(args.index_dir)
    results = []
    for row in rows:
        result = matcher.match(row["query"], row.get("client_code"), top_k=args.k)
        results.append(
            {
                "id": row["id"],
                "query": row["query"],
                "results": [
                    {"item_no": c.item_no, "score": round(c.score, 4), "stage": c.stage} for c in result.results
                ],
                "quantity": result.quantity.as_dict() if result.quantity else None,
                "timing_ms": round(result.timing_ms, 3),
            }
        )
    atomic_write_jsonl(out, results)
    print(f"{len(results)} queries matched → {out}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Match one query, or a file of queries."""
    if args.queries is not None:
        if args.query:
            raise InputDataError("give either a QUERY or --queries, not both")
        return _batch(args)
    if not args.query or not args.query.strip():
        raise InputDataError('give an order line to match, e.g. kodistill match "lc 말보로", or --queries FILE')
    result = load_index(args.index_dir).match(args.query, args.client, top_k=args.k)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    quantity = f"  quantity={result.quantity.amount}{result.quantity.unit}" if result.quantity else ""
    print(f"stage={result.stage} ({result.reason}){quantity}  {result.timing_ms:.2f} ms")
    for rank, candidate in enumerate(result.results, start=1):
        print(f"{rank:>2}. {candidate.item_no}  {candidate.score:.3f}  [{candidate.stage}]  {candidate.name}")
    return 0
