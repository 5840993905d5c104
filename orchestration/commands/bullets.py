"""`kodistill bullets`: products CSV → category report bullets JSON, the catalog chain without Dagster.

The payloads are validated (schema, order, faithfulness: `assets.catalog.bullets.payload_problems`)
before anything is written or printed; `--out` is checked before the CSV is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

import pyarrow as pa

from assets.catalog.bullets import payload_problems, render_template_bullets, report_document
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import ProductsReadResult, jemalloc_pool, read_products
from orchestration.cli import share
from resources.atomic import atomic_write_json
from resources.errors import InputDataError, check_output_path

WARNINGS_SHOWN = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bullets", help="Compute category metrics and report bullets from a products CSV.")
    parser.add_argument("--products", required=True, help="products_all.csv (UTF-8, UTF-8 with BOM, or CP949)")
    parser.add_argument("--out", help="write the JSON here (atomically) instead of printing it")
    parser.add_argument(
        "--max-quarantine-ratio",
        type=share,
        default=0.02,
        help="fail when more than this share of rows is invalid (default 0.02); invalid rows are listed on stderr",
    )
    parser.set_defaults(func=run)


def _report_quarantine(args: argparse.Namespace, result: ProductsReadResult) -> None:
    quarantine = result.quarantine
    for row in quarantine.head(WARNINGS_SHOWN).itertuples():
        print(f"kodistill bullets: warning: {args.products}: line {row.line}: {row.reason}", file=sys.stderr)
    if len(quarantine) > WARNINGS_SHOWN:
        print(
            f"kodistill bullets: warning: … and {len(quarantine) - WARNINGS_SHOWN} more invalid rows", file=sys.stderr
        )
    if result.quarantine_ratio > args.max_quarantine_ratio or result.products.empty:
        first = quarantine.iloc[0]
        raise InputDataError(
            f"{args.products}: {len(quarantine)} of {result.total_rows} rows invalid ({result.quarantine_ratio:.1%} > "
            f"{args.max_quarantine_ratio:.1%}); first at line {first['line']}: {first['reason']}"
        )


def _use_jemalloc() -> None:
    """Arrow's jemalloc pool for the whole command: about 15% lower peak memory at 1M rows than the
    default mimalloc pool (benchmarks/bullets_memory.py); the default stays where this build lacks it."""
    pool = jemalloc_pool()
    if pool is not None:
        pa.set_memory_pool(pool)


def run(args: argparse.Namespace) -> int:
    _use_jemalloc()
    if args.out:
        check_output_path(args.out, "--out")
    result = read_products(args.products)
    _report_quarantine(args, result)
    records = metrics_records(compute_category_metrics(result.products, parsed_pairs=result.parsed_pairs))
    del result
    payloads = [render_template_bullets(record) for record in records]
    problems = payload_problems(payloads, records)
    if problems:
        raise InputDataError(
            f"{args.products}: {len(problems)} invalid bullet payload(s), nothing written; {problems[0]}"
        )
    document = report_document(payloads, datetime.now(UTC).isoformat(timespec="seconds"))
    if args.out:
        atomic_write_json(args.out, document)
        print(f"wrote {len(payloads)} categories to {args.out}", file=sys.stderr)
    else:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0
