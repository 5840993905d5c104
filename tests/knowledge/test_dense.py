"""DenseIndex: exact search, save/load round trip, tampered or missing files refused before loading."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from resources.retrieval.dense import DenseIndex, IndexIntegrityError
from resources.retrieval.embedders import l2_normalise


@pytest.fixture()
def retrieval_vectors() -> np.ndarray:
    return l2_normalise(np.random.default_rng(0).standard_normal((200, 16)))


def test_flat_search_is_exact_inner_product(retrieval_vectors):
    index = DenseIndex.build(retrieval_vectors)
    positions, scores = index.search(retrieval_vectors[:3], 5)
    expected = np.argsort(-(retrieval_vectors[:3] @ retrieval_vectors.T), axis=1)[:, :5]
    np.testing.assert_array_equal(positions, expected)
    np.testing.assert_allclose(scores[:, 0], 1.0, rtol=1e-5)
    single_positions, _ = index.search(retrieval_vectors[0], 5)
    assert single_positions.tolist() == expected[0].tolist()
    assert len(index) == 200 and index.dim == 16


def test_k_capped_at_index_size(retrieval_vectors):
    index = DenseIndex.build(retrieval_vectors[:3])
    positions, _ = index.search(retrieval_vectors[0], 10)
    assert sorted(positions.tolist()) == [0, 1, 2]


def test_hnsw_finds_the_vector_itself(retrieval_vectors):
    index = DenseIndex.build(retrieval_vectors, kind="hnsw")
    positions, _ = index.search(retrieval_vectors[:20], 1)
    assert (positions[:, 0] == np.arange(20)).mean() >= 0.95


def test_unknown_kind_rejected(retrieval_vectors):
    with pytest.raises(ValueError, match="kind"):
        DenseIndex.build(retrieval_vectors, kind="ivf")


def test_save_load_round_trip_with_manifest(tmp_path: Path, retrieval_vectors):
    index = DenseIndex.build(retrieval_vectors, kind="hnsw")
    index.save(tmp_path / "dense")
    manifest = json.loads((tmp_path / "dense" / "manifest.json").read_text())
    assert manifest["kind"] == "hnsw" and manifest["count"] == 200 and set(manifest["files"]) == {"dense.faiss"}
    loaded = DenseIndex.load(tmp_path / "dense")
    assert loaded.kind == "hnsw"
    for a, b in zip(index.search(retrieval_vectors[:5], 3), loaded.search(retrieval_vectors[:5], 3)):
        np.testing.assert_array_equal(a, b)


def test_tampered_index_file_refused(tmp_path: Path, retrieval_vectors):
    DenseIndex.build(retrieval_vectors).save(tmp_path / "dense")
    path = tmp_path / "dense" / "dense.faiss"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexIntegrityError, match="dense.faiss"):
        DenseIndex.load(tmp_path / "dense")


def test_missing_index_file_and_manifest_refused(tmp_path: Path, retrieval_vectors):
    DenseIndex.build(retrieval_vectors).save(tmp_path / "dense")
    (tmp_path / "dense" / "dense.faiss").unlink()
    with pytest.raises(IndexIntegrityError, match="dense.faiss.*missing"):
        DenseIndex.load(tmp_path / "dense")
    (tmp_path / "dense" / "manifest.json").unlink()
    with pytest.raises(IndexIntegrityError, match="manifest"):
        DenseIndex.load(tmp_path / "dense")
