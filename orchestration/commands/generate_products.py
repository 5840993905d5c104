"""`kodistill generate-products`: write a synthetic Danawa-style catalogue of any size (fixed seed).

Options are validated by argparse (`--rows` ≥ 1, `--seed` ≥ 0) and `--out` before generating; the CSV is
written atomically, and stale temporaries a killed earlier run left beside it are removed first.
"""

from __future__ import annotations

import argparse
import sys
import time

from assets.catalog.generator import SUPPORTED_ENCODINGS, generate_products, write_products_csv
from orchestration.cli import non_negative_int, positive_int
from resources.errors import check_output_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate-products", help="Generate a synthetic products_all.csv.")
    parser.add_argument(
        "--rows", type=positive_int, default=1800, help="number of products (default 1800, the shipped sample)"
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=20260126, help="random seed ≥ 0 (default: the shipped sample's)"
    )
    parser.add_argument("--out", required=True, help="CSV path to write (atomically)")
    parser.add_argument("--encoding", default="utf-8", choices=SUPPORTED_ENCODINGS, help="file encoding")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.out, "--out")
    started = time.perf_counter()
    frame = generate_products(n_products=args.rows, seed=args.seed)
    path = write_products_csv(frame, args.out, encoding=args.encoding)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {len(frame):,} products in {frame['category'].nunique()} categories to {path} ({elapsed:.1f} s)",
        file=sys.stderr,
    )
    return 0
