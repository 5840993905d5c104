"""Benchmark: does the question's type, shaping the extractive teacher's answer, help or hurt?

Usage: .venv/bin/python benchmarks/classifier_teacher_shaping.py [--korquad-paragraphs 300] [--limit N]
Answers with the teacher's default shape and with the per-type shapes of
`resources.llm.extractive.TYPE_SHAPES` (top-3 hybrid retrieval, as the `teacher_answers` asset and
benchmarks/teacher_korquad.py), on two question sets:

- the shipped corpus's synthetic questions (`kodistill chunk data/raw_docs`, `kodistill questions`
  defaults): source-chunk citation rate, answer-span containment and median answer length, with no
  type, with the given type (what the `teacher_answers` asset uses) and with the type predicted by
  the question classifier cross-fitted over 4 document folds (each question's type comes from a
  classifier that never saw its document);
- KorQuAD 1.0 dev's 5,774 human questions: gold-in-answer (all, the teacher's tuning part = the first
  2,000, the rest) and median length, with no type and with the type predicted by a classifier
  trained on the synthetic questions of the shipped corpus and of --korquad-paragraphs KorQuAD
  paragraphs (the `benchmarks/question_classifier.py` recipe).

Every rate is also given per type (given or predicted), so a type whose shape hurts can be seen.
Writes benchmarks/results/classifier_teacher_shaping.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from assets.distillation.classifier import labelled_questions, train_question_classifier  # noqa: E402
from assets.distillation.teacher import BatchAnswerer  # noqa: E402
from benchmarks.question_classifier import DATASET, korquad_corpus, questions_frame, shipped_chunks  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.llm.extractive import TYPE_SHAPES, ExtractiveTeacher  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.hybrid import HybridRetriever  # noqa: E402

RESULT = ROOT / "benchmarks/results/classifier_teacher_shaping.json"
TUNING_QUESTIONS = 2000
FOLDS = 4


def build_retriever(chunks: list[dict[str, str]], tokenizer: KoreanTokenizer) -> HybridRetriever:
    """The hybrid retriever over the chunks (default embedder and fusion)."""
    return HybridRetriever.build(
        [c["chunk_id"] for c in chunks], [c["text"] for c in chunks], [c["doc_id"] for c in chunks], tokenizer
    )


def answer_rows(
    answerer: BatchAnswerer, ids: list[str], queries: list[str], types: list[str] | None
) -> list[dict[str, Any]]:
    """The answerer's output rows, with each question's type when `types` is given."""
    rows = [{"id": i, "query": q} for i, q in zip(ids, queries, strict=True)]
    if types is not None:
        rows = [{**row, "qtype": t} for row, t in zip(rows, types, strict=True)]
    return answerer(rows)


def cross_fitted_types(frame: pd.DataFrame, tokenizer: KoreanTokenizer) -> list[str]:
    """Each question's type predicted by a classifier trained on the other document folds."""
    predicted = pd.Series("", index=frame.index)
    for train_index, test_index in GroupKFold(n_splits=FOLDS).split(frame, groups=frame["doc_id"]):
        train = labelled_questions(frame.iloc[train_index])
        classifier = train_question_classifier(list(train["question"]), list(train["qtype"]), tokenizer)
        test = frame.iloc[test_index]
        predicted.loc[test.index] = classifier.predict(list(test["question"]))
    return list(predicted)


def own_data_rates(frame: pd.DataFrame, rows: list[dict[str, Any]], by: list[str]) -> dict[str, Any]:
    """Citation of the source chunk, answer-span containment, median length; overall and per `by` type."""
    table = pd.DataFrame(
        {
            "type": by,
            "cites_source": [c in r["cited_ids"] for c, r in zip(frame["chunk_id"], rows, strict=True)],
            "has_span": [bool(a) for a in frame["answer"].fillna("")],
            "contains": [bool(a) and a in r["answer"] for a, r in zip(frame["answer"].fillna(""), rows, strict=True)],
            "chars": [len(r["answer"]) for r in rows],
        }
    )

    def rates(part: pd.DataFrame) -> dict[str, float]:
        spans = part[part["has_span"]]
        return {
            "questions": len(part),
            "source_cited": round(float(part["cites_source"].mean()), 4),
            "answer_span_contained": round(float(spans["contains"].mean()), 4) if len(spans) else 0.0,
            "answer_chars_median": float(part["chars"].median()),
        }

    return {**rates(table), "per_type": {t: rates(p) for t, p in table.groupby("type")}}


