"""`kodistill answer`: retrieval-grounded teacher answers for a JSONL file of questions, resumable.

Corpus lines `{"id", "text", "doc_id"?}` and query lines `{"id", "query", ...}` as in
`kodistill eval-retrieval`. For each query: hybrid retrieval of the top-k chunks, then the teacher
(`extractive` or `hf:/local/model`) answers from them. Output: one JSON line per query with id,
query, answer, cited chunk ids, the retrieved chunks with their ranks, the answer's shape
(`answer_shape`: a question type, or "default") and timings in ms. With `--classifier DIR` (saved
by `kodistill train-classifier`) each question's type is predicted first (`qtype_predicted`: 정의,
프로세스, 규정, 예시, 비교 or 적용) and picks the answer's shape: the extractive teacher's per-type
sentence selection (`resources.llm.extractive.TYPE_SHAPES`), the per-type answer guide in an `hf`
teacher's prompt; `--type-record-only` records the type without shaping. Finished
batches go to a checkpoint (`OUT.partial`) first, so a killed run resumes where it stopped; the
output file is written atomically at the end, in query order.

The checkpoint records what the answers depend on (teacher, k, fusion, generation length, and the
sha256 of the corpus file or of the saved index's manifest; per query, a hash of its text): a rerun
with other settings stops with exit status 2 and says to delete OUT.partial or pass --restart, and a
query whose text changed under the same id is answered again. A run holds an exclusive lock on the
checkpoint (`OUT.partial.lock`) until it ends, so a second run on the same --out stops at once
(exit status 2) instead of losing answers. Exit status 1 when any query is left unanswered.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from resources.errors import InputDataError, check_output_path

DEFAULT_K = 3
DEFAULT_BATCH = 16


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the answer subcommand."""
    from resources.retrieval.hybrid import FUSION_MODES

    parser = subparsers.add_parser(
        "answer",
        help="Answer questions from a corpus with retrieval + a teacher (extractive or a local HF model).",
        description='Corpus lines {"id", "text", "doc_id"?}; query lines {"id", "query", ...}. '
        "Writes one JSON line per query; a rerun after a crash resumes from OUT.partial.",
    )
    parser.add_argument("--corpus", required=True, type=Path, help="corpus.jsonl")
    parser.add_argument("--queries", required=True, type=Path, help="queries.jsonl")
    parser.add_argument("--out", required=True, type=Path, help="answers.jsonl to write")
    parser.add_argument("--teacher", default="extractive", help="'extractive' (default) or 'hf:/path/to/local/model'")
    parser.add_argument("--k", type=int, default=DEFAULT_K, help=f"contexts per question (default {DEFAULT_K})")
    parser.add_argument(
        "--fusion", default=None, choices=FUSION_MODES, help="retrieval mode (default: the retriever's default)"
    )
    parser.add_argument("--embedder", default="lsa", help="dense embedder spec (default lsa)")
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        help="load a retriever saved by eval-retrieval --save-index instead of building one",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        help=f"queries per batch and checkpoint flush (default {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--max-new-tokens", type=int, default=256, help="generation length for hf teachers (default 256)"
    )
    parser.add_argument("--quantization", choices=("8bit", "4bit"), default=None, help="hf teachers on CUDA only")
    parser.add_argument(
        "--fallback", choices=("extractive",), default=None, help="answer with this backend if the hf model cannot run"
    )
    parser.add_argument(
        "--classifier",
        type=Path,
        default=None,
        help="question-type classifier folder (kodistill train-classifier): the predicted type "
        "(qtype_predicted) picks the answer's per-type shape",
    )
    parser.add_argument(
        "--type-record-only",
        action="store_true",
        help="with --classifier: record qtype_predicted but answer in the default shape",
    )
    parser.add_argument("--restart", action="store_true", help="ignore an existing checkpoint and start over")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(func=run)


