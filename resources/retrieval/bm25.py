"""Okapi BM25 over pre-tokenized documents (Kiwi morphemes), scored with a sparse term-weight matrix.

The scoring is exactly `rank_bm25.BM25Okapi`'s variant, so its rankings are the reference:
idf = ln(N - df + 0.5) - ln(df + 0.5), and terms whose idf is negative get
`epsilon * mean(idf)` instead; a query term repeated n times counts n times.
Every document-term weight idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) is computed
once at build time (float64, same operation order as rank_bm25), so a query is the sum of a few
sparse columns, summed in query order like rank_bm25 (bit-identical scores, so identical top-k even
on near-ties); `search_batch` ranks each query exactly as `search`. Ties are broken by document
position (lower first), so results are deterministic.
Saved as `.npz` arrays plus JSON (never pickle), each file written atomically.
"""

from __future__ import annotations

import functools
import json
import math
import operator
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from resources.atomic import atomic_path, atomic_write_json

FORMAT_VERSION = 1
MATRIX_FILE = "bm25_weights.npz"
VOCABULARY_FILE = "bm25_vocabulary.json"
PARAMS_FILE = "bm25_params.json"


def _encode_corpus(corpus_tokens: Sequence[Sequence[str]]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Vocabulary (term -> column, in order of first appearance, as rank_bm25 counts them),
    the flat array of every token's column, and each document's length."""
    vocabulary: dict[str, int] = {}
    assign = vocabulary.setdefault
    columns: list[int] = []
    for tokens in corpus_tokens:
        columns.extend([assign(term, len(vocabulary)) for term in tokens])
    lengths = np.fromiter((len(tokens) for tokens in corpus_tokens), dtype=np.int64, count=len(corpus_tokens))
    return vocabulary, np.asarray(columns, dtype=np.int64), lengths


def _term_frequencies(columns: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, tf) of every distinct document-term pair, sorted by column then row (CSC order)."""
    n_docs = max(len(lengths), 1)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, counts = np.unique(columns * n_docs + rows, return_counts=True)
    return keys % n_docs, keys // n_docs, counts.astype(np.float64)


def okapi_idf(document_frequency: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """rank_bm25's BM25Okapi idf: ln(N - df + 0.5) - ln(df + 0.5), negatives replaced by epsilon * mean idf.

    Bit-identical to rank_bm25: `math.log` (numpy's vectorised log may differ in the last bit),
    evaluated once per distinct df, and the mean accumulated left to right in vocabulary order.
    """
    document_frequency = np.asarray(document_frequency, dtype=np.int64)
    if document_frequency.size == 0:
        return np.empty(0, dtype=np.float64)
    distinct, inverse = np.unique(document_frequency, return_inverse=True)
    table = [math.log(n_docs - int(df) + 0.5) - math.log(int(df) + 0.5) for df in distinct]
    idf = np.asarray(table, dtype=np.float64)[inverse]
    floor = epsilon * (functools.reduce(operator.add, idf.tolist(), 0.0) / idf.size)
    return np.where(idf < 0, floor, idf)


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
        vocabulary, columns, doc_lengths = _encode_corpus(corpus_tokens)
        rows, cols, tf = _term_frequencies(columns, doc_lengths)
        avgdl = float(doc_lengths.sum()) / n_docs if n_docs else 0.0
        document_frequency = np.bincount(cols, minlength=len(vocabulary))
        idf = okapi_idf(document_frequency, n_docs, epsilon)
        length_norm = k1 * (1 - b + b * doc_lengths[rows] / avgdl) if avgdl > 0 else np.full(rows.shape, k1)
        values = idf[cols] * (tf * (k1 + 1) / (tf + length_norm))
        indptr = np.concatenate(([0], np.cumsum(document_frequency))).astype(np.int64)
        weights = sparse.csc_matrix((values, rows, indptr), shape=(n_docs, len(vocabulary)))
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

    def search_batch(self, queries_tokens: list[list[str]], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k for many queries: arrays of shape (queries, min(k, documents)), best first.

        Each row is exactly `search` of that query (same float summation order, so the same ties);
        a sparse matrix product would sum in another order and could flip near-ties by one ulp.
        """
        k = min(k, len(self))
        positions = np.empty((len(queries_tokens), k), dtype=np.int64)
        scores = np.empty((len(queries_tokens), k), dtype=np.float64)
        for row, tokens in enumerate(queries_tokens):
            positions[row], scores[row] = _top_k(self.scores(tokens), k)
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