def shipped_run(tokenizer: KoreanTokenizer) -> dict[str, Any]:
    """The shipped corpus's synthetic questions: no type, given type, cross-fitted predicted type."""
    chunks = shipped_chunks(tokenizer)
    frame = questions_frame(chunks)
    answerer = BatchAnswerer(build_retriever(chunks, tokenizer), ExtractiveTeacher(tokenizer), k=3)
    ids, queries, given = list(frame["question_id"]), list(frame["question"]), list(frame["qtype"])
    predicted = cross_fitted_types(frame, tokenizer)
    runs = {"no_type": None, "given_type": given, "predicted_type": predicted}
    out: dict[str, Any] = {
        "chunks": len(chunks),
        "predicted_type_accuracy": round(sum(p == g for p, g in zip(predicted, given)) / len(given), 4),
    }
    answers: dict[str, list[str]] = {}
    for name, types in runs.items():
        rows = answer_rows(answerer, ids, queries, types)
        out[name] = own_data_rates(frame, rows, given)
        answers[name] = [r["answer"] for r in rows]
    for name in ("given_type", "predicted_type"):
        out[name]["answers_changed"] = changed_shares(answers["no_type"], answers[name], given)
    return out


def changed_shares(plain: list[str], shaped: list[str], types: list[str]) -> dict[str, float]:
    """Share of answers the shape changed (text differs from the no-type answer), overall and per type."""
    changed = [a != b for a, b in zip(plain, shaped, strict=True)]
    per_type = {
        t: round(sum(c for c, x in zip(changed, types, strict=True) if x == t) / types.count(t), 4)
        for t in sorted(set(types))
    }
    return {"all": round(sum(changed) / max(1, len(changed)), 4), **per_type}


def korquad_rates(queries: list[dict[str, Any]], rows: list[dict[str, Any]], types: list[str]) -> dict[str, Any]:
    """Gold-in-answer (all, tuning part, the rest) and median length; per predicted type too."""
    contains = [any(g in r["answer"] for g in q["answers"]) for q, r in zip(queries, rows, strict=True)]
    chars = [len(r["answer"]) for r in rows]

    def share(values: list[bool]) -> float:
        return round(sum(values) / max(1, len(values)), 4)

    per_type = {
        t: {
            "questions": sum(x == t for x in types),
            "gold_in_answer": share([c for c, x in zip(contains, types, strict=True) if x == t]),
            "gold_in_answer_tuning_part": share(
                [c for c, x in zip(contains[:TUNING_QUESTIONS], types, strict=False) if x == t]
            ),
            "answer_chars_median": statistics.median([n for n, x in zip(chars, types, strict=True) if x == t]),
        }
        for t in sorted(set(types))
    }
    return {
        "gold_in_answer": share(contains),
        "gold_in_answer_tuning_part": share(contains[:TUNING_QUESTIONS]),
        "gold_in_answer_held_out_part": share(contains[TUNING_QUESTIONS:]),
        "answer_chars_median": statistics.median(chars),
        "per_predicted_type": per_type,
    }


def korquad_run(tokenizer: KoreanTokenizer, paragraphs: int, limit: int | None) -> dict[str, Any]:
    """KorQuAD dev human questions: no type vs the type predicted by the classifier."""
    dataset = shared_dir() / DATASET
    all_chunks, _ = korquad_corpus(dataset, 0)
    from assets.knowledge.korquad import convert_squad, load_squad_json

    _, queries = convert_squad(load_squad_json(dataset), str(dataset))
    queries = queries[:limit] if limit else queries
    training_chunks, _ = korquad_corpus(dataset, paragraphs)
    training = labelled_questions(
        pd.concat([questions_frame(shipped_chunks(tokenizer)), questions_frame(training_chunks)], ignore_index=True)
    )
    classifier = train_question_classifier(list(training["question"]), list(training["qtype"]), tokenizer)
    texts = [q["query"] for q in queries]
    types = classifier.predict(texts)
    answerer = BatchAnswerer(build_retriever(all_chunks, tokenizer), ExtractiveTeacher(tokenizer), k=3)
    ids = [str(q["id"]) for q in queries]
    plain, shaped = answer_rows(answerer, ids, texts, None), answer_rows(answerer, ids, texts, types)
    return {
        "questions": len(queries),
        "classifier_training_questions": len(training),
        "no_type": korquad_rates(queries, plain, types),
        "predicted_type": {
            **korquad_rates(queries, shaped, types),
            "answers_changed": changed_shares([r["answer"] for r in plain], [r["answer"] for r in shaped], types),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--korquad-paragraphs", type=int, default=300, help="KorQuAD paragraphs for the classifier")
    parser.add_argument("--limit", type=int, default=None, help="only the first N KorQuAD questions")
    args = parser.parse_args()
    tokenizer = KoreanTokenizer()
    started = time.perf_counter()
    result = {
        "benchmark": "question type -> extractive teacher answer shape (TYPE_SHAPES), top-3 hybrid retrieval",
        "command": " ".join(["benchmarks/classifier_teacher_shaping.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "shapes": {t: {k: v for k, v in vars(s).items() if v not in (None, "", False)} for t, s in TYPE_SHAPES.items()},
        "shipped": shipped_run(tokenizer),
        "korquad_human": korquad_run(tokenizer, args.korquad_paragraphs, args.limit),
        "targets": {
            "shipped": "source cited >= 0.90, span contained >= 0.85, median <= 200 chars",
            "korquad_human": "gold-in-answer must not drop below 0.92",
        },
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    atomic_write_json(RESULT, result)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
