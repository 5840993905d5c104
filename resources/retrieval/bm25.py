"""Okapi BM25 over pre-tokenized documents (Kiwi morphemes), scored with a sparse term-weight matrix.

The scoring is exactly `rank_bm25.BM25Okapi`'s variant, so its rankings are the reference:
idf = ln(N - df + 0.5) - ln(df + 0.5), and terms whose idf is negative get
`epsilon * mean(idf)` instead; a query term repeated n times counts n times.
Every document-term weight idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) is computed
once at build time (float64, same operation order as rank_bm25), so a query is the sum of a few
sparse columns. Ties are broken by document position (lower first), so results are deterministic.
Saved as `.npz` arrays plus JSON (never pickle), each file written atomically.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from resources.atomic import atomic_path, atomic_write_json

FORMAT_VERSION = 1
MATRIX_FILE = "bm25_weights.npz"
VOCABULARY_FILE = "bm25_vocabulary.json"
PARAMS_FILE = "bm25_params.json"
# Queries scored together by search_batch: bounds the dense (queries x documents) score block.
BATCH_BLOCK = 512


def _vocabulary(corpus_tokens: Sequence[Sequence[str]]) -> dict[str, int]:
    """Term -> column, in order of first appearance (deterministic)."""
    vocabulary: dict[str, int] = {}
    for tokens in corpus_tokens:
        for term in tokens:
            if term not in vocabulary:
                vocabulary[term] = len(vocabulary)
    return vocabulary


def _term_frequencies(
    corpus_tokens: Sequence[Sequence[str]], vocabulary: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO triplets (document row, term column, term frequency) of the corpus."""
    rows: list[int] = []
    cols: list[int] = []
    counts: list[int] = []
    for row, tokens in enumerate(corpus_tokens):
        frequencies = Counter(tokens)
        rows.extend([row] * len(frequencies))
        cols.extend(vocabulary[term] for term in frequencies)
        counts.extend(frequencies.values())
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(counts, dtype=np.float64)


def okapi_idf(document_frequency: Sequence[int], n_docs: int, epsilon: float) -> np.ndarray:
    """rank_bm25's BM25Okapi idf: ln(N - df + 0.5) - ln(df + 0.5), negatives replaced by epsilon * mean idf.

    Computed with `math.log` and a left-to-right Python sum in vocabulary order, exactly as rank_bm25
    does, so the floats are bit-identical (numpy's vectorised log may differ in the last bit).
    """
    idf = [math.log(n_docs - df + 0.5) - math.log(df + 0.5) for df in document_frequency]
    if not idf:
        return np.empty(0, dtype=np.float64)
    floor = epsilon * (sum(idf) / len(idf))
    return np.asarray([value if value >= 0 else floor for value in idf], dtype=np.float64)


