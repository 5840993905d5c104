"""Dense text embedders for the FAISS index: an offline LSA default and any local sentence-transformers model.

`LsaEmbedder` needs no download: TF-IDF over Kiwi morphemes (sublinear tf, optional adjacent-term
bigrams) projected by a truncated SVD fitted on the corpus, rows L2-normalised. It takes the tokens
the caller already has (the ones BM25 indexed), so the corpus is analysed by Kiwi only once.
`SentenceTransformerEmbedder` loads a model from a local directory only (never the network).
`embedder_from_spec` turns "lsa", "lsa:384" or "st:/path/to/model" into an embedder; `load_embedder`
reads any saved one back. Nothing is pickled: arrays go to `.npz`, the rest to JSON.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from scipy import linalg, sparse

from resources.atomic import atomic_path, atomic_write_json
from resources.errors import InputDataError
from resources.korean import KoreanTokenizer, morpheme_bigrams

CONFIG_FILE = "embedder.json"
LSA_ARRAYS_FILE = "lsa.npz"
LSA_VOCABULARY_FILE = "lsa_vocabulary.json"
DEFAULT_LSA_DIM = 256
# Below this many documents the SVD is solved exactly from the (documents x documents) Gram matrix.
EXACT_SVD_MAX_DOCS = 6000


@runtime_checkable
class Embedder(Protocol):
    """What the dense index needs from an embedder: fit on the corpus, encode texts to unit vectors."""

    name: str
    dim: int

    def fit(self, texts: list[str], tokens: list[list[str]] | None = None) -> None:
        """Learn from the corpus (a no-op for pretrained models)."""
        ...

    def encode(self, texts: list[str], tokens: list[list[str]] | None = None) -> np.ndarray:
        """(len(texts), dim) float32 rows, L2-normalised."""
        ...

    def save(self, directory: Path) -> None:
        """Write what `load` needs into `directory`."""
        ...

    @classmethod
    def load(cls, directory: Path) -> Embedder:
        """Read an embedder written by `save`."""
        ...


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, np.float32(1e-12))


def _randomized_svd(matrix: sparse.csr_matrix, dim: int, seed: int, n_iter: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Halko et al. randomized SVD: (right singular vectors as columns (terms x dim), singular values)."""
    rng = np.random.default_rng(seed)
    basis = matrix @ rng.standard_normal((matrix.shape[1], dim + 10))
    for _ in range(n_iter):
        basis, _ = np.linalg.qr(matrix @ (matrix.T @ np.linalg.qr(basis)[0]))
    basis, _ = np.linalg.qr(basis)
    _, values, vt = np.linalg.svd(np.asarray(matrix.T @ basis).T, full_matrices=False)
    return vt[:dim].T, values[:dim]


