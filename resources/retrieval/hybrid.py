"""Hybrid retriever: BM25 over Kiwi-derived terms plus a dense embedder in FAISS, fused per query.

One Kiwi pass per text: its morphemes feed the LSA embedder, and the same morphemes expanded with
morpheme bigrams and character bigrams (`TermExpansion`) are the BM25 terms. A query is likewise
tokenized once and shared by both retrievers. Fusion modes: "bm25" or "dense" alone, "independent"
(the original top-k_each from each, deduplicated), "rrf" and "weighted" (normalised-score sum).
Saved as a directory (bm25/, dense/, embedder/, chunks.jsonl, retriever.json) with a manifest of
sha256 checksums verified before anything is loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from resources.atomic import atomic_write_json, atomic_write_jsonl
from resources.errors import InputDataError
from resources.korean import KoreanTokenizer, TermExpansion
from resources.retrieval.bm25 import BM25Index
from resources.retrieval.dense import MANIFEST_FILE, DenseIndex, IndexIntegrityError, verify_manifest, write_manifest
from resources.retrieval.embedders import Embedder, embedder_from_spec, load_embedder
from resources.retrieval.fusion import (
    NORMALIZATIONS,
    Fused,
    independent_union,
    reciprocal_rank_fusion,
    weighted_score_fusion,
)

FUSION_MODES = ("bm25", "dense", "independent", "rrf", "weighted")
# Chosen on KorQuAD 1.0 dev, tuning on the even-indexed questions with the odd half held out
# (benchmarks/retrieval_korquad.py): BM25 k1/b from a grid (flat plateau around k1 0.3-0.6, b 0.5-0.75);
# weighted fusion is the only mode not below BM25 at k=1..5 (RRF loses 7 points of recall@1, the
# independent union loses at k=3..10); BM25-dominant weight and "max" normalisation were the best
# even-half setting that is not below BM25 at any k. With a strong embedder (st:...) re-tune the weight.
DEFAULT_FUSION = "weighted"
DEFAULT_BM25_K1 = 0.5
DEFAULT_BM25_B = 0.5
DEFAULT_BM25_WEIGHT = 0.93
DEFAULT_NORMALIZATION = "max"
RETRIEVERS = ("bm25", "dense")
CONFIG_FILE = "retriever.json"
CHUNKS_FILE = "chunks.jsonl"
FORMAT_VERSION = 1

Candidates = dict[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class RetrievalHit:
    """One retrieved chunk with its fused score and rank, and each retriever's rank/score (None: not a candidate)."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    rank: int
    ranks: dict[str, int | None]
    scores: dict[str, float | None]


