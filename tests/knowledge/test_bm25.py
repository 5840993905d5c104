"""BM25Index: identical top-10 to rank_bm25.BM25Okapi, batch == single, deterministic ties, pickle-free save/load."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from resources.korean import KoreanTokenizer, TermExpansion
from resources.retrieval.bm25 import BM25Index


def reference_top(reference: BM25Okapi, query: list[str], k: int) -> np.ndarray:
    """rank_bm25's scores ranked best first, ties by lower position."""
    scores = reference.get_scores(query)
    return np.lexsort((np.arange(len(scores)), -scores))[:k]


def assert_parity(corpus: list[list[str]], queries: list[list[str]], k1: float, b: float) -> None:
    index = BM25Index.build(corpus, k1=k1, b=b)
    reference = BM25Okapi(corpus, k1=k1, b=b)
    batch_positions, batch_scores = index.search_batch(queries, 10)
    for row, query in enumerate(queries):
        expected = reference_top(reference, query, 10)
        positions, scores = index.search(query, 10)
        assert positions.tolist() == expected.tolist(), f"query {row}: {query}"
        assert batch_positions[row].tolist() == expected.tolist()
        np.testing.assert_array_equal(scores, reference.get_scores(query)[expected])
        np.testing.assert_array_equal(batch_scores[row], scores)


@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (0.9, 0.5), (1.5, 0.3)])
def test_top10_identical_to_rank_bm25_on_generated_korean(
    retrieval_corpus, retrieval_corpus_tokens, retrieval_tokenizer, k1, b
):
    queries = retrieval_tokenizer.morphemes_batch(retrieval_corpus.questions)
    assert_parity(retrieval_corpus_tokens, queries, k1, b)


def test_top10_identical_with_expanded_terms_and_repeated_query_terms(
    retrieval_corpus, retrieval_corpus_tokens, retrieval_tokenizer
):
    expansion = TermExpansion()
    corpus = [expansion.expand(m, t) for m, t in zip(retrieval_corpus_tokens, retrieval_corpus.texts)]
    morphemes = retrieval_tokenizer.morphemes_batch(retrieval_corpus.questions)
    queries = [expansion.expand(m, q) for m, q in zip(morphemes, retrieval_corpus.questions)]
    queries.append(["서울", "서울", "사과", "없는단어"])  # a repeated term counts twice, as in rank_bm25
    assert_parity(corpus, queries, 0.9, 0.5)


def test_negative_idf_floor_matches_rank_bm25():
    # "공통" is in every document: negative idf, floored to epsilon * mean idf exactly as rank_bm25 does.
    corpus = [["공통", "가"], ["공통", "나"], ["공통", "가", "다"], ["공통"]]
    index = BM25Index.build(corpus, k1=1.5, b=0.75)
    reference = BM25Okapi(corpus, k1=1.5, b=0.75)
    for query in (["공통"], ["공통", "가"], ["다", "나"]):
        np.testing.assert_array_equal(index.scores(query), reference.get_scores(query))


def test_korquad_paragraphs_parity(retrieval_korquad_path, retrieval_tokenizer: KoreanTokenizer):
    data = json.loads(retrieval_korquad_path.read_text(encoding="utf-8"))["data"][:20]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    corpus = retrieval_tokenizer.morphemes_batch([p["context"] for p in paragraphs])
    questions = [qa["question"] for p in paragraphs for qa in p["qas"]][:150]
    assert_parity(corpus, retrieval_tokenizer.morphemes_batch(questions), 1.2, 0.75)


def test_ties_broken_by_lower_position_even_at_the_cut():
    corpus = [["가"], ["나"], ["가"], ["가"], ["다"]]
    index = BM25Index.build(corpus)
    positions, scores = index.search(["가"], 2)
    assert positions.tolist() == [0, 2]
    assert scores[0] == scores[1]
    assert index.search_batch([["가"]], 2)[0].tolist() == [[0, 2]]


def test_unknown_terms_and_k_larger_than_corpus():
    index = BM25Index.build([["가", "나"], ["다"]])
    positions, scores = index.search(["없음"], 5)
    assert positions.tolist() == [0, 1] and scores.tolist() == [0.0, 0.0]
    assert len(index) == 2
    assert index.search_batch([["다"], []], 5)[0].shape == (2, 2)


def test_save_load_round_trip_without_pickle(
    tmp_path: Path, retrieval_corpus_tokens, retrieval_tokenizer, retrieval_corpus
):
    index = BM25Index.build(retrieval_corpus_tokens, k1=0.9, b=0.5)
    index.save(tmp_path / "bm25")
    files = sorted(p.name for p in (tmp_path / "bm25").iterdir())
    assert all(name.endswith((".npz", ".json")) for name in files), files
    with zipfile.ZipFile(tmp_path / "bm25" / "bm25_weights.npz") as archive:
        for name in archive.namelist():
            with archive.open(name) as member:
                header = member.read(128)
            assert b"'descr': '|O'" not in header, f"{name} holds Python objects"
    loaded = BM25Index.load(tmp_path / "bm25")
    assert (loaded.k1, loaded.b, len(loaded)) == (0.9, 0.5, len(index))
    queries = retrieval_tokenizer.morphemes_batch(retrieval_corpus.questions[:10])
    for query in queries:
        for a, b in zip(index.search(query, 10), loaded.search(query, 10)):
            np.testing.assert_array_equal(a, b)


def test_generated_questions_find_their_document(retrieval_corpus, retrieval_corpus_tokens, retrieval_tokenizer):
    index = BM25Index.build(retrieval_corpus_tokens)
    positions, _ = index.search_batch(retrieval_tokenizer.morphemes_batch(retrieval_corpus.questions), 10)
    found = [retrieval_corpus.ids.index(answer) in row for answer, row in zip(retrieval_corpus.answers, positions)]
    assert np.mean(found) >= 0.8


def test_smoothed_idf_is_never_negative_and_is_saved(tmp_path: Path):
    corpus = [["공통", "가"], ["공통", "나"], ["공통"]]
    index = BM25Index.build(corpus, idf_variant="smoothed")
    assert (index.idf > 0).all()
    assert index.idf[index.vocabulary["공통"]] == pytest.approx(np.log(1 + 0.5 / 3.5))
    index.save(tmp_path)
    assert BM25Index.load(tmp_path).idf_variant == "smoothed"
    with pytest.raises(ValueError, match="idf variant"):
        BM25Index.build(corpus, idf_variant="bm25+")
