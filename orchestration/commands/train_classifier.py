"""`kodistill train-classifier`: a question-type classifier from synthetic questions, evaluated and saved.

Reads one or more JSONL files written by `kodistill questions` (fields question, qtype, doc_id, and
pattern when present: questions of the --exclude-patterns, by default "generic", are left out),
reports held-out accuracy and per-type precision/recall on a split by document (no document on both
sides), then trains on every kept question and saves the classifier to --out (`classifier.json` and
`weights.npz`, no pickle) with the evaluation in `evaluation.json`. `--seed-questions FILE` adds
hand-labelled questions (the natural-question format, `{"dev": {type: [question, ...]}, ...}`; the
part named by --seed-part) to the training side of the evaluation and to the final training.
`kodistill answer --classifier DIR` uses it. The evaluation is printed as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from orchestration.cli import non_negative_int
from resources.errors import InputDataError

EVALUATION_FILE = "evaluation.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the train-classifier subcommand."""
    parser = subparsers.add_parser(
        "train-classifier",
        help="Train the question-type classifier on questions.jsonl files (from kodistill questions).",
        description="Evaluates on a split by document, then trains on all questions and saves to --out.",
    )
    parser.add_argument("--questions", required=True, type=Path, nargs="+", help="questions.jsonl file(s)")
    parser.add_argument("--out", required=True, type=Path, help="folder to save the classifier in")
    parser.add_argument(
        "--test-share", type=float, default=0.25, help="share of documents held out for evaluation (default 0.25)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed of the split (default 0)")
    parser.add_argument(
        "--exclude-patterns",
        nargs="*",
        default=["generic"],
        help="question patterns to leave out (default: generic; give none to keep every question)",
    )
    parser.add_argument(
        "--seed-questions",
        type=Path,
        default=None,
        help='hand-labelled questions to train on as well ({"dev": {type: [question, ...]}} JSON)',
    )
    parser.add_argument("--seed-part", default="dev", help="part of --seed-questions to use (default dev)")
    parser.set_defaults(func=run)


def read_questions(paths: list[Path]) -> Any:
    """One table (question, qtype, doc_id) of every line of every file; a bad line names file and line."""
    import pandas as pd

    from assets.knowledge.evaluation import iter_jsonl

    rows = []
    for path in paths:
        for number, row in iter_jsonl(path):
            values = [row.get(name) for name in ("question", "qtype", "doc_id")]
            if not all(isinstance(v, str) and v.strip() for v in values):
                raise InputDataError(f'{path}:{number}: "question", "qtype" and "doc_id" must be non-empty strings')
            pattern = row.get("pattern")
            rows.append({**dict(zip(("question", "qtype", "doc_id"), values)), "pattern": pattern or ""})
    if not rows:
        raise InputDataError(f"{', '.join(map(str, paths))}: no question lines")
    return pd.DataFrame(rows)


def _check_out(path: Path) -> None:
    """--out must be a folder or a path where one can be made."""
    if path.exists() and not path.is_dir():
        raise InputDataError(f"--out {path}: exists and is not a folder")


def run(args: argparse.Namespace) -> int:
    """Evaluate on the document split, train on everything, save with the evaluation."""
    from assets.distillation.classifier import (
        evaluate_document_split,
        labelled_questions,
        natural_questions,
        train_question_classifier,
    )
    from resources.atomic import atomic_write_json
    from resources.korean import KoreanTokenizer

    _check_out(args.out)
    if not 0.0 < args.test_share < 1.0:
        raise InputDataError(f"--test-share must be between 0 and 1 (exclusive), got {args.test_share}")
    frame = read_questions(args.questions)
    tokenizer = KoreanTokenizer()
    excluded = list(args.exclude_patterns)
    seeds = natural_questions(args.seed_questions, args.seed_part) if args.seed_questions else []
    evaluation = evaluate_document_split(frame, tokenizer, args.test_share, args.seed, excluded, seeds)
    kept = labelled_questions(frame, excluded)
    questions = list(kept["question"]) + [q for q, _ in seeds]
    types = list(kept["qtype"]) + [t for _, t in seeds]
    classifier = train_question_classifier(questions, types, tokenizer, args.seed)
    classifier.save(args.out)
    report = {
        "out": str(args.out),
        "trained_on": len(questions),
        "seed_questions": len(seeds),
        "excluded_patterns": excluded,
        "excluded_questions": len(frame) - len(kept),
        "document_split": evaluation,
    }
    atomic_write_json(args.out / EVALUATION_FILE, report)
    print(json.dumps(report, ensure_ascii=False))
    return 0
