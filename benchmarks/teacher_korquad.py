"""Benchmark: the extractive teacher on KorQuAD 1.0 dev, answering from top-k hybrid retrieval.

Usage: .venv/bin/python benchmarks/teacher_korquad.py [--mode weighted] [--k 3] [--limit N]
Builds a HybridRetriever over the 961 distinct paragraphs, retrieves the top-k for each of the
5,774 questions in one batch, answers each with the extractive teacher, and reports: share of
answers containing a gold answer text, median/mean answer length (characters), SQuAD-style token F1
and character F1 against the gold spans, groundedness (share of answer sentences verbatim in a
cited context), retrieval recall@k, and answers/s (teacher alone; retrieval timed separately).
The teacher's defaults were tuned on the first 2,000 questions, so the share is also reported
separately for the rest (held out).
Writes benchmarks/results/teacher_korquad.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import string
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation.grounding import extractive_groundedness  # noqa: E402
from assets.knowledge.korquad import convert_squad, load_squad_json  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.llm.extractive import ExtractiveTeacher  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.hybrid import DEFAULT_FUSION, FUSION_MODES, HybridRetriever  # noqa: E402

DATASET = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
RESULT = ROOT / "benchmarks/results/teacher_korquad.json"
TUNING_QUESTIONS = 2000  # the teacher's defaults were tuned on the first 2,000 dev questions
_PUNCT = set(string.punctuation) | set("‘’“”·「」『』《》〈〉…")


def normalise_answer(text: str) -> str:
    """SQuAD/KorQuAD normalisation: lowercase, punctuation removed, whitespace collapsed."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return re.sub(r"\s+", " ", text).strip()


def _f1(prediction: list[str], gold: list[str]) -> float:
    """F1 of two bags of units (tokens or characters)."""
    common = sum((Counter(prediction) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: list[str]) -> float:
    """Best whitespace-token F1 over the gold answers."""
    return max(_f1(normalise_answer(prediction).split(), normalise_answer(g).split()) for g in golds)


def char_f1(prediction: str, golds: list[str]) -> float:
    """Best character F1 (spaces removed) over the gold answers, as KorQuAD's script counts it."""
    chars = list(normalise_answer(prediction).replace(" ", ""))
    return max(_f1(chars, list(normalise_answer(g).replace(" ", ""))) for g in golds)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default=DEFAULT_FUSION, choices=FUSION_MODES, help="retrieval fusion mode")
    parser.add_argument("--k", type=int, default=3, help="contexts per question (default 3)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--dataset", type=Path, default=None, help="KorQuAD JSON (default ../shared/datasets/...)")
    parser.add_argument("--out", type=Path, default=RESULT)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    dataset = args.dataset or shared_dir() / DATASET
    corpus, queries = convert_squad(load_squad_json(dataset), str(dataset))
    queries = queries[: args.limit] if args.limit else queries
    tokenizer = KoreanTokenizer()
    started = time.perf_counter()
    retriever = HybridRetriever.build(
        [c["id"] for c in corpus], [c["text"] for c in corpus], [c["doc_id"] for c in corpus], tokenizer
    )
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    hits = retriever.search_batch([q["query"] for q in queries], k=args.k, mode=args.mode)
    retrieval_s = time.perf_counter() - started
    teacher = ExtractiveTeacher(tokenizer)
    started = time.perf_counter()
    answers = [teacher.answer(q["query"], [(h.chunk_id, h.text) for h in row]) for q, row in zip(queries, hits)]
    teacher_s = time.perf_counter() - started
    texts = {c["id"]: c["text"] for c in corpus}
    contains = [any(g in a.text for g in q["answers"]) for q, a in zip(queries, answers)]
    lengths = [len(a.text) for a in answers]
    grounded = [extractive_groundedness(a.text, a.cited_ids, texts, tokenizer).score for a in answers]
    recall = [q["relevant_ids"][0] in {h.chunk_id for h in row} for q, row in zip(queries, hits)]
    n = len(queries)
    report = {
        "benchmark": "extractive teacher on KorQuAD 1.0 dev (top-k hybrid retrieval)",
        "command": " ".join(["benchmarks/teacher_korquad.py", *sys.argv[1:]]),
        "questions": n,
        "paragraphs": len(corpus),
        "retrieval": {
            "mode": args.mode,
            "k": args.k,
            "embedder": retriever.embedder.name,
            f"recall@{args.k}": sum(recall) / n,
        },
        "contains_gold": sum(contains) / n,
        "contains_gold_tuning_part": sum(contains[:TUNING_QUESTIONS]) / max(1, len(contains[:TUNING_QUESTIONS])),
        "contains_gold_held_out_part": sum(contains[TUNING_QUESTIONS:]) / max(1, len(contains[TUNING_QUESTIONS:])),
        "contains_gold_when_retrieved": sum(c for c, r in zip(contains, recall) if r) / max(1, sum(recall)),
        "answer_chars_median": statistics.median(lengths),
        "answer_chars_mean": sum(lengths) / n,
        "answer_sentences_mean": sum(len(a.sentences) for a in answers) / n,
        "token_f1": sum(token_f1(a.text, q["answers"]) for q, a in zip(queries, answers)) / n,
        "char_f1": sum(char_f1(a.text, q["answers"]) for q, a in zip(queries, answers)) / n,
        "groundedness_mean": sum(grounded) / n,
        "abstained": sum(not a.answered for a in answers) / n,
        "answers_per_s": n / teacher_s,
        "retrieval_queries_per_s": n / retrieval_s,
        "index_build_s": build_s,
        "targets": {"contains_gold": ">= 0.90", "answer_chars_median": "<= 200"},
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    atomic_write_json(args.out, report)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
