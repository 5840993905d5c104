"""`kodistill bullets`: products CSV → category report bullets JSON, the catalog chain without Dagster.

`--model champion|PATH` lets the student write them (first valid JSON object of the generated tokens,
validated; the template per category otherwise, with a summary on stderr). The payloads are validated
(schema, order, faithfulness: `assets.catalog.bullets.payload_problems`)
before anything is written or printed; `--out` is checked before the CSV is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from assets.catalog.bullets import payload_problems, render_template_bullets, report_document
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import ProductsReadResult, jemalloc_pool, read_products
from assets.catalog.student_bullets import write_bullets
from assets.distillation.bullets_retries import DEFAULT_ATTEMPTS
from assets.distillation.sft_tasks import bullets_conversation, bullets_copy_phrases
from orchestration.cli import positive_int, share
from resources.atomic import atomic_write_json
from resources.errors import InputDataError, check_output_path
from resources.mlflow_resource import MlflowTracking
from resources.model_registry import load_bullets_writer
from resources.paths import artifacts_dir

WARNINGS_SHOWN = 5
MAX_NEW_TOKENS = 420  # bullets targets are ~340 student tokens (student-core)


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
    parser.add_argument(
        "--model",
        default="template",
        help="who writes the bullets: 'template' (default), 'champion' (the MLflow champion student) or a local "
        "student model folder; invalid model output falls back to the template per category",
    )
    parser.add_argument(
        "--copy-from-prompt",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="decode copying from the prompt: each number, name and reading is copied from the place in the prompt "
        "whose preceding words match what the model just wrote (default; --no-copy-from-prompt decodes freely, see "
        "docs/benchmarks.md)",
    )
    parser.add_argument(
        "--attempts",
        type=positive_int,
        default=DEFAULT_ATTEMPTS,
        help=f"attempts per category before the template takes over: greedy, then seeded sampled retries while the "
        f"output fails the check (default {DEFAULT_ATTEMPTS}; 1 = greedy only)",
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


def _write_payloads(model: str, records: list[dict], copy_from_prompt: bool, attempts: int) -> list[dict]:
    """The template's payloads, or the model's with per-category fallback (summary on stderr)."""
    if model == "template":
        return [render_template_bullets(record) for record in records]
    if model != "champion" and not Path(model).is_dir():
        raise InputDataError(f"--model {model}: not 'template', 'champion' or a model folder")
    writer = load_bullets_writer(model, MlflowTracking(), artifacts_dir() / "student" / "registry")
    if writer.problem:
        print(f"kodistill bullets: warning: {writer.problem}; every category templated", file=sys.stderr)
    generate = writer.generate(MAX_NEW_TOKENS, copy_from_prompt, bullets_copy_phrases)
    run = write_bullets(records, generate, bullets_conversation, writer.label, attempts)
    if run.model_error:
        print(f"kodistill bullets: warning: {run.model_error}; every category templated", file=sys.stderr)
    wrote = ", ".join(run.student_categories) or "none"
    print(f"{writer.label} wrote {len(run.student_categories)}/{len(records)} categories: {wrote}", file=sys.stderr)
    for category, used in run.retried.items():
        print(f"  {category}: {used} attempts", file=sys.stderr)
    for category, reason in run.fallbacks.items():
        print(f"  template fallback for {category}: {reason[:160]}", file=sys.stderr)
    return run.payloads


def run(args: argparse.Namespace) -> int:
    _use_jemalloc()
    if args.out:
        check_output_path(args.out, "--out")
    result = read_products(args.products)
    _report_quarantine(args, result)
    records = metrics_records(compute_category_metrics(result.products, parsed_pairs=result.parsed_pairs))
    del result
    payloads = _write_payloads(args.model, records, args.copy_from_prompt, args.attempts)
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
