"""`kodistill bullets`: products CSV → category report bullets JSON, the catalog chain without Dagster."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from assets.catalog.bullets import render_template_bullets, report_document
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from resources.atomic import atomic_write_json
from resources.errors import InputDataError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bullets", help="Compute category metrics and report bullets from a products CSV.")
    parser.add_argument("--products", required=True, help="products_all.csv (UTF-8, UTF-8 with BOM, or CP949)")
    parser.add_argument("--out", help="write the JSON here (atomically) instead of printing it")
    parser.add_argument(
        "--max-quarantine-ratio",
        type=float,
        default=0.02,
        help="fail when more than this share of rows is invalid (default 0.02); invalid rows are listed on stderr",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = read_products(args.products)
    quarantine = result.quarantine
    for row in quarantine.head(5).itertuples():
        print(f"kodistill bullets: warning: {args.products}: line {row.line}: {row.reason}", file=sys.stderr)
    if len(quarantine) > 5:
        print(f"kodistill bullets: warning: … and {len(quarantine) - 5} more invalid rows", file=sys.stderr)
    if result.quarantine_ratio > args.max_quarantine_ratio:
        first = quarantine.iloc[0]
        raise InputDataError(
            f"{args.products}: {len(quarantine)} of {result.total_rows} rows invalid ({result.quarantine_ratio:.1%} > "
            f"{args.max_quarantine_ratio:.1%}); first at line {first['line']}: {first['reason']}"
        )
    payloads = [
        render_template_bullets(record)
        for record in metrics_records(compute_category_metrics(result.products, parsed_pairs=result.parsed_pairs))
    ]
    document = report_document(payloads, datetime.now(UTC).isoformat(timespec="seconds"))
    if args.out:
        atomic_write_json(args.out, document)
        print(f"wrote {len(payloads)} categories to {args.out}", file=sys.stderr)
    else:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0