def read_answer_queries(path: Path) -> list[dict[str, str]]:
    """Query rows with a non-empty id and query; ids must be unique."""
    from assets.knowledge.evaluation import iter_jsonl

    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, row in iter_jsonl(path):
        query_id, query = row.get("id"), row.get("query")
        if not isinstance(query_id, (str, int)) or not str(query_id).strip():
            raise InputDataError(f'{path}:{number}: "id" missing or empty')
        if not isinstance(query, str) or not query.strip():
            raise InputDataError(f'{path}:{number}: "query" missing or empty')
        if str(query_id) in seen:
            raise InputDataError(f"{path}:{number}: duplicate id {query_id!r}")
        seen.add(str(query_id))
        rows.append({"id": str(query_id), "query": query.strip()})
    if not rows:
        raise InputDataError(f"{path}: no query lines")
    return rows


def _check_args(args: argparse.Namespace) -> None:
    """Reject nonsensical numbers before any work starts."""
    if args.k < 1:
        raise InputDataError(f"--k must be >= 1, got {args.k}")
    if args.batch_size < 1:
        raise InputDataError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.max_new_tokens < 1:
        raise InputDataError(f"--max-new-tokens must be >= 1, got {args.max_new_tokens}")


def _backend(args: argparse.Namespace, tokenizer: Any) -> Any:
    """The teacher backend; a backend that cannot run here is an input error (exit status 2)."""
    from resources.llm.base import BackendUnavailableError
    from resources.llm.factory import backend_from_spec

    options: dict[str, Any] = {"quantization": args.quantization, "fallback": args.fallback}
    if args.teacher.startswith("hf:"):
        options["batch_size"] = args.batch_size
    else:
        options["tokenizer"] = tokenizer
    try:
        return backend_from_spec(args.teacher, **options)
    except BackendUnavailableError as error:
        raise InputDataError(f"--teacher {args.teacher}: {error}") from error


def _retriever(args: argparse.Namespace, tokenizer: Any) -> Any:
    """Load the saved retriever, or build one over the corpus (sharing the teacher's Kiwi)."""
    from assets.knowledge.evaluation import read_corpus
    from resources.retrieval.hybrid import HybridRetriever

    if args.index is not None:
        return HybridRetriever.load(args.index)
    corpus = read_corpus(args.corpus)
    return HybridRetriever.build(
        [r.id for r in corpus],
        [r.text for r in corpus],
        [r.doc_id for r in corpus],
        tokenizer,
        embedder_spec=args.embedder,
    )


def _answerer(retriever: Any, backend: Any, args: argparse.Namespace) -> Any:
    from assets.distillation.teacher import BatchAnswerer
    from resources.llm.base import GenerationParams

    return BatchAnswerer(
        retriever, backend, k=args.k, mode=args.fusion, params=GenerationParams(max_new_tokens=args.max_new_tokens)
    )


def _with_predicted_type(answerer: Any, classifier: Any, shape: bool = True) -> Any:
    """The answerer, with each question's predicted type picking its answer shape (unless `shape` is
    False) and each output row holding it as `qtype_predicted`."""

    def answer_batch(batch: list[dict[str, str]]) -> list[dict[str, Any]]:
        types = classifier.predict([row["query"] for row in batch])
        typed = [{**row, "qtype": qtype} for row, qtype in zip(batch, types, strict=True)] if shape else batch
        return [{**row, "qtype_predicted": qtype} for row, qtype in zip(answerer(typed), types, strict=True)]

    return answer_batch


def _classifier(args: argparse.Namespace, tokenizer: Any) -> Any:
    """The saved question classifier of --classifier, or None."""
    if args.classifier is None:
        if args.type_record_only:
            raise InputDataError("--type-record-only needs --classifier")
        return None
    from assets.distillation.classifier import QuestionClassifier

    if not args.classifier.is_dir():
        raise InputDataError(f"--classifier {args.classifier}: not a folder saved by kodistill train-classifier")
    return QuestionClassifier.load(args.classifier, tokenizer)


