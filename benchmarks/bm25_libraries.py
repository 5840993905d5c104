"""Benchmark: the project's BM25Index vs the `bm25s` library on KorQuAD 1.0 dev, same Kiwi terms.

Usage: .venv/bin/python benchmarks/bm25_libraries.py [--repeats 3]
(`bm25s` is not a project dependency: `pip install bm25s` into the venv first.)
Both index the 961 distinct paragraphs as the retriever's expanded terms (morphemes + morpheme and
character bigrams), with the retriever's k1/b, and answer the 5,774 questions' terms, top-10.
bm25s uses its "robertson" method (the Okapi formula) on one thread; its idf differs from
rank_bm25's for terms in more than half the documents, so recall@1 (gold = the question's paragraph)
is reported for both instead of list identity. Queries/s: one query at a time (as `HybridRetriever.search`
calls BM25) and all queries in one batch call; build seconds; medians of `--repeats` runs. Then the
extractive teacher's use: a small index over the Kiwi sentences of one paragraph, built and scored
for one of its questions ("smoothed" idf vs bm25s "lucene"), microseconds per question.
Writes benchmarks/results/bm25_libraries.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.knowledge.korquad import convert_squad, load_squad_json  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer, TermExpansion  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.bm25 import BM25Index  # noqa: E402
from resources.retrieval.hybrid import DEFAULT_BM25_B, DEFAULT_BM25_K1  # noqa: E402

DATASET = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
RESULT = ROOT / "benchmarks/results/bm25_libraries.json"


def timed(action: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds of `repeats` calls and the last call's result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def expanded_terms(texts: list[str], tokenizer: KoreanTokenizer) -> list[list[str]]:
    """The retriever's index terms of each text (one Kiwi pass)."""
    expansion = TermExpansion()
    return [expansion.expand(m, t) for m, t in zip(tokenizer.morphemes_batch(texts), texts, strict=True)]


def recall_at_1(top: np.ndarray, gold: list[int]) -> float:
    """Share of queries whose first hit is the gold paragraph."""
    return float(np.mean(np.asarray(top)[:, 0] == np.asarray(gold)))


def measure_ours(corpus: list[list[str]], queries: list[list[str]], repeats: int) -> dict[str, Any]:
    """Build time, single/batch queries/s and top-10 positions of BM25Index."""
    build_s, index = timed(lambda: BM25Index.build(corpus, DEFAULT_BM25_K1, DEFAULT_BM25_B), repeats)
    single_s, _ = timed(lambda: [index.search(q, 10) for q in queries], repeats)
    batch_s, (positions, _) = timed(lambda: index.search_batch(queries, 10), repeats)
    return {"build_s": build_s, "single_qps": len(queries) / single_s, "batch_qps": len(queries) / batch_s}, positions


def measure_bm25s(corpus: list[list[str]], queries: list[list[str]], repeats: int) -> dict[str, Any]:
    """The same for bm25s (robertson, numpy backend, one thread); unknown query terms dropped first."""
    import bm25s

    def build() -> Any:
        model = bm25s.BM25(k1=DEFAULT_BM25_K1, b=DEFAULT_BM25_B, method="robertson")
        model.index(corpus, show_progress=False)
        return model

    build_s, model = timed(build, repeats)
    vocabulary = model.vocab_dict
    known = [[t for t in q if t in vocabulary] or [""] for q in queries]

    def one(query: list[str]) -> np.ndarray:
        return model.retrieve([query], k=10, show_progress=False, n_threads=1)[0]

    single_s, _ = timed(lambda: [one(q) for q in known], repeats)
    batch_s, positions = timed(lambda: model.retrieve(known, k=10, show_progress=False, n_threads=1)[0], repeats)
    return {"build_s": build_s, "single_qps": len(queries) / single_s, "batch_qps": len(queries) / batch_s}, positions


def sentence_indexes(rows: list[tuple[dict[str, Any], list[str]]], tokenizer: KoreanTokenizer) -> dict:
    """Microseconds to index one paragraph's sentences and score one question, ours vs bm25s."""
    import bm25s

    pairs = [(q, tokenizer.morphemes_batch([s.text for s in tokenizer.split_sentences(r["text"])])) for r, q in rows]

    def theirs(query: list[str], sentences: list[list[str]]) -> np.ndarray:
        model = bm25s.BM25(k1=1.2, b=0.5, method="lucene")
        model.index(sentences, show_progress=False)
        return model.get_scores([t for t in query if t in model.vocab_dict] or [""])

    def ours(query: list[str], sentences: list[list[str]]) -> np.ndarray:
        return BM25Index.build(sentences, 1.2, 0.5, idf_variant="smoothed").scores(query)

    result = {"questions": len(pairs), "mean_sentences": float(np.mean([len(s) for _, s in pairs]))}
    for name, score in (("ours_us", ours), ("bm25s_us", theirs)):
        seconds, _ = timed(lambda score=score: [score(q, s) for q, s in pairs], 3)
        result[name] = 1e6 * seconds / len(pairs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dataset", type=Path, default=None, help="KorQuAD JSON (default ../shared/datasets/...)")
    args = parser.parse_args()
    dataset = args.dataset or shared_dir() / DATASET
    corpus_rows, query_rows = convert_squad(load_squad_json(dataset), str(dataset))
    tokenizer = KoreanTokenizer()
    corpus = expanded_terms([c["text"] for c in corpus_rows], tokenizer)
    queries = expanded_terms([q["query"] for q in query_rows], tokenizer)
    position = {c["id"]: i for i, c in enumerate(corpus_rows)}
    gold = [position[q["relevant_ids"][0]] for q in query_rows]
    ours, ours_top = measure_ours(corpus, queries, args.repeats)
    theirs, theirs_top = measure_bm25s(corpus, queries, args.repeats)
    first = {}
    for row, terms in zip(query_rows, queries, strict=True):
        first.setdefault(row["relevant_ids"][0], (corpus_rows[position[row["relevant_ids"][0]]], terms))
    sentences = sentence_indexes(list(first.values())[:300], tokenizer)
    import bm25s

    report = {
        "benchmark": "BM25Index vs bm25s on KorQuAD 1.0 dev (Kiwi expanded terms, top-10)",
        "command": " ".join(["benchmarks/bm25_libraries.py", *sys.argv[1:]]),
        "paragraphs": len(corpus),
        "queries": len(queries),
        "k1": DEFAULT_BM25_K1,
        "b": DEFAULT_BM25_B,
        "ours": {**ours, "recall@1": recall_at_1(ours_top, gold)},
        "bm25s": {**theirs, "recall@1": recall_at_1(theirs_top, gold), "version": bm25s.__version__},
        "single_speedup": ours["single_qps"] / theirs["single_qps"],
        "batch_speedup": ours["batch_qps"] / theirs["batch_qps"],
        "sentence_index_per_question": sentences,
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    atomic_write_json(RESULT, report)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
