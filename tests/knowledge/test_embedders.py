"""Embedders: LSA fit/encode/save/load (no pickle), spec parsing, and a sentence-transformers model built offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from resources.errors import InputDataError
from resources.retrieval.embedders import (
    Embedder,
    LsaEmbedder,
    SentenceTransformerEmbedder,
    embedder_from_spec,
    load_embedder,
    truncated_svd,
)


def test_lsa_fit_encode_unit_rows_and_relevance(retrieval_corpus, retrieval_corpus_tokens, retrieval_tokenizer):
    lsa = LsaEmbedder(dim=64)
    corpus_vectors = lsa.fit_encode(retrieval_corpus.texts, retrieval_corpus_tokens)
    assert isinstance(lsa, Embedder)
    assert corpus_vectors.shape == (len(retrieval_corpus.texts), 64) and corpus_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(corpus_vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(lsa.encode(retrieval_corpus.texts, retrieval_corpus_tokens), corpus_vectors, atol=1e-5)
    query_tokens = retrieval_tokenizer.morphemes_batch(retrieval_corpus.questions)
    queries = lsa.encode(retrieval_corpus.questions, query_tokens)
    single = lsa.encode(retrieval_corpus.questions[:1], query_tokens[:1])  # the one-query fast path
    np.testing.assert_allclose(single[0], queries[0], atol=1e-5)
    top10 = np.argsort(-(queries @ corpus_vectors.T), axis=1)[:, :10]
    found = [retrieval_corpus.ids.index(a) in row for a, row in zip(retrieval_corpus.answers, top10)]
    assert np.mean(found) >= 0.3


def test_lsa_tokenizes_itself_when_no_tokens_given(retrieval_tokenizer):
    lsa = LsaEmbedder(dim=8, tokenizer=retrieval_tokenizer)
    lsa.fit(["서울의 인구는 많다.", "부산은 항구 도시이다.", "서울은 수도이다."])
    vectors = lsa.encode(["서울 인구", "전혀 모르는 단어"])
    assert lsa.dim <= 3  # capped by the number of documents
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, rel=1e-5)
    assert not np.any(vectors[1])  # no known term: zero vector


def test_lsa_save_load_round_trip_without_pickle(tmp_path: Path, retrieval_corpus, retrieval_corpus_tokens):
    lsa = LsaEmbedder(dim=32, bigrams=True)
    lsa.fit(retrieval_corpus.texts, retrieval_corpus_tokens)
    lsa.save(tmp_path / "embedder")
    assert sorted(p.suffix for p in (tmp_path / "embedder").iterdir()) == [".json", ".json", ".npz"]
    loaded = load_embedder(tmp_path / "embedder")
    assert isinstance(loaded, LsaEmbedder) and loaded.dim == 32 and loaded.bigrams
    np.testing.assert_allclose(
        loaded.encode(retrieval_corpus.texts[:5], retrieval_corpus_tokens[:5]),
        lsa.encode(retrieval_corpus.texts[:5], retrieval_corpus_tokens[:5]),
        atol=1e-6,
    )


def test_truncated_svd_matches_numpy():
    from scipy import sparse

    matrix = sparse.random(40, 60, density=0.2, random_state=0, format="csr")
    right, values = truncated_svd(matrix, 5)
    expected = np.linalg.svd(matrix.toarray(), compute_uv=False)[:5]
    np.testing.assert_allclose(values, expected, rtol=1e-8)
    np.testing.assert_allclose(np.abs(right.T @ right), np.eye(5), atol=1e-8)


def test_randomized_svd_for_large_corpora(monkeypatch):
    from scipy import sparse

    from resources.retrieval import embedders

    monkeypatch.setattr(embedders, "EXACT_SVD_MAX_DOCS", 10)
    matrix = sparse.random(80, 50, density=0.3, random_state=1, format="csr")
    right, values = truncated_svd(matrix, 4)
    expected = np.linalg.svd(matrix.toarray(), compute_uv=False)[:4]
    np.testing.assert_allclose(values, expected, rtol=1e-3)
    assert right.shape == (50, 4)


def test_embedder_from_spec():
    assert isinstance(embedder_from_spec("lsa"), LsaEmbedder) and embedder_from_spec("lsa").requested_dim == 256
    assert embedder_from_spec("lsa:384").requested_dim == 384
    for bad in ("lsa:0", "lsa:x", "bert", "st:", ""):
        with pytest.raises(InputDataError, match="embedder spec"):
            embedder_from_spec(bad)


def test_sentence_transformer_missing_path_is_clear(tmp_path: Path):
    with pytest.raises(InputDataError, match="never downloaded"):
        embedder_from_spec(f"st:{tmp_path / 'no-such-model'}")


def build_tiny_sentence_transformer(directory: Path, texts: list[str]) -> Path:
    """A 2-layer BERT with a WordPiece vocabulary trained on `texts`, mean pooling, saved by sentence-transformers."""
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, trainers
    from tokenizers import models as token_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    wordpiece = Tokenizer(token_models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.NFC()
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    config = BertConfig(
        vocab_size=wordpiece.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    hf_dir = directory / "hf"
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = models.Transformer(str(hf_dir), max_seq_length=64)
    dimension = getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    pooling = models.Pooling(dimension(), pooling_mode="mean")
    model_dir = directory / "st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(model_dir))
    return model_dir


def test_sentence_transformer_embedder_from_local_tiny_model(tmp_path: Path, monkeypatch, retrieval_corpus):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_dir = build_tiny_sentence_transformer(tmp_path, retrieval_corpus.texts)
    embedder = embedder_from_spec(f"st:{model_dir}")
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.dim == 32
    embedder.fit(retrieval_corpus.texts[:3])  # pretrained: no-op
    vectors = embedder.encode(retrieval_corpus.texts[:4])
    assert vectors.shape == (4, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    embedder.save(tmp_path / "saved")
    reloaded = load_embedder(tmp_path / "saved")
    np.testing.assert_allclose(reloaded.encode(retrieval_corpus.texts[:4]), vectors, atol=1e-5)
    assert embedder.encode([]).shape == (0, 32)
