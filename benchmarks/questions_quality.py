"""Synthetic-question quality: self-retrieval recall of template questions on two corpora.

Run from the project root:
    .venv/bin/python benchmarks/questions_quality.py [--korquad-paragraphs 300] [--skip-korquad]
(a) the shipped corpus: data/raw_docs read and chunked with the project's code (`scan_documents`,
`document_row`, `chunk_table`, default 256/48 morphemes); (b) KorQuAD 1.0 dev paragraphs (corpus
from korquad-convert; the first N paragraphs, 0 = all). For each: generate questions with the code
defaults (`generate_questions`, per_chunk 2), build the hybrid retriever over the corpus
(`HybridRetriever.build`, default fusion), and report self-retrieval recall@1/@3 (gold = the
question's source chunk) overall and per question type, questions/s of generation, the number of
questions and the share whose question contains its answer span; then the extractive teacher answers
every question over the hybrid top-3 (as `teacher_answers` does) and the share of answers citing the
question's source chunk, the share containing its recorded answer span, and the median answer length
are reported (`teacher`). Writes
benchmarks/results/questions_quality.json (merged with what is there, keyed by --label).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from assets.distillation.checks import answer_quality_rates  # noqa: E402
from assets.distillation.questions import QuestionConfig, generate_questions  # noqa: E402
from assets.distillation.self_retrieval import answer_leak_share, self_retrieval_queries  # noqa: E402
from assets.distillation.teacher import BatchAnswerer  # noqa: E402
from assets.knowledge.assets import chunk_table, document_row  # noqa: E402
from assets.knowledge.documents import scan_documents  # noqa: E402
from assets.knowledge.evaluation import ranking_metrics, read_corpus  # noqa: E402
from assets.knowledge.korquad import convert_korquad_file  # noqa: E402
from resources.atomic import record_json_entry  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.llm.extractive import ExtractiveTeacher  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.hybrid import DEFAULT_FUSION, HybridRetriever  # noqa: E402

KORQUAD = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
RESULT = PROJECT_ROOT / "benchmarks" / "results" / "questions_quality.json"
KS = (1, 3)


def shipped_chunks(tokenizer: KoreanTokenizer) -> list[dict[str, str]]:
    """data/raw_docs read and chunked as the `documents` and `chunks` assets do (default budget)."""
    scan = scan_documents(PROJECT_ROOT / "data" / "raw_docs")
    docs = pd.DataFrame([document_row(scan, doc_id) for doc_id in sorted(scan.found)])
    table, _ = chunk_table(docs, tokenizer, max_tokens=256, overlap_tokens=48)
    return table[["chunk_id", "doc_id", "text"]].to_dict(orient="records")


def korquad_chunks(paragraphs: int) -> list[dict[str, str]]:
    """KorQuAD dev paragraphs as chunks (the first `paragraphs`, 0 = all)."""
    with tempfile.TemporaryDirectory() as folder:
        converted = convert_korquad_file(shared_dir() / KORQUAD, Path(folder))
        rows = read_corpus(Path(converted["corpus"]))
    rows = rows[:paragraphs] if paragraphs else rows
    return [{"chunk_id": r.id, "doc_id": r.doc_id, "text": r.text} for r in rows]


def self_retrieval(chunks: list[dict[str, str]], tokenizer: KoreanTokenizer) -> dict[str, Any]:
    """Generate, index, retrieve: the report of one corpus."""
    started = time.perf_counter()
    questions = pd.DataFrame([q.to_dict() for q in generate_questions(chunks, QuestionConfig(), tokenizer)])
    generate_s = time.perf_counter() - started
    retriever = HybridRetriever.build(
        [c["chunk_id"] for c in chunks], [c["text"] for c in chunks], [c["doc_id"] for c in chunks], tokenizer
    )
    queries = self_retrieval_queries(questions)
    hits = retriever.search_batch([q.query for q in queries], k=max(KS), mode=DEFAULT_FUSION)
    ranked = [[h.chunk_id for h in row] for row in hits]
    questions["rank1"] = [r[:1] == [q.relevant_ids[0]] for r, q in zip(ranked, queries)]
    questions["rank3"] = [q.relevant_ids[0] in r[:3] for r, q in zip(ranked, queries)]
    overall = ranking_metrics(ranked, [q.relevant_ids for q in queries], KS)
    per_type = {
        qtype: {"questions": len(group), "recall@1": group["rank1"].mean(), "recall@3": group["rank3"].mean()}
        for qtype, group in questions.groupby("qtype")
    }
    return {
        "teacher": teacher_quality(questions, retriever),
        "chunks": len(chunks),
        "questions": len(questions),
        "recall@1": overall["recall@1"],
        "recall@3": overall["recall@3"],
        "per_type": per_type,
        "generate_seconds": round(generate_s, 2),
        "questions_per_s": round(len(questions) / max(generate_s, 1e-9), 1),
        "answer_in_question_share": answer_leak_share(questions),
        "with_answer_share": float((questions["answer"].fillna("") != "").mean()) if "answer" in questions else 0.0,
        "misses": questions.loc[~questions["rank1"], ["chunk_id", "qtype", "question"]].head(15).values.tolist(),
    }


def teacher_quality(questions: pd.DataFrame, retriever: HybridRetriever) -> dict[str, float]:
    """Source citation, answer-span containment and median length of the extractive teacher's answers."""
    answerer = BatchAnswerer(retriever, ExtractiveTeacher(tokenizer=retriever.tokenizer), k=3)
    rows = answerer([{"id": q.question_id, "query": q.question} for q in questions.itertuples()])
    answers = pd.DataFrame(
        {
            "cites_source": [q.chunk_id in row["cited_ids"] for q, row in zip(questions.itertuples(), rows)],
            "expected_answer": questions["answer"].fillna("").tolist(),
            "contains_answer": [
                bool(q.answer) and str(q.answer) in row["answer"] for q, row in zip(questions.itertuples(), rows)
            ],
        }
    )
    lengths = pd.Series([len(row["answer"]) for row in rows])
    return {**answer_quality_rates(answers), "answer_chars_median": float(lengths.median())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--korquad-paragraphs", type=int, default=300, help="first N KorQuAD paragraphs (0 = all)")
    parser.add_argument("--skip-korquad", action="store_true")
    parser.add_argument("--label", default="current", help="key of this run in the result file")
    args = parser.parse_args()
    tokenizer = KoreanTokenizer()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    report["machine"] = f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores (shared)"
    report["shipped"] = self_retrieval(shipped_chunks(tokenizer), tokenizer)
    print(json.dumps({"shipped": {k: v for k, v in report["shipped"].items() if k != "misses"}}, ensure_ascii=False))
    if not args.skip_korquad:
        report["korquad"] = self_retrieval(korquad_chunks(args.korquad_paragraphs), tokenizer)
        report["korquad"]["paragraphs_option"] = args.korquad_paragraphs
        print(
            json.dumps({"korquad": {k: v for k, v in report["korquad"].items() if k != "misses"}}, ensure_ascii=False)
        )
    record_json_entry(RESULT, args.label, report)


if __name__ == "__main__":
    main()
