"""Benchmark: would the predicted question type help the extractive teacher on KorQuAD 1.0 dev?

Usage: .venv/bin/python benchmarks/classifier_teacher_shaping.py --classifier DIR
(DIR from `kodistill train-classifier`; benchmarks/question_classifier.py describes the data).
Answers all 5,774 questions (top-3 hybrid retrieval, as benchmarks/teacher_korquad.py) with a grid
of answer shapes (`max_sentences` x `runner_up_ratio`, `max_chars` 200), then compares on the
questions after the teacher's tuning part (the first 2,000): the default shape; the single best
shape chosen on the tuning part; and one shape per predicted type, each chosen on the tuning
part's questions of that type. Type-dependent shaping is worth wiring in only if it beats the
single re-tuned shape on the held-out part.
Writes benchmarks/results/classifier_teacher_shaping.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation.classifier import QuestionClassifier  # noqa: E402
from assets.knowledge.korquad import convert_squad, load_squad_json  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.llm.extractive import ExtractiveConfig, ExtractiveTeacher  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.hybrid import HybridRetriever  # noqa: E402

DATASET = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
RESULT = ROOT / "benchmarks/results/classifier_teacher_shaping.json"
TUNING_QUESTIONS = 2000
SHAPES = list(itertools.product((2, 3, 4), (0.2, 0.3, 0.5)))  # (max_sentences, runner_up_ratio)
DEFAULT_SHAPE = (ExtractiveConfig().max_sentences, ExtractiveConfig().runner_up_ratio)


def answer_all(
    queries: list[dict[str, Any]], contexts: list[list[tuple[str, str]]], tokenizer: KoreanTokenizer
) -> dict:
    """Per shape: whether each answer contains a gold answer, and each answer's length."""
    runs = {}
    for shape in SHAPES:
        config = ExtractiveConfig(max_sentences=shape[0], runner_up_ratio=shape[1])
        teacher = ExtractiveTeacher(tokenizer, config)
        answers = [teacher.answer(q["query"], c).text for q, c in zip(queries, contexts, strict=True)]
        runs[shape] = {
            "contains": [any(g in a for g in q["answers"]) for q, a in zip(queries, answers, strict=True)],
            "chars": [len(a) for a in answers],
        }
    return runs


def best_shape(runs: dict, indices: list[int]) -> tuple[int, float]:
    """The shape with most gold-containing answers over `indices` (ties: the default)."""
    return max(SHAPES, key=lambda s: (sum(runs[s]["contains"][i] for i in indices), s == DEFAULT_SHAPE))


def score(runs: dict, shapes: list[tuple[int, float]]) -> dict[str, float]:
    """Gold-in-answer on the tuning and held-out parts, and the median length, of one shape per question."""
    contains = [runs[s]["contains"][i] for i, s in enumerate(shapes)]
    chars = [runs[s]["chars"][i] for i, s in enumerate(shapes)]
    held_out = contains[TUNING_QUESTIONS:]
    return {
        "contains_gold_tuning_part": round(sum(contains[:TUNING_QUESTIONS]) / TUNING_QUESTIONS, 4),
        "contains_gold_held_out_part": round(sum(held_out) / len(held_out), 4),
        "answer_chars_median": statistics.median(chars),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", type=Path, required=True, help="folder from kodistill train-classifier")
    parser.add_argument("--dataset", type=Path, default=None, help="KorQuAD dev JSON (default ../shared/datasets)")
    args = parser.parse_args()
    dataset = args.dataset or shared_dir() / DATASET
    corpus, queries = convert_squad(load_squad_json(dataset), str(dataset))
    tokenizer = KoreanTokenizer()
    retriever = HybridRetriever.build(
        [c["id"] for c in corpus], [c["text"] for c in corpus], [c["doc_id"] for c in corpus], tokenizer
    )
    hits = retriever.search_batch([q["query"] for q in queries], k=3)
    contexts = [[(h.chunk_id, h.text) for h in row] for row in hits]
    types = QuestionClassifier.load(args.classifier, tokenizer).predict([q["query"] for q in queries])
    runs = answer_all(queries, contexts, tokenizer)
    tuning = range(TUNING_QUESTIONS)
    single = best_shape(runs, list(tuning))
    per_type = {t: best_shape(runs, [i for i in tuning if types[i] == t]) for t in sorted(set(types))}
    result = {
        "benchmark": "predicted question type -> extractive teacher answer shape, KorQuAD 1.0 dev, top-3 hybrid",
        "command": "benchmarks/classifier_teacher_shaping.py --classifier DIR",
        "questions": len(queries),
        "shapes": "max_sentences x runner_up_ratio, max_chars 200",
        "gold_in_answer_per_shape": {
            f"{s[0]},{s[1]}": round(sum(runs[s]["contains"]) / len(queries), 4) for s in SHAPES
        },
        "default": {"shape": list(DEFAULT_SHAPE), **score(runs, [DEFAULT_SHAPE] * len(queries))},
        "single_retuned": {"shape": list(single), **score(runs, [single] * len(queries))},
        "per_predicted_type": {
            "shapes": {t: list(s) for t, s in per_type.items()},
            **score(runs, [per_type[t] for t in types]),
        },
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    atomic_write_json(RESULT, result)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