def _source_checksum(args: argparse.Namespace) -> dict[str, str]:
    """sha256 of what retrieval reads: the saved index's manifest, else the corpus file (+ embedder)."""
    from resources.retrieval.dense import MANIFEST_FILE

    if args.index is not None:
        return {"index": _sha256(args.index / MANIFEST_FILE)}
    return {"corpus": _sha256(args.corpus), "embedder": args.embedder}


def _classifier_checksum(args: argparse.Namespace) -> dict[str, str]:
    """sha256 of the classifier's manifest (it records its weights' sha256); nothing without --classifier."""
    from assets.distillation.classifier import MODEL_FILE

    folder = getattr(args, "classifier", None)
    if folder is None:
        return {}
    shape = "default" if getattr(args, "type_record_only", False) else "predicted type"
    return {"classifier": _sha256(folder / MODEL_FILE), "answer_shape": shape}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def answer_fingerprint(args: argparse.Namespace, teacher: str) -> dict[str, object]:
    """Everything an answer depends on besides its question (recorded in the checkpoint)."""
    from resources.retrieval.hybrid import DEFAULT_FUSION

    return {
        "teacher": teacher,
        "k": args.k,
        "fusion": args.fusion or DEFAULT_FUSION,
        "max_new_tokens": args.max_new_tokens,
        **_source_checksum(args),
        **_classifier_checksum(args),
    }


def run(args: argparse.Namespace) -> int:
    """Answer every query not already in the checkpoint, then write the output atomically."""
    from assets.distillation.checkpoint import JsonlCheckpoint
    from resources.korean import KoreanTokenizer

    check_output_path(args.out, "--out")
    _check_args(args)
    queries = read_answer_queries(args.queries)
    partial = args.out.with_name(args.out.name + ".partial")
    with JsonlCheckpoint(partial).locked():  # fail fast, before any model is loaded
        tokenizer = KoreanTokenizer()
        classifier = _classifier(args, tokenizer)
        backend = _backend(args, tokenizer)
        checkpoint = JsonlCheckpoint(partial, fingerprint=answer_fingerprint(args, backend.name))
        return _answer_all(args, queries, checkpoint, backend, tokenizer, classifier)


def _answer_all(
    args: argparse.Namespace,
    queries: list[dict[str, str]],
    checkpoint: Any,
    backend: Any,
    tokenizer: Any,
    classifier: Any = None,
) -> int:
    """With the checkpoint locked: resume or restart, answer, consolidate; exit 1 if any is unanswered."""
    from tqdm import tqdm

    from assets.distillation.checkpoint import run_with_checkpoint

    if args.restart:
        checkpoint.remove()
    checkpoint.check_fingerprint()
    retriever = _retriever(args, tokenizer)
    answerer = _answerer(retriever, backend, args)
    if classifier is not None:
        answerer = _with_predicted_type(answerer, classifier, shape=not args.type_record_only)
    started = time.perf_counter()
    with tqdm(total=len(queries), desc="answer", unit="q", file=sys.stderr, disable=args.no_progress) as bar:
        summary = run_with_checkpoint(
            queries,
            lambda row: row["id"],
            answerer,
            checkpoint,
            args.batch_size,
            on_batch=bar.update,
            item_input=lambda row: row["query"],
        )
        bar.update(summary.skipped)
    rows = checkpoint.consolidate(args.out, order=[q["id"] for q in queries])
    report = {
        "out": str(args.out),
        "answered": len(rows),
        "new": summary.processed,
        "resumed": summary.skipped,
        "failed": summary.failed,
        "teacher": backend.name,
        "seconds": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(report, ensure_ascii=False), file=sys.stderr)
    unanswered = len(queries) - len(rows)
    if unanswered:
        print(
            f"kodistill answer: {unanswered} of {len(queries)} queries unanswered "
            f"(kept in {checkpoint.path}); rerun the same command to retry them",
            file=sys.stderr,
        )
        return 1
    checkpoint.remove()
    return 0
