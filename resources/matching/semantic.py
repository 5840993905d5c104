"""Semantic stage: item names embedded once, queries compared by cosine similarity.

Two embedders share one interface (`encode(texts) -> rows`, `search(query, k)`):

* `NgramEmbedder` (offline default, no download): sparse TF-IDF vectors over character n-grams of
  the jamo-decomposed, spacing-free text (so "말로보" stays close to "말보로" and spacing does not
  matter) plus n-grams of the cross-script consonant skeleton (`phonetic.skeleton`), so Hangul input
  reaches English names and the reverse. Search scores only the query's rarest n-grams first, then
  re-scores the best candidates exactly: fast on 100,000 items.
* `SentenceTransformerEmbedder`: any sentence-transformers model from a local directory (dense,
  normalised rows, exact dot products).

Each item has several rows (Korean name, English name, alias phrases); an item scores its best row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from resources.matching.normalize import compact, normalize, to_jamo
from resources.matching.phonetic import skeleton

JAMO_NGRAMS = (2, 3, 4)
SKELETON_NGRAMS = (3, 4)
SKELETON_WEIGHT = 0.6
PRUNED_FEATURES = 24
RESCORED_ROWS = 256


def text_features(text: str) -> Counter[str]:
    """Jamo/Latin character n-grams of the compact text and n-grams of its consonant skeleton."""
    words = normalize(text).split()
    stream = "^" + to_jamo(compact(" ".join(words))) + "$"
    features: Counter[str] = Counter()
    for n in JAMO_NGRAMS:
        features.update(stream[i : i + n] for i in range(max(len(stream) - n + 1, 0)))
    skeleton_stream = "<" + "".join(skeleton(w) for w in words) + ">"
    for n in SKELETON_NGRAMS:
        features.update("#" + skeleton_stream[i : i + n] for i in range(max(len(skeleton_stream) - n + 1, 0)))
    return features


class Embedder(Protocol):
    """What the matcher needs from an embedder."""

    kind: str

    def fit(self, texts: Sequence[str]) -> None: ...
    def encode(self, texts: Sequence[str]) -> Any: ...
    def save(self, directory: Path) -> list[str]: ...


class NgramEmbedder:
    """Sparse TF-IDF over `text_features`, rows L2-normalised; vocabulary and idf saved as JSON/NPY."""

    kind = "ngram"

    def __init__(self, vocabulary: dict[str, int] | None = None, idf: np.ndarray | None = None) -> None:
        self.vocabulary = vocabulary or {}
        self.idf = idf if idf is not None else np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> None:
        """Learn the vocabulary and smoothed idf from the item rows."""
        document_frequency: Counter[str] = Counter()
        for text in texts:
            document_frequency.update(text_features(text).keys())
        self.vocabulary = {feature: i for i, feature in enumerate(sorted(document_frequency))}
        df = np.array([document_frequency[f] for f in sorted(document_frequency)], dtype=np.float32)
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1.0).astype(np.float32)

    def _row(self, text: str) -> tuple[list[int], list[float]]:
        columns, values = [], []
        for feature, count in text_features(text).items():
            column = self.vocabulary.get(feature)
            if column is not None:
                scale = SKELETON_WEIGHT if feature.startswith("#") else 1.0
                columns.append(column)
                values.append(scale * (1.0 + np.log(count)) * float(self.idf[column]))
        norm = float(np.sqrt(np.sum(np.square(values)))) if values else 1.0
        return columns, [v / norm for v in values]

    def encode(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One L2-normalised sparse row per text (unknown n-grams ignored)."""
        indptr, indices, data = [0], [], []
        for text in texts:
            columns, values = self._row(text)
            indices.extend(columns)
            data.extend(values)
            indptr.append(len(indices))
        shape = (len(texts), len(self.vocabulary))
        return sparse.csr_matrix((np.array(data, np.float32), np.array(indices, np.int32), indptr), shape=shape)

    def save(self, directory: Path) -> list[str]:
        from resources.atomic import atomic_path, atomic_write_json

        atomic_write_json(directory / "ngram_vocabulary.json", {"kind": self.kind, "features": sorted(self.vocabulary)})
        with atomic_path(directory / "ngram_idf.npy") as tmp, open(tmp, "wb") as handle:
            np.save(handle, self.idf)
        return ["ngram_vocabulary.json", "ngram_idf.npy"]

    @classmethod
    def load(cls, directory: Path) -> NgramEmbedder:
        features = json.loads((directory / "ngram_vocabulary.json").read_text(encoding="utf-8"))["features"]
        idf = np.load(directory / "ngram_idf.npy", allow_pickle=False)
        return cls({f: i for i, f in enumerate(features)}, idf)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model; rows are normalised dense vectors."""

    kind = "sentence_transformers"

    def __init__(self, model_path: str | Path, batch_size: int = 64) -> None:
        self.model_path = str(model_path)
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to fit: the model is pre-trained (fine-tuning is `learning.fine_tune`)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def save(self, directory: Path) -> list[str]:
        from resources.atomic import atomic_write_json

        atomic_write_json(directory / "st_model.json", {"kind": self.kind, "model_path": self.model_path})
        return ["st_model.json"]


class SemanticIndex:
    """Item rows embedded once; `search` returns (item positions, cosine scores), best first, one per item."""

    def __init__(self, embedder: NgramEmbedder | SentenceTransformerEmbedder, rows: Any, row_items: np.ndarray) -> None:
        self.embedder = embedder
        self.rows = rows
        self.row_items = np.asarray(row_items, dtype=np.int64)
        self.columns = rows.T.tocsr() if sparse.issparse(rows) else None

    @classmethod
    def build(
        cls, embedder: NgramEmbedder | SentenceTransformerEmbedder, texts: Sequence[str], row_items: Sequence[int]
    ) -> SemanticIndex:
        embedder.fit(texts)
        return cls(embedder, embedder.encode(texts), np.asarray(row_items))

    def _row_scores_sparse(self, query: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Candidate rows from the query's rarest features, then exact cosine on those rows."""
        order = np.argsort(-query.data)[:PRUNED_FEATURES]
        pruned = sparse.csr_matrix(
            (query.data[order], query.indices[order], [0, len(order)]), shape=query.shape, dtype=np.float32
        )
        partial = (pruned @ self.columns).tocoo()
        if partial.nnz == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        keep = partial.col[np.argsort(-partial.data)[:RESCORED_ROWS]]
        exact = np.asarray((self.rows[keep] @ query.T).todense()).ravel()
        return keep.astype(np.int64), exact

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k items for the query (each item once, by its best row)."""
        encoded = self.embedder.encode([query])
        if sparse.issparse(encoded):
            rows, scores = self._row_scores_sparse(encoded)
        else:
            scores = self.rows @ encoded[0]
            rows = np.argsort(-scores)[: max(k * 4, RESCORED_ROWS)]
            scores = scores[rows]
        items = self.row_items[rows]
        order = np.argsort(-scores, kind="stable")
        seen: dict[int, float] = {}
        for position in order:
            seen.setdefault(int(items[position]), float(scores[position]))
            if len(seen) >= k:
                break
        return np.fromiter(seen.keys(), np.int64, len(seen)), np.fromiter(seen.values(), np.float32, len(seen))
