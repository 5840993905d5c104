"""`kodistill feedback add|stats|simulate`: put user feedback into the feedback store and look at it.

* `add FILE` (JSONL or CSV, see resources.feedback.ingest): every bad row is reported as
  `FILE:LINE: reason` on stderr (and in `--report PATH` as JSON, written atomically); the good rows
  are stored in one transaction, so a killed command stores all of them or none. Exit 0: every row
  stored; 3: some rows rejected (the rest stored); 2: nothing could be read (unreadable file, or
  every row rejected — nothing stored).
* `stats [--json]`: totals, approved rows and counts per task (`{"total", "approved", "by_task", ...}`).
* `simulate --n N [--seed S] [--days D]`: store N realistic synthetic rows built from the shipped
  corpus and catalogue (assets.feedback.simulate).

The store is `--url`, else `KODISTILL_FEEDBACK_URL`, else the SQLite file in the artifacts folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from orchestration.cli import non_negative_int, positive_int
from resources.atomic import atomic_write_text
from resources.errors import check_output_path
from resources.feedback.ingest import ParsedFeedback, parse_feedback_file
from resources.feedback.store import FeedbackStore
from resources.paths import data_dir

EXIT_ALL_STORED, EXIT_NOTHING_READ, EXIT_SOME_REJECTED = 0, 2, 3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("feedback", help="Add, count or simulate user feedback in the feedback store.")
    parser.add_argument(
        "--url",
        default="",
        help="SQLAlchemy URL of the store (default: KODISTILL_FEEDBACK_URL or the SQLite file in the artifacts folder)",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="Store the rows of a JSONL or CSV file; report bad rows by line.")
    add.add_argument("file", help="feedback file (.jsonl/.ndjson/.json one object per line, or .csv with a header)")
    add.add_argument("--report", default="", help="also write the report (stored count, rejected lines) as JSON here")
    add.set_defaults(func=run_add)
    stats = actions.add_parser("stats", help="Counts of stored feedback.")
    stats.add_argument("--json", action="store_true", help="print JSON instead of text")
    stats.set_defaults(func=run_stats)
    simulate = actions.add_parser("simulate", help="Store synthetic feedback from the shipped corpus and catalogue.")
    simulate.add_argument("--n", type=positive_int, required=True, help="number of rows")
    simulate.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    simulate.add_argument("--days", type=positive_int, default=7, help="spread created_at over this many past days")
    simulate.set_defaults(func=run_simulate)


def _store(args: argparse.Namespace) -> FeedbackStore:
    return FeedbackStore(args.url or os.environ.get("KODISTILL_FEEDBACK_URL") or None)


def _report(args: argparse.Namespace, parsed: ParsedFeedback, ids: list[int]) -> dict:
    return {
        "file": args.file,
        "rows_read": parsed.rows_read,
        "stored": len(ids),
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "rejected": [{"line": r.line, "reason": r.reason} for r in parsed.rejections],
    }


def run_add(args: argparse.Namespace) -> int:
    if args.report:
        check_output_path(args.report, "--report")
    parsed = parse_feedback_file(args.file)
    for rejection in parsed.rejections:
        print(f"{args.file}:{rejection.line}: rejected: {rejection.reason}", file=sys.stderr)
    ids: list[int] = []
    if parsed.records:
        print(f"storing {len(parsed.records):,} rows in one transaction…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        ids = _store(args).add_feedback(parsed.records)
        print(
            f"stored {len(ids):,} rows (ids {ids[0]}–{ids[-1]}) in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )
    if args.report:
        atomic_write_text(args.report, json.dumps(_report(args, parsed, ids), ensure_ascii=False, indent=2) + "\n")
    print(f"{args.file}: {len(ids)} stored, {len(parsed.rejections)} rejected of {parsed.rows_read} rows")
    if not ids:
        return EXIT_NOTHING_READ
    return EXIT_SOME_REJECTED if parsed.rejections else EXIT_ALL_STORED


def run_stats(args: argparse.Namespace) -> int:
    stats = _store(args).stats()
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False))
        return 0
    print(f"total {stats.total}, approved {stats.approved}, highest id {stats.max_id}, selections {stats.selections}")
    for task, counts in stats.by_task.items():
        print(f"  {task}: {counts['total']} rows, {counts['approved']} approved")
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from assets.feedback.simulate import simulate_feedback

    records = simulate_feedback(args.n, data_dir(), seed=args.seed, days=args.days)
    ids = _store(args).add_feedback(records)
    approved = sum(1 for r in records if r.rating >= 4 or r.correction is not None)
    print(f"stored {len(ids)} simulated feedback rows (ids {ids[0]}–{ids[-1]}, {approved} approved)")
    return 0
