"""HybridRetriever on a generated corpus: build, every fusion mode, batch == single, save/load with checksums."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resources.errors import InputDataError
from resources.retrieval.dense import IndexIntegrityError
from resources.retrieval.hybrid import DEFAULT_FUSION, FUSION_MODES, FusionSettings, HybridRetriever, RetrievalHit


@pytest.fixture(scope="module")
def retrieval_hybrid(retrieval_corpus, retrieval_tokenizer) -> HybridRetriever:
    return HybridRetriever.build(
        retrieval_corpus.ids,
        retrieval_corpus.texts,
        retrieval_corpus.doc_ids,
        tokenizer=retrieval_tokenizer,
        embedder_spec="lsa:64",
    )


def test_build_records_timings_and_sizes(retrieval_hybrid, retrieval_corpus):
    assert (
        len(retrieval_hybrid) == len(retrieval_hybrid.bm25) == len(retrieval_hybrid.dense) == len(retrieval_corpus.ids)
    )
    assert set(retrieval_hybrid.build_seconds) == {"tokenize", "bm25", "embedder", "dense_index", "total"}
    assert DEFAULT_FUSION in FUSION_MODES


@pytest.mark.parametrize("mode", FUSION_MODES)
def test_every_mode_returns_complete_hits(retrieval_hybrid, retrieval_corpus, mode):
    question, answer = retrieval_corpus.questions[0], retrieval_corpus.answers[0]
    hits = retrieval_hybrid.search(question, k=5, mode=mode)
    assert 1 <= len(hits) <= 5
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert isinstance(hit, RetrievalHit)
        position = retrieval_corpus.ids.index(hit.chunk_id)
        assert hit.doc_id == retrieval_corpus.doc_ids[position] and hit.text == retrieval_corpus.texts[position]
        assert set(hit.ranks) == set(hit.scores) == {"bm25", "dense"}
        assert any(rank is not None for rank in hit.ranks.values())
        for name in ("bm25", "dense"):
            assert (hit.ranks[name] is None) == (hit.scores[name] is None)
    if mode in ("bm25", "weighted", "independent"):
        assert answer in [h.chunk_id for h in hits]


def test_fused_hits_carry_both_retrievers(retrieval_hybrid, retrieval_corpus):
    hits = retrieval_hybrid.search(retrieval_corpus.questions[1], k=3, mode="weighted")
    assert hits[0].ranks["bm25"] is not None and hits[0].ranks["dense"] is not None
    assert isinstance(hits[0].scores["bm25"], float) and isinstance(hits[0].scores["dense"], float)


def test_independent_takes_top_k_each_from_each(retrieval_hybrid, retrieval_corpus):
    question = retrieval_corpus.questions[2]
    hits = retrieval_hybrid.search(question, k=10, mode="independent", k_each=3)
    assert 3 <= len(hits) <= 6
    bm25_top = [h.chunk_id for h in retrieval_hybrid.search(question, k=3, mode="bm25")]
    dense_top = [h.chunk_id for h in retrieval_hybrid.search(question, k=3, mode="dense")]
    assert {h.chunk_id for h in hits} == set(bm25_top) | set(dense_top)


def test_search_batch_equals_search(retrieval_hybrid, retrieval_corpus):
    questions = retrieval_corpus.questions[:8]
    for mode in FUSION_MODES:
        batch = retrieval_hybrid.search_batch(questions, k=5, mode=mode)
        single = [retrieval_hybrid.search(q, k=5, mode=mode) for q in questions]
        assert [[h.chunk_id for h in hits] for hits in batch] == [[h.chunk_id for h in hits] for hits in single]


def test_generated_questions_are_answered(retrieval_hybrid, retrieval_corpus):
    batch = retrieval_hybrid.search_batch(retrieval_corpus.questions, k=5)
    found = [answer in [h.chunk_id for h in hits] for answer, hits in zip(retrieval_corpus.answers, batch)]
    assert sum(found) / len(found) >= 0.8


def test_query_without_known_terms(retrieval_hybrid):
    assert retrieval_hybrid.search("쀍쀍 ???", k=5, mode="bm25") == []
    assert retrieval_hybrid.search("쀍쀍 ???", k=5, mode="dense") == []


def test_bad_inputs(retrieval_hybrid, retrieval_tokenizer):
    with pytest.raises(InputDataError, match="fusion mode"):
        retrieval_hybrid.search("서울", mode="mean")
    with pytest.raises(InputDataError, match="empty corpus"):
        HybridRetriever.build([], [], tokenizer=retrieval_tokenizer)
    with pytest.raises(InputDataError, match="unique"):
        HybridRetriever.build(["a", "a"], ["서울", "부산"], tokenizer=retrieval_tokenizer)
    with pytest.raises(InputDataError, match="bm25_weight"):
        FusionSettings(bm25_weight=1.5)


def test_save_load_round_trip_and_checksums(tmp_path: Path, retrieval_hybrid, retrieval_corpus):
    directory = tmp_path / "retriever"
    retrieval_hybrid.save(directory)
    retrieval_hybrid.save(directory)  # replacing an existing save works
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert {
        "manifest.json",
        "retriever.json",
        "chunks.jsonl",
        "dense/dense.faiss",
        "bm25/bm25_weights.npz",
        "embedder/lsa.npz",
    } <= names
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    assert [p.name for p in tmp_path.iterdir()] == ["retriever"]  # no staging directory left behind
    manifest = json.loads((directory / "manifest.json").read_text())
    assert set(manifest["files"]) == names - {"manifest.json"}
    loaded = HybridRetriever.load(directory)
    for question in retrieval_corpus.questions[:5]:
        expected = retrieval_hybrid.search(question, k=5)
        assert loaded.search(question, k=5) == expected


def test_tampered_saved_retriever_refused(tmp_path: Path, retrieval_hybrid):
    directory = tmp_path / "retriever"
    retrieval_hybrid.save(directory)
    chunks = directory / "chunks.jsonl"
    chunks.write_text(chunks.read_text(encoding="utf-8").replace("서울", "부산", 1), encoding="utf-8")
    with pytest.raises(IndexIntegrityError, match="chunks.jsonl"):
        HybridRetriever.load(directory)


def test_load_missing_directory(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no saved retriever"):
        HybridRetriever.load(tmp_path / "nothing")
