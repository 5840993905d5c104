"""Evaluation metrics on hand-made rankings, JSONL readers' error messages, and a small end-to-end evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assets.knowledge.evaluation import (
    EvalQuery,
    evaluate_retriever,
    latency_summary,
    ranking_metrics,
    read_corpus,
    read_queries,
    recall_at_k,
    reciprocal_rank,
)
from resources.errors import InputDataError
from resources.retrieval.hybrid import HybridRetriever


def test_recall_at_k_by_hand():
    assert recall_at_k(["a", "b", "c"], ["b"], 1) == 0.0
    assert recall_at_k(["a", "b", "c"], ["b"], 2) == 1.0
    assert recall_at_k(["a", "b", "c"], ["b", "z"], 3) == 0.5
    with pytest.raises(ValueError):
        recall_at_k(["a"], [], 1)


def test_reciprocal_rank_by_hand():
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a", "b"], ["z"]) == 0.0
    assert reciprocal_rank(["a", "b"], ["b", "a"]) == 1.0


def test_ranking_metrics_means_by_hand():
    rankings = [["a", "b"], ["b", "a"], ["c", "d"]]
    relevant = [["a"], ["a"], ["a"]]
    metrics = ranking_metrics(rankings, relevant, ks=(1, 2))
    assert metrics == pytest.approx({"recall@1": 1 / 3, "recall@2": 2 / 3, "mrr": (1 + 0.5 + 0) / 3})


def test_latency_summary_milliseconds():
    summary = latency_summary([0.001, 0.002, 0.003])
    assert summary["query_ms_p50"] == pytest.approx(2.0)
    assert summary["query_ms_mean"] == pytest.approx(2.0)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_readers_name_file_and_line(tmp_path: Path):
    corpus = _write(tmp_path / "corpus.jsonl", ['{"id": "a", "text": "가나다"}', "", "{not json"])
    with pytest.raises(InputDataError, match=r"corpus\.jsonl:3"):
        read_corpus(corpus)
    corpus = _write(tmp_path / "corpus.jsonl", ['{"id": "a", "text": "가나다"}', '{"id": "a", "text": "라마"}'])
    with pytest.raises(InputDataError, match=r"corpus\.jsonl:2: duplicate id"):
        read_corpus(corpus)
    queries = _write(tmp_path / "queries.jsonl", ['{"id": "q", "query": "가?", "relevant_ids": ["x"]}'])
    with pytest.raises(InputDataError, match=r"queries\.jsonl:1: relevant id 'x'"):
        read_queries(queries, {"a"})
    queries = _write(tmp_path / "queries.jsonl", ['{"id": "q", "query": "", "relevant_ids": ["a"]}'])
    with pytest.raises(InputDataError, match=r'queries\.jsonl:1: "query" missing'):
        read_queries(queries, {"a"})


def test_evaluate_retriever_reports_every_retriever(retrieval_corpus, retrieval_tokenizer):
    retriever = HybridRetriever.build(
        retrieval_corpus.ids, retrieval_corpus.texts, tokenizer=retrieval_tokenizer, embedder_spec="lsa:32"
    )
    queries = [
        EvalQuery(f"q{i}", q, (a,))
        for i, (q, a) in enumerate(zip(retrieval_corpus.questions[:20], retrieval_corpus.answers))
    ]
    report = evaluate_retriever(retriever, queries, ks=(1, 5), fusion="rrf")
    assert set(report) == {"bm25", "dense", "hybrid"}
    assert report["hybrid"]["mode"] == "rrf"
    for result in report.values():
        assert 0.0 <= result["recall@1"] <= result["recall@5"] <= 1.0
        assert result["query_ms_p50"] > 0 and result["build_seconds"] > 0
    assert report["bm25"]["recall@5"] >= 0.8
    json.dumps(report)