def _exact_svd(matrix: sparse.csr_matrix, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-`dim` SVD via the eigenvectors of X X^T (fast when documents are few)."""
    gram = (matrix @ matrix.T).toarray()
    n = gram.shape[0]
    eigenvalues, left = linalg.eigh(gram, subset_by_index=[n - dim, n - 1])
    order = np.argsort(-eigenvalues, kind="stable")
    values = np.sqrt(np.clip(eigenvalues[order], 0.0, None))
    keep = values > 1e-9 * max(values[0], 1e-30) if values.size else values.astype(bool)
    left, values = left[:, order][:, keep], values[keep]
    right = np.asarray(matrix.T @ left) / values
    return right, values


def truncated_svd(matrix: sparse.csr_matrix, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Right singular vectors (terms x d) and singular values of the top d <= dim components.

    BLAS runs single-threaded here: on a small, busy machine multi-threaded OpenBLAS can stall for
    seconds waiting for a core, while one thread does this size of problem in a fraction of a second.
    """
    from threadpoolctl import threadpool_limits

    dim = max(1, min(dim, *matrix.shape))
    with threadpool_limits(limits=1, user_api="blas"):
        if matrix.shape[0] <= EXACT_SVD_MAX_DOCS:
            return _exact_svd(matrix, dim)
        return _randomized_svd(matrix, dim, seed)


class LsaEmbedder:
    """TF-IDF over morphemes -> truncated SVD -> L2 normalise; fitted on the corpus, saved as npz + JSON."""

    name = "lsa"

    def __init__(
        self,
        dim: int = DEFAULT_LSA_DIM,
        sublinear_tf: bool = True,
        bigrams: bool = False,
        seed: int = 0,
        tokenizer: KoreanTokenizer | None = None,
    ) -> None:
        self.requested_dim = dim
        self.dim = dim
        self.sublinear_tf = sublinear_tf
        self.bigrams = bigrams
        self.seed = seed
        self.tokenizer = tokenizer
        self.vocabulary: dict[str, int] = {}
        self.idf = np.empty(0, dtype=np.float64)
        self.projection = np.empty((0, dim), dtype=np.float32)

    def _tokens(self, texts: list[str], tokens: list[list[str]] | None) -> list[list[str]]:
        """The given tokens, or Kiwi morphemes of `texts` when none were given."""
        if tokens is not None:
            if len(tokens) != len(texts):
                raise ValueError(f"{len(texts)} texts but {len(tokens)} token lists")
            return tokens
        if self.tokenizer is None:
            self.tokenizer = KoreanTokenizer()
        return self.tokenizer.morphemes_batch(texts)

    def _terms(self, tokens: Sequence[str]) -> list[str]:
        return [*tokens, *morpheme_bigrams(tokens)] if self.bigrams else list(tokens)

    def _tf_matrix(self, token_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """(texts x vocabulary) tf (sublinear if set) x idf, rows L2-normalised; unknown terms dropped."""
        indptr, indices, values = [0], [], []
        get = self.vocabulary.get
        for tokens in token_lists:
            counts = Counter(column for term in self._terms(tokens) if (column := get(term)) is not None)
            indices.extend(counts)
            values.extend(1.0 + math.log(c) if self.sublinear_tf else float(c) for c in counts.values())
            indptr.append(len(indices))
        columns = np.asarray(indices, dtype=np.int64)
        data = np.asarray(values, dtype=np.float64) * self.idf[columns]
        matrix = sparse.csr_matrix((data, columns, indptr), shape=(len(token_lists), len(self.vocabulary)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix

    def _fit_vocabulary(self, token_lists: Sequence[Sequence[str]]) -> None:
        """Vocabulary (first-appearance order) and smoothed idf = ln((1 + n) / (1 + df)) + 1."""
        document_frequency: Counter[str] = Counter()
        for tokens in token_lists:
            document_frequency.update(set(self._terms(tokens)))
        self.vocabulary = {term: column for column, term in enumerate(document_frequency)}
        df = np.fromiter(document_frequency.values(), dtype=np.float64, count=len(document_frequency))
        self.idf = np.log((1.0 + len(token_lists)) / (1.0 + df)) + 1.0

    def fit(self, texts: list[str], tokens: list[list[str]] | None = None) -> None:
        """Fit vocabulary, idf and the SVD projection on the corpus (pass BM25's tokens to skip Kiwi)."""
        self.fit_encode(texts, tokens)

    def fit_encode(self, texts: list[str], tokens: list[list[str]] | None = None) -> np.ndarray:
        """`fit`, returning the corpus vectors too (= `encode` of the corpus, without a second pass)."""
        token_lists = self._tokens(texts, tokens)
        self._fit_vocabulary(token_lists)
        if not self.vocabulary:
            raise InputDataError("LSA embedder: the corpus has no index terms to fit on")
        matrix = self._tf_matrix(token_lists)
        right, _ = truncated_svd(matrix, self.requested_dim, self.seed)
        self.projection = np.ascontiguousarray(right, dtype=np.float32)
        self.dim = int(self.projection.shape[1])
        return l2_normalise(matrix.astype(np.float32) @ self.projection)

    def encode(self, texts: list[str], tokens: list[list[str]] | None = None) -> np.ndarray:
        """Unit vectors (float32) of the texts; a text with no known term maps to the zero vector."""
        if not self.vocabulary:
            raise RuntimeError("LsaEmbedder.encode called before fit (or load)")
        token_lists = self._tokens(texts, tokens)
        if len(token_lists) == 1:
            return self._encode_one(token_lists[0])[None, :]
        matrix = self._tf_matrix(token_lists)
        return l2_normalise(matrix.astype(np.float32) @ self.projection)

    def _encode_one(self, tokens: Sequence[str]) -> np.ndarray:
        """Fast path for one query: weighted sum of a few projection rows, no sparse matrix built."""
        get = self.vocabulary.get
        counts = Counter(column for term in self._terms(tokens) if (column := get(term)) is not None)
        if not counts:
            return np.zeros(self.dim, dtype=np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = ((1.0 + np.log(tf)) if self.sublinear_tf else tf) * self.idf[columns]
        vector = weights.astype(np.float32) @ self.projection[columns]
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def save(self, directory: Path) -> None:
        """embedder.json (settings), lsa.npz (idf, projection), lsa_vocabulary.json; each atomic."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_path(directory / LSA_ARRAYS_FILE) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, idf=self.idf, projection=self.projection)
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        atomic_write_json(directory / LSA_VOCABULARY_FILE, terms)
        atomic_write_json(directory / CONFIG_FILE, self.config())

    def config(self) -> dict[str, Any]:
        """The settings saved in embedder.json."""
        return {
            "kind": "lsa",
            "dim": self.dim,
            "requested_dim": self.requested_dim,
            "sublinear_tf": self.sublinear_tf,
            "bigrams": self.bigrams,
            "seed": self.seed,
        }

    @classmethod
    def load(cls, directory: Path) -> LsaEmbedder:
        """Read an LSA embedder written by `save` (arrays loaded with allow_pickle=False)."""
        directory = Path(directory)
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        embedder = cls(config["requested_dim"], config["sublinear_tf"], config["bigrams"], config["seed"])
        terms = json.loads((directory / LSA_VOCABULARY_FILE).read_text(encoding="utf-8"))
        embedder.vocabulary = {term: column for column, term in enumerate(terms)}
        with np.load(directory / LSA_ARRAYS_FILE, allow_pickle=False) as arrays:
            embedder.idf = arrays["idf"]
            embedder.projection = arrays["projection"]
        embedder.dim = int(embedder.projection.shape[1])
        return embedder


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory; never downloads. Torch loads lazily."""

    name = "st"

    def __init__(self, model_path: str | Path, device: str | None = None, batch_size: int = 32) -> None:
        self.model_path = Path(model_path).expanduser()
        if not self.model_path.is_dir():
            raise InputDataError(
                f"sentence-transformers model directory not found: {self.model_path} "
                "(models are never downloaded: pass the path of a model saved on this machine)"
            )
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        model = self._load_model()
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def _load_model(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_path), device=self.device, local_files_only=True)
        return self._model

    def fit(self, texts: list[str], tokens: list[list[str]] | None = None) -> None:
        """Pretrained: nothing to learn from the corpus."""

    def encode(self, texts: list[str], tokens: list[list[str]] | None = None) -> np.ndarray:
        """Unit vectors (float32) from the model; `tokens` are ignored (the model has its own tokenizer)."""
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._load_model().encode(
            list(texts), batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        return l2_normalise(vectors)

    def save(self, directory: Path) -> None:
        """embedder.json pointing at the model directory (the model itself is not copied)."""
        config = {"kind": "st", "model_path": str(self.model_path.resolve()), "dim": self.dim}
        atomic_write_json(Path(directory) / CONFIG_FILE, config)

    @classmethod
    def load(cls, directory: Path) -> SentenceTransformerEmbedder:
        """Reopen the model named in embedder.json."""
        config = json.loads((Path(directory) / CONFIG_FILE).read_text(encoding="utf-8"))
        return cls(config["model_path"])


def embedder_from_spec(spec: str, tokenizer: KoreanTokenizer | None = None) -> Embedder:
    """ "lsa" | "lsa:DIM" | "st:/path/to/model" -> a new embedder; anything else -> InputDataError."""
    kind, _, argument = spec.partition(":")
    if kind == "lsa" and not argument:
        return LsaEmbedder(tokenizer=tokenizer)
    if kind == "lsa" and argument.isdigit() and int(argument) > 0:
        return LsaEmbedder(dim=int(argument), tokenizer=tokenizer)
    if kind == "st" and argument:
        return SentenceTransformerEmbedder(argument)
    raise InputDataError(
        f"bad embedder spec {spec!r}: expected 'lsa', 'lsa:DIM' (DIM a positive integer) or 'st:/path/to/model'"
    )


def load_embedder(directory: Path) -> Embedder:
    """Read back any embedder saved by `save`, dispatching on embedder.json's "kind"."""
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"embedder settings not found: {path}")
    kind = json.loads(path.read_text(encoding="utf-8")).get("kind")
    classes: dict[str, type[LsaEmbedder] | type[SentenceTransformerEmbedder]] = {
        "lsa": LsaEmbedder,
        "st": SentenceTransformerEmbedder,
    }
    if kind not in classes:
        raise InputDataError(f"{path}: unknown embedder kind {kind!r}")
    return classes[kind].load(directory)