@dataclass(frozen=True)
class FusionSettings:
    """Fusion hyperparameters: BM25's weight (dense gets the rest), normalisation, RRF constant, candidate depth."""

    bm25_weight: float = DEFAULT_BM25_WEIGHT
    normalization: str = DEFAULT_NORMALIZATION
    rrf_k: float = 60.0
    candidate_depth: int = 100

    def __post_init__(self) -> None:
        if not 0.0 <= self.bm25_weight <= 1.0:
            raise InputDataError(f"bm25_weight must be within [0, 1], got {self.bm25_weight}")
        if self.normalization not in NORMALIZATIONS:
            raise InputDataError(f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}")

    def weights(self) -> dict[str, float]:
        """Per-retriever weights for weighted fusion."""
        return {"bm25": self.bm25_weight, "dense": 1.0 - self.bm25_weight}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings."""
        return {
            "bm25_weight": self.bm25_weight,
            "normalization": self.normalization,
            "rrf_k": self.rrf_k,
            "candidate_depth": self.candidate_depth,
        }


def check_mode(mode: str) -> str:
    """`mode` if it is a fusion mode, else InputDataError listing the valid ones."""
    if mode not in FUSION_MODES:
        raise InputDataError(f"unknown fusion mode {mode!r}; expected one of {', '.join(FUSION_MODES)}")
    return mode


def _validate_corpus(chunk_ids: Sequence[str], texts: Sequence[str], doc_ids: Sequence[str]) -> None:
    """Non-empty, aligned, unique chunk ids: otherwise InputDataError."""
    if not chunk_ids:
        raise InputDataError("cannot build a retriever over an empty corpus")
    if not len(chunk_ids) == len(texts) == len(doc_ids):
        raise InputDataError(f"{len(chunk_ids)} chunk ids, {len(texts)} texts and {len(doc_ids)} doc ids differ")
    if len(set(chunk_ids)) != len(chunk_ids):
        raise InputDataError("chunk ids must be unique")


def _fit_vectors(embedder: Embedder, texts: list[str], tokens: list[list[str]]) -> np.ndarray:
    """Fit the embedder on the corpus and return the corpus vectors (one pass when the embedder allows)."""
    fit_encode = getattr(embedder, "fit_encode", None)
    if fit_encode is not None:
        return fit_encode(texts, tokens)
    embedder.fit(texts, tokens)
    return embedder.encode(texts, tokens)


def _replace_directory(source: Path, target: Path) -> None:
    """Move the finished `source` directory onto `target`, replacing an older one."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
    os.replace(source, target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


@dataclass
class HybridRetriever:
    """BM25 + dense retrieval over a list of chunks (positions are list indices)."""

    chunk_ids: list[str]
    doc_ids: list[str]
    texts: list[str]
    tokenizer: KoreanTokenizer
    bm25: BM25Index
    dense: DenseIndex
    embedder: Embedder
    expansion: TermExpansion = field(default_factory=TermExpansion)
    fusion: FusionSettings = field(default_factory=FusionSettings)
    build_seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        chunk_ids: Sequence[str],
        texts: Sequence[str],
        doc_ids: Sequence[str] | None = None,
        tokenizer: KoreanTokenizer | None = None,
        embedder_spec: str = "lsa",
        dense_kind: str = "flat",
        show_progress: bool = False,
        bm25_k1: float = DEFAULT_BM25_K1,
        bm25_b: float = DEFAULT_BM25_B,
        expansion: TermExpansion | None = None,
        fusion: FusionSettings | None = None,
    ) -> HybridRetriever:
        """Tokenize the corpus once, then build BM25, fit the embedder and index its vectors in FAISS."""
        chunk_ids, texts = [str(c) for c in chunk_ids], list(texts)
        doc_ids = list(chunk_ids) if doc_ids is None else [str(d) for d in doc_ids]
        _validate_corpus(chunk_ids, texts, doc_ids)
        tokenizer = tokenizer or KoreanTokenizer()
        expansion = expansion or TermExpansion()
        embedder = embedder_from_spec(embedder_spec, tokenizer)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        morphemes = tokenizer.morphemes_batch(texts, show_progress=show_progress)
        timings["tokenize"] = time.perf_counter() - started
        mark = time.perf_counter()
        terms = [expansion.expand(m, text) for m, text in zip(morphemes, texts, strict=True)]
        bm25 = BM25Index.build(terms, k1=bm25_k1, b=bm25_b)
        timings["bm25"] = time.perf_counter() - mark
        mark = time.perf_counter()
        vectors = _fit_vectors(embedder, texts, morphemes)
        timings["embedder"] = time.perf_counter() - mark
        mark = time.perf_counter()
        dense = DenseIndex.build(vectors, kind=dense_kind)
        timings["dense_index"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        fusion = fusion or FusionSettings()
        return cls(chunk_ids, doc_ids, texts, tokenizer, bm25, dense, embedder, expansion, fusion, timings)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    # ----- candidates -------------------------------------------------------------------------

    def _bm25_candidates(self, query: str, morphemes: list[str], depth: int) -> tuple[np.ndarray, np.ndarray]:
        """BM25's top `depth` (documents sharing no term with the query are dropped)."""
        positions, scores = self.bm25.search(self.expansion.expand(morphemes, query), depth)
        keep = scores != 0
        return positions[keep], scores[keep]

    def _dense_candidates(self, vectors: np.ndarray, depth: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Dense top `depth` per query vector (none for an all-zero vector: the query has no known term)."""
        positions, scores = self.dense.search(vectors, depth)
        results = []
        for vector, row_positions, row_scores in zip(vectors, positions, scores, strict=True):
            keep = row_positions >= 0 if np.any(vector) else np.zeros(row_positions.shape, dtype=bool)
            results.append((row_positions[keep], row_scores[keep]))
        return results

    # ----- fusion and hits --------------------------------------------------------------------

    def _fuse(self, candidates: Candidates, mode: str, k_each: int, fusion: FusionSettings) -> Fused:
        if mode in RETRIEVERS:
            positions, scores = candidates[mode]
            return [(int(p), float(s)) for p, s in zip(positions, scores, strict=True)]
        rankings = {name: positions for name, (positions, _) in candidates.items()}
        if mode == "independent":
            return independent_union(rankings, k_each)
        if mode == "rrf":
            return reciprocal_rank_fusion(rankings, fusion.rrf_k)
        return weighted_score_fusion(candidates, fusion.weights(), fusion.normalization)

    def _hit(
        self, position: int, score: float, rank: int, tables: dict[str, dict[int, tuple[int, float]]]
    ) -> RetrievalHit:
        found = {name: tables[name].get(position) if name in tables else None for name in RETRIEVERS}
        return RetrievalHit(
            chunk_id=self.chunk_ids[position],
            doc_id=self.doc_ids[position],
            text=self.texts[position],
            score=float(score),
            rank=rank,
            ranks={name: entry[0] if entry else None for name, entry in found.items()},
            scores={name: entry[1] if entry else None for name, entry in found.items()},
        )

    def rank(
        self,
        candidates: Candidates,
        mode: str = DEFAULT_FUSION,
        k: int = 5,
        k_each: int = 3,
        fusion: FusionSettings | None = None,
    ) -> list[RetrievalHit]:
        """Fuse one query's candidates (from `candidates_batch`) into its top-k hits."""
        check_mode(mode)
        fused = self._fuse(candidates, mode, k_each, fusion or self.fusion)[:k]
        tables = {
            name: {int(p): (rank, float(s)) for rank, (p, s) in enumerate(zip(*found, strict=True), start=1)}
            for name, found in candidates.items()
        }
        return [self._hit(position, score, rank, tables) for rank, (position, score) in enumerate(fused, start=1)]

    def depth(self, mode: str, k: int, k_each: int = 3) -> int:
        """How many candidates each retriever returns for `mode` at cut-off k."""
        if mode in RETRIEVERS:
            return k
        if mode == "independent":
            return max(k_each, 1)
        return max(self.fusion.candidate_depth, k)

    # ----- search -----------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, mode: str = DEFAULT_FUSION, k_each: int = 3) -> list[RetrievalHit]:
        """Top-k chunks for one query. Single modes run only their retriever; "independent" takes
        the top `k_each` of each retriever (up to 2 * k_each hits before the cut at k)."""
        check_mode(mode)
        morphemes = self.tokenizer.morphemes(query)
        depth = self.depth(mode, k, k_each)
        candidates: Candidates = {}
        if mode != "dense":
            candidates["bm25"] = self._bm25_candidates(query, morphemes, depth)
        if mode != "bm25":
            vector = self.embedder.encode([query], tokens=[morphemes])
            candidates["dense"] = self._dense_candidates(vector, depth)[0]
        return self.rank(candidates, mode, k, k_each)

    def candidates_batch(
        self, queries: list[str], depth: int, retrievers: Sequence[str] = RETRIEVERS
    ) -> list[Candidates]:
        """Each query's candidates {retriever: (positions, scores)}, best first: Kiwi runs the queries
        in parallel, the embedder and FAISS take them in one batch."""
        if not queries:
            return []
        morphemes = self.tokenizer.morphemes_batch(queries)
        per_query: list[Candidates] = [{} for _ in queries]
        if "bm25" in retrievers:
            for candidates, query, tokens in zip(per_query, queries, morphemes, strict=True):
                candidates["bm25"] = self._bm25_candidates(query, tokens, depth)
        if "dense" in retrievers:
            vectors = self.embedder.encode(list(queries), tokens=morphemes)
            for candidates, dense in zip(per_query, self._dense_candidates(vectors, depth), strict=True):
                candidates["dense"] = dense
        return per_query

    def search_batch(
        self, queries: list[str], k: int = 5, mode: str = DEFAULT_FUSION, k_each: int = 3
    ) -> list[list[RetrievalHit]]:
        """`search` for many queries (same results), faster per query."""
        check_mode(mode)
        retrievers = [mode] if mode in RETRIEVERS else list(RETRIEVERS)
        per_query = self.candidates_batch(queries, self.depth(mode, k, k_each), retrievers)
        return [self.rank(candidates, mode, k, k_each) for candidates in per_query]

    # ----- persistence ------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """What retriever.json records: format, sizes, tokenizer tags, term expansion, fusion settings."""
        return {
            "format_version": FORMAT_VERSION,
            "chunks": len(self),
            "keep_tags": list(self.tokenizer.keep_tags),
            "lowercase": self.tokenizer.lowercase,
            "expansion": self.expansion.to_dict(),
            "fusion": self.fusion.to_dict(),
            "embedder": self.embedder.name,
            "dense_kind": self.dense.kind,
        }

    def _write_parts(self, directory: Path) -> None:
        self.bm25.save(directory / "bm25")
        self.dense.save(directory / "dense")
        self.embedder.save(directory / "embedder")
        rows = [
            {"chunk_id": c, "doc_id": d, "text": t}
            for c, d, t in zip(self.chunk_ids, self.doc_ids, self.texts, strict=True)
        ]
        atomic_write_jsonl(directory / CHUNKS_FILE, rows)
        atomic_write_json(directory / CONFIG_FILE, self.config())
        files = [p.relative_to(directory).as_posix() for p in sorted(directory.rglob("*")) if p.is_file()]
        write_manifest(directory, files, format_version=FORMAT_VERSION)

    def save(self, directory: Path) -> None:
        """Write everything into a fresh sibling directory, then swap it in (readers never see half an index)."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
        try:
            self._write_parts(staging)
            _replace_directory(staging, directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, tokenizer: KoreanTokenizer | None = None) -> HybridRetriever:
        """Verify every checksum in manifest.json, then load the parts; IndexIntegrityError if altered."""
        directory = Path(directory)
        if not (directory / MANIFEST_FILE).is_file():
            raise FileNotFoundError(f"no saved retriever in {directory} ({MANIFEST_FILE} missing)")
        verify_manifest(directory)
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        if config.get("format_version") != FORMAT_VERSION:
            raise IndexIntegrityError(f"{directory / CONFIG_FILE}: unsupported format {config.get('format_version')}")
        tokenizer = tokenizer or KoreanTokenizer(keep_tags=config["keep_tags"], lowercase=config["lowercase"])
        rows = [json.loads(line) for line in (directory / CHUNKS_FILE).read_text(encoding="utf-8").splitlines()]
        fusion = FusionSettings(**config["fusion"])
        return cls(
            chunk_ids=[row["chunk_id"] for row in rows],
            doc_ids=[row["doc_id"] for row in rows],
            texts=[row["text"] for row in rows],
            tokenizer=tokenizer,
            bm25=BM25Index.load(directory / "bm25"),
            dense=DenseIndex.load(directory / "dense"),
            embedder=load_embedder(directory / "embedder"),
            expansion=TermExpansion.from_dict(config["expansion"]),
            fusion=fusion,
        )