def _top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and scores of the k best, best first, ties by lower position (exact even at the cut)."""
    n = scores.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if k < n:
        threshold = scores[np.argpartition(-scores, k - 1)[k - 1]]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(n)
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    positions = candidates[order].astype(np.int64, copy=False)
    return positions, scores[positions]


class BM25Index:
    """BM25 index: a (documents x terms) CSC matrix of precomputed term weights and the vocabulary."""

    def __init__(
        self,
        weights: sparse.csc_matrix,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        k1: float,
        b: float,
        epsilon: float,
        avgdl: float,
    ) -> None:
        self.weights = weights
        self.vocabulary = vocabulary
        self.idf = idf
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        self.avgdl = avgdl
        # Column pointers as plain arrays: a query reads them directly, without scipy indexing overhead.
        self._indptr = weights.indptr
        self._rows = weights.indices
        self._data = weights.data

    @classmethod
    def build(
        cls, corpus_tokens: list[list[str]], k1: float = 1.2, b: float = 0.75, epsilon: float = 0.25
    ) -> BM25Index:
        """Index `corpus_tokens` (one token list per document; positions are list indices)."""
        n_docs = len(corpus_tokens)
        vocabulary = _vocabulary(corpus_tokens)
        rows, cols, tf = _term_frequencies(corpus_tokens, vocabulary)
        doc_lengths = np.asarray([len(tokens) for tokens in corpus_tokens], dtype=np.int64)
        avgdl = float(doc_lengths.sum()) / n_docs if n_docs else 0.0
        document_frequency = np.bincount(cols, minlength=len(vocabulary)).tolist()
        idf = okapi_idf(document_frequency, n_docs, epsilon)
        length_norm = k1 * (1 - b + b * doc_lengths[rows] / avgdl) if avgdl > 0 else np.full(rows.shape, k1)
        values = idf[cols] * (tf * (k1 + 1) / (tf + length_norm))
        weights = sparse.csc_matrix((values, (rows, cols)), shape=(n_docs, len(vocabulary)), dtype=np.float64)
        weights.sort_indices()
        return cls(weights, vocabulary, idf, k1, b, epsilon, avgdl)

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for one query (float64, zeros where no term matches)."""
        scores = np.zeros(len(self), dtype=np.float64)
        get = self.vocabulary.get
        indptr, rows, data = self._indptr, self._rows, self._data
        for term in query_tokens:
            column = get(term)
            if column is not None:
                start, end = indptr[column], indptr[column + 1]
                scores[rows[start:end]] += data[start:end]
        return scores

    def search(self, query_tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k document positions (int64) and scores (float64) for one query, best first."""
        return _top_k(self.scores(query_tokens), k)

    def _query_matrix(self, queries_tokens: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """(queries x terms) term counts; unknown terms dropped."""
        rows: list[int] = []
        cols: list[int] = []
        get = self.vocabulary.get
        for row, tokens in enumerate(queries_tokens):
            for term in tokens:
                column = get(term)
                if column is not None:
                    rows.append(row)
                    cols.append(column)
        counts = np.ones(len(rows), dtype=np.float64)
        shape = (len(queries_tokens), len(self.vocabulary))
        return sparse.csr_matrix((counts, (rows, cols)), shape=shape)  # duplicates summed

    def search_batch(self, queries_tokens: list[list[str]], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k for many queries at once: arrays of shape (queries, min(k, documents)), best first."""
        k = min(k, len(self))
        positions = np.empty((len(queries_tokens), k), dtype=np.int64)
        scores = np.empty((len(queries_tokens), k), dtype=np.float64)
        transposed = self.weights.T.tocsc()
        for start in range(0, len(queries_tokens), BATCH_BLOCK):
            block = self._query_matrix(queries_tokens[start : start + BATCH_BLOCK])
            dense = (block @ transposed).toarray()
            for offset, row in enumerate(dense):
                positions[start + offset], scores[start + offset] = _top_k(row, k)
        return positions, scores

    def save(self, directory: Path) -> None:
        """Write the weights (.npz), vocabulary and parameters (.json) into `directory`, atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_path(directory / MATRIX_FILE) as tmp, open(tmp, "wb") as handle:
            np.savez(
                handle,
                data=self.weights.data,
                indices=self.weights.indices,
                indptr=self.weights.indptr,
                shape=np.asarray(self.weights.shape, dtype=np.int64),
                idf=self.idf,
            )
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        atomic_write_json(directory / VOCABULARY_FILE, terms)
        params = {"format_version": FORMAT_VERSION, "k1": self.k1, "b": self.b, "epsilon": self.epsilon}
        atomic_write_json(directory / PARAMS_FILE, {**params, "avgdl": self.avgdl, "documents": len(self)})

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        """Read an index written by `save` (arrays loaded with allow_pickle=False)."""
        directory = Path(directory)
        params = json.loads((directory / PARAMS_FILE).read_text(encoding="utf-8"))
        terms = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        with np.load(directory / MATRIX_FILE, allow_pickle=False) as arrays:
            shape = tuple(int(x) for x in arrays["shape"])
            weights = sparse.csc_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
            idf = arrays["idf"]
        vocabulary = {term: column for column, term in enumerate(terms)}
        return cls(weights, vocabulary, idf, params["k1"], params["b"], params["epsilon"], params["avgdl"])
