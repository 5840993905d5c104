"""`kodistill questions`: synthetic questions of six types from a JSONL corpus, balanced and deduplicated.

Corpus lines `{"id", "text", "doc_id"?}` as in `kodistill eval-retrieval`. Output: one JSON line
per question (question_id, question, qtype, chunk_id, doc_id, source, temperature, evidence: the
chunk sentence it asks about, answer: the span of the evidence it asks for, pattern: how the type
was earned: "type" a type-specific pattern, "weak" a weaker one, "generic" a last resort labelled
for balance, "model" a model's question), deduplicated over the whole corpus and written
atomically; a summary with counts per type goes to stdout.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from orchestration.cli import non_negative_int, positive_int
from resources.errors import InputDataError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the questions subcommand."""
    parser = subparsers.add_parser(
        "questions",
        help="Generate synthetic questions (정의/프로세스/규정/예시/비교/적용) from a JSONL corpus.",
        description='Corpus lines {"id", "text", "doc_id"?}. Templates by default; --generator hf:PATH: a local model.',
    )
    parser.add_argument("--corpus", required=True, type=Path, help="corpus.jsonl")
    parser.add_argument("--out", required=True, type=Path, help="questions.jsonl to write")
    parser.add_argument(
        "--per-type", type=positive_int, default=None, help="stop once every type has N questions overall"
    )
    parser.add_argument("--per-chunk", type=positive_int, default=2, help="questions taken from each chunk (default 2)")
    parser.add_argument(
        "--near-duplicate",
        type=float,
        default=0.8,
        help="morpheme Jaccard at which a question is a near duplicate (default 0.8)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--generator", default="template", help="'template' (default) or 'hf:/path/to/local/model'")
    parser.add_argument(
        "--fallback", choices=("extractive",), default=None, help="with hf: use templates if the model cannot run"
    )
    parser.set_defaults(func=run)


def _config(args: argparse.Namespace) -> Any:
    """The QuestionConfig from the command-line options (bad values are input errors)."""
    from assets.distillation.questions import QuestionConfig

    try:
        return QuestionConfig(
            per_chunk=args.per_chunk,
            per_type=args.per_type,
            near_duplicate_threshold=args.near_duplicate,
            seed=args.seed,
        )
    except ValueError as error:
        raise InputDataError(str(error)) from error


def _generate(args: argparse.Namespace, chunks: list[dict[str, str]], config: Any, tokenizer: Any) -> list[Any]:
    """Template questions, or LLM questions when --generator names a model."""
    from assets.distillation.questions import generate_questions, generate_with_backend
    from resources.llm.base import BackendUnavailableError
    from resources.llm.factory import backend_from_spec

    if args.generator == "template":
        return generate_questions(chunks, config, tokenizer)
    if not args.generator.startswith("hf:"):
        raise InputDataError(f"--generator must be 'template' or 'hf:/path/to/model', got {args.generator!r}")
    try:
        backend = backend_from_spec(args.generator, fallback=args.fallback)
    except BackendUnavailableError as error:
        raise InputDataError(f"--generator {args.generator}: {error}") from error
    if backend.name == "extractive":  # the model could not run: templates are the fallback here
        return generate_questions(chunks, config, tokenizer)
    return generate_with_backend(backend, chunks, config, tokenizer=tokenizer)


def run(args: argparse.Namespace) -> int:
    """Read the corpus, generate, write JSONL atomically, print counts per type."""
    from assets.distillation.questions import deduplicate_questions, type_counts
    from assets.knowledge.evaluation import read_corpus
    from resources.atomic import atomic_write_jsonl
    from resources.korean import KoreanTokenizer

    config = _config(args)
    tokenizer = KoreanTokenizer()
    chunks = [{"chunk_id": r.id, "doc_id": r.doc_id, "text": r.text} for r in read_corpus(args.corpus)]
    generated = _generate(args, chunks, config, tokenizer)
    questions = deduplicate_questions(generated, tokenizer, config.near_duplicate_threshold)
    atomic_write_jsonl(args.out, [q.to_dict() for q in questions])
    summary = {
        "out": str(args.out),
        "questions": len(questions),
        "chunks": len(chunks),
        "per_type": type_counts(questions),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
