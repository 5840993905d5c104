"""Benchmark: the question-type classifier on synthetic questions from the shipped documents and KorQuAD.

Usage: .venv/bin/python benchmarks/question_classifier.py [--seeds 5] [--korquad-paragraphs 300]
Makes the training data as the command line does: `kodistill chunk` over data/raw_docs (the
assets' reading and chunking) and KorQuAD 1.0 dev paragraphs (`korquad-convert`; whole articles,
shuffled with seed 0, until --korquad-paragraphs are taken), then `kodistill questions` with its
defaults on each corpus. Reports, for each corpus and both together and for three question sets
(every question; without "generic" ones, the classifier's default; only "type"-pattern ones):
held-out accuracy and per-type precision/recall on splits by document (one per seed; mean, min and
max over seeds), (a) on the held-out questions as generated and (b) on the same questions with any
cue of the earlier generator taken off (`strip_type_cue`; the generator now words questions by
whole-question forms, so (b) differs from (a) only where a sentence itself opens with such words);
accuracy across corpora (train on one, test on the other; default set); (c) accuracy on the
hand-written natural questions of tests/distillation/natural_questions.json, its `dev` and `heldout`
parts apart (trained on both corpora's default set, and on the shipped corpus's alone), and on
`heldout` trained on both corpora plus the 72 `dev` questions as a seed set (every wrong prediction
listed); the
predicted-type distribution of KorQuAD's 5,774 real (human-written, unlabelled) questions;
training and prediction speed; (d) the model selection (`grouped_cv`): 5-fold cross-validation grouped
by document (GroupKFold over doc_id, default set) of class-weighted logistic regression (C 1, 10, 100)
and class-weighted LinearSVC (C 0.3, 1, 3; the shipped model is C=1) on each corpus and both.
Writes benchmarks/results/question_classifier.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from assets.config import ChunksConfig  # noqa: E402
from assets.distillation.classifier import (  # noqa: E402
    CLASS_WEIGHT,
    EXCLUDED_PATTERNS,
    classification_report,
    evaluate_document_split,
    labelled_questions,
    natural_questions,
    train_question_classifier,
)
from assets.distillation.questions import QuestionConfig, generate_questions  # noqa: E402
from assets.knowledge.assets import chunk_table  # noqa: E402
from assets.knowledge.korquad import convert_squad, load_squad_json  # noqa: E402
from orchestration.commands.chunk import read_folder  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.paths import shared_dir  # noqa: E402

DATASET = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
NATURAL = ROOT / "tests/distillation/natural_questions.json"
RESULT = ROOT / "benchmarks/results/question_classifier.json"


def shipped_chunks(tokenizer: KoreanTokenizer) -> list[dict[str, str]]:
    """Chunks of data/raw_docs exactly as `kodistill chunk` (and the chunks asset) makes them."""
    config = ChunksConfig()
    frame, _ = read_folder(ROOT / "data/raw_docs")
    chunks, _ = chunk_table(frame[frame["problem"] == ""], tokenizer, config.max_tokens, config.overlap_tokens)
    return [{"chunk_id": r.chunk_id, "doc_id": r.doc_id, "text": r.text} for r in chunks.itertuples()]


def korquad_corpus(dataset: Path, paragraphs: int) -> tuple[list[dict[str, str]], list[str]]:
    """KorQuAD dev paragraphs as chunks (as `korquad-convert` writes them): whole articles in a seeded
    shuffle until `paragraphs` are taken (0: all); and every real question."""
    corpus, queries = convert_squad(load_squad_json(dataset), str(dataset))
    chunks = [{"chunk_id": r["id"], "doc_id": r["doc_id"], "text": r["text"]} for r in corpus]
    if paragraphs:
        documents = sorted({c["doc_id"] for c in chunks})
        random.Random(0).shuffle(documents)
        taken: list[dict[str, str]] = []
        for document in documents:
            taken += [c for c in chunks if c["doc_id"] == document]
            if len(taken) >= paragraphs:
                break
        chunks = taken
    return chunks, [q["query"] for q in queries]


QUESTION_SETS = {"all": (), "without_generic": EXCLUDED_PATTERNS, "type_pattern_only": ("weak", "generic")}


def questions_frame(chunks: list[dict[str, str]]) -> pd.DataFrame:
    """`kodistill questions` with its defaults (templates, 2 per chunk, seed 0)."""
    return pd.DataFrame([q.to_dict() for q in generate_questions(chunks, QuestionConfig())])


def split_summary(
    frame: pd.DataFrame, tokenizer: KoreanTokenizer, seeds: int, excluded: tuple[str, ...]
) -> dict[str, Any]:
    """Document-split evaluations over several seeds: seed 0 in full, accuracy spread over all."""
    reports = [evaluate_document_split(frame, tokenizer, seed=seed, exclude_patterns=excluded) for seed in range(seeds)]
    accuracies = [r["accuracy"] for r in reports]
    stripped = [r["cues_stripped"]["accuracy"] for r in reports]
    kept = labelled_questions(frame, excluded)
    return {
        "excluded_patterns": list(excluded),
        "questions": len(kept),
        "documents": int(kept["doc_id"].nunique()),
        "accuracy_mean": round(statistics.mean(accuracies), 4),
        "accuracy_min": min(accuracies),
        "accuracy_max": max(accuracies),
        "accuracies": accuracies,
        "cues_stripped_accuracy_mean": round(statistics.mean(stripped), 4),
        "cues_stripped_accuracy_min": min(stripped),
        "cues_stripped_accuracy_max": max(stripped),
        "seeds": seeds,
        "seed_0": reports[0],
    }


def cross_corpus(train: pd.DataFrame, test: pd.DataFrame, tokenizer: KoreanTokenizer) -> dict[str, Any]:
    """Train on one corpus's questions, test on the other's (generic questions left out of both)."""
    train, test = labelled_questions(train), labelled_questions(test)
    classifier = train_question_classifier(list(train["question"]), list(train["qtype"]), tokenizer)
    return classification_report(list(test["qtype"]), classifier.predict(list(test["question"])))


def natural_check(classifier: Any, part: str) -> dict[str, Any]:
    """Accuracy on one part of the hand-written natural questions, with every miss."""
    pairs = natural_questions(NATURAL, part)
    predicted = classifier.predict([q for q, _ in pairs])
    report = classification_report([t for _, t in pairs], predicted)
    report["wrong"] = [
        {"question": q, "type": t, "predicted": p} for (q, t), p in zip(pairs, predicted, strict=True) if p != t
    ]
    return report


def logistic(c: float, seed: int) -> LogisticRegression:
    """Class-weighted (multinomial) logistic regression, the model before LinearSVC (C=10)."""
    return LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=2000, random_state=seed)


def linear_svc(c: float, seed: int) -> LinearSVC:
    """Class-weighted one-vs-rest linear SVM (`classifier.make_estimator` with another C)."""
    return LinearSVC(C=c, class_weight=CLASS_WEIGHT, max_iter=10000, random_state=seed)


CANDIDATES: dict[str, Callable[[int], Any]] = {
    **{f"logistic C={c:g}": partial(logistic, c) for c in (1.0, 10.0, 100.0)},
    **{f"linear_svc C={c:g}": partial(linear_svc, c) for c in (0.3, 1.0, 3.0)},
}
CV_FOLDS = 5


def grouped_cv(frame: pd.DataFrame, tokenizer: KoreanTokenizer) -> dict[str, Any]:
    """Each candidate's accuracy over CV_FOLDS folds grouped by document (default question set):
    per fold, the mean over folds, and pooled (correct / all questions)."""
    kept = labelled_questions(frame).reset_index(drop=True)
    correct: dict[str, list[int]] = {name: [] for name in CANDIDATES}
    sizes = []
    for train_index, test_index in GroupKFold(n_splits=CV_FOLDS).split(kept, groups=kept["doc_id"]):
        train, test = kept.iloc[train_index], kept.iloc[test_index]
        sizes.append(len(test))
        for name, factory in CANDIDATES.items():
            model = train_question_classifier(
                list(train["question"]), list(train["qtype"]), tokenizer, estimator=factory
            )
            correct[name].append(sum(p == t for p, t in zip(model.predict(list(test["question"])), test["qtype"])))
    summaries = {name: cv_summary(hits, sizes) for name, hits in correct.items()}
    return {"folds": CV_FOLDS, "questions": len(kept), "fold_sizes": sizes} | summaries


def cv_summary(hits: list[int], sizes: list[int]) -> dict[str, Any]:
    """Accuracy per fold, its mean over folds, and pooled over all held-out questions."""
    return {
        "accuracy_mean": round(statistics.mean(c / n for c, n in zip(hits, sizes, strict=True)), 4),
        "accuracy_pooled": round(sum(hits) / sum(sizes), 4),
        "fold_accuracies": [round(c / n, 4) for c, n in zip(hits, sizes, strict=True)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="document splits to average (default 5)")
    parser.add_argument("--dataset", type=Path, default=None, help="KorQuAD dev JSON (default ../shared/datasets)")
    parser.add_argument(
        "--korquad-paragraphs", type=int, default=300, help="KorQuAD dev paragraphs to use (default 300; 0: all)"
    )
    args = parser.parse_args()
    tokenizer = KoreanTokenizer()
    started = time.perf_counter()
    shipped = questions_frame(shipped_chunks(tokenizer))
    korquad_chunks, real_questions = korquad_corpus(args.dataset or shared_dir() / DATASET, args.korquad_paragraphs)
    korquad = questions_frame(korquad_chunks)
    generated_s = time.perf_counter() - started
    both = pd.concat([shipped, korquad], ignore_index=True)
    corpora = (("shipped", shipped), ("korquad", korquad), ("both", both))
    splits = {
        name: {label: split_summary(f, tokenizer, args.seeds, excluded) for label, excluded in QUESTION_SETS.items()}
        for name, f in corpora
    }
    patterns = {name: dict(Counter(f["pattern"])) for name, f in corpora}
    started = time.perf_counter()
    kept = labelled_questions(both)
    classifier = train_question_classifier(list(kept["question"]), list(kept["qtype"]), tokenizer)
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    real_types = classifier.predict(real_questions)
    predict_s = time.perf_counter() - started
    shipped_kept = labelled_questions(shipped)
    shipped_only = train_question_classifier(list(shipped_kept["question"]), list(shipped_kept["qtype"]), tokenizer)
    seeds = natural_questions(NATURAL, "dev")
    seeded = train_question_classifier(
        list(kept["question"]) + [q for q, _ in seeds], list(kept["qtype"]) + [t for _, t in seeds], tokenizer
    )
    model_selection = {name: grouped_cv(f, tokenizer) for name, f in corpora}
    natural = {
        "trained_on_both": {part: natural_check(classifier, part) for part in ("dev", "heldout")},
        "trained_on_shipped": {part: natural_check(shipped_only, part) for part in ("dev", "heldout")},
        "trained_on_both_plus_dev_seed": {"heldout": natural_check(seeded, "heldout")},
    }
    result = {
        "benchmark": (
            "question-type classifier (class-weighted LinearSVC C=1, Kiwi morpheme/tail/question-word + char TF-IDF)"
        ),
        "command": (
            f"benchmarks/question_classifier.py --seeds {args.seeds} --korquad-paragraphs {args.korquad_paragraphs}"
        ),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "training_data": "kodistill questions (templates, defaults) over kodistill chunk data/raw_docs and KorQuAD dev",
        "korquad_paragraphs": len(korquad_chunks),
        "patterns": patterns,
        "document_split_accuracies": {
            name: {label: summary["accuracies"] for label, summary in sets.items()} for name, sets in splits.items()
        },
        "document_split_accuracy_mean": {
            name: {label: summary["accuracy_mean"] for label, summary in sets.items()} for name, sets in splits.items()
        },
        "document_split_cues_stripped_accuracy_mean": {
            name: {label: summary["cues_stripped_accuracy_mean"] for label, summary in sets.items()}
            for name, sets in splits.items()
        },
        "document_split": splits,
        "cross_corpus": {
            "shipped_to_korquad": cross_corpus(shipped, korquad, tokenizer),
            "korquad_to_shipped": cross_corpus(korquad, shipped, tokenizer),
        },
        "natural_questions": natural,
        "grouped_cv": model_selection,
        "korquad_real_questions_predicted_types": dict(Counter(real_types).most_common()),
        "generation_s": round(generated_s, 2),
        "train_all_s": round(train_s, 2),
        "predict_per_s": round(len(real_questions) / predict_s, 1),
        "target": {"document_split_accuracy": ">= 0.90 (without generic questions)"},
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    atomic_write_json(RESULT, result)
    print(json.dumps({k: v for k, v in result.items() if k != "document_split"}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
