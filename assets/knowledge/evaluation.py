"""Retrieval evaluation: recall@k and MRR on questions with known relevant chunks, per retriever, with timing.

Pure metric functions take ranked ids and relevant ids. `evaluate_retriever` runs one query at a
time through a `HybridRetriever` in each mode (bm25, dense, and the chosen fusion as "hybrid"),
timing every query end to end (Kiwi tokenization included). `run_evaluation` reads the JSONL
files used by the CLI: corpus lines `{"id", "text", "doc_id"?}` and query lines
`{"id", "query", "relevant_ids": [...]}`; a bad line is an InputDataError naming file and line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from resources.errors import InputDataError
from resources.retrieval.hybrid import DEFAULT_FUSION, FusionSettings, HybridRetriever, check_mode

DEFAULT_KS: tuple[int, ...] = (1, 3, 5, 10)


@dataclass(frozen=True)
class CorpusRow:
    """One retrievable chunk."""

    id: str
    text: str
    doc_id: str


@dataclass(frozen=True)
class EvalQuery:
    """One question and the ids of the chunks that answer it."""

    id: str
    query: str
    relevant_ids: tuple[str, ...]


# ----- metrics ------------------------------------------------------------------------------------


def recall_at_k(ranked_ids: Sequence[str], relevant_ids: Sequence[str], k: int) -> float:
    """Share of the relevant ids found in the first k ranked ids (1.0 or 0.0 with one relevant id)."""
    relevant = set(relevant_ids)
    if not relevant:
        raise ValueError("recall is undefined without relevant ids")
    return len(relevant.intersection(ranked_ids[:k])) / len(relevant)


def reciprocal_rank(ranked_ids: Sequence[str], relevant_ids: Sequence[str]) -> float:
    """1 / rank of the first relevant id in the ranking (ranks from 1), 0.0 if none is retrieved."""
    relevant = set(relevant_ids)
    for rank, chunk_id in enumerate(ranked_ids, start=1):
        if chunk_id in relevant:
            return 1.0 / rank
    return 0.0


def ranking_metrics(
    rankings: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]], ks: Sequence[int] = DEFAULT_KS
) -> dict[str, float]:
    """Mean recall@k for each k and MRR over the rankings (MRR counts ranks up to the ranking length)."""
    if len(rankings) != len(relevant):
        raise ValueError(f"{len(rankings)} rankings for {len(relevant)} relevance sets")
    if not rankings:
        raise ValueError("no queries to evaluate")
    metrics = {f"recall@{k}": float(np.mean([recall_at_k(r, g, k) for r, g in zip(rankings, relevant)])) for k in ks}
    metrics["mrr"] = float(np.mean([reciprocal_rank(r, g) for r, g in zip(rankings, relevant)]))
    return metrics


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean of per-query durations, in milliseconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {
        "query_ms_p50": float(np.percentile(ms, 50)),
        "query_ms_p95": float(np.percentile(ms, 95)),
        "query_ms_mean": float(ms.mean()),
    }


# ----- input files --------------------------------------------------------------------------------


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; InputDataError naming file and line otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"{path}: file not found")
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputDataError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise InputDataError(f"{path}:{number}: expected a JSON object")
            yield number, row


def _text_field(row: dict[str, Any], name: str, where: str) -> str:
    value = row.get(name)
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise InputDataError(f'{where}: "{name}" missing or empty')
    return str(value)


def read_corpus(path: Path) -> list[CorpusRow]:
    """Corpus rows; ids must be unique and texts non-empty."""
    rows: list[CorpusRow] = []
    seen: set[str] = set()
    for number, row in iter_jsonl(path):
        where = f"{path}:{number}"
        chunk_id = _text_field(row, "id", where)
        if chunk_id in seen:
            raise InputDataError(f"{where}: duplicate id {chunk_id!r}")
        seen.add(chunk_id)
        doc_id = str(row.get("doc_id") or chunk_id)
        rows.append(CorpusRow(chunk_id, _text_field(row, "text", where), doc_id))
    if not rows:
        raise InputDataError(f"{path}: no corpus lines")
    return rows


def read_queries(path: Path, known_ids: set[str] | None = None) -> list[EvalQuery]:
    """Query rows; every relevant id must be a corpus id when `known_ids` is given."""
    queries: list[EvalQuery] = []
    for number, row in iter_jsonl(path):
        where = f"{path}:{number}"
        relevant = row.get("relevant_ids")
        if not isinstance(relevant, list) or not relevant:
            raise InputDataError(f'{where}: "relevant_ids" must be a non-empty list')
        relevant_ids = tuple(str(r) for r in relevant)
        unknown = [r for r in relevant_ids if known_ids is not None and r not in known_ids]
        if unknown:
            raise InputDataError(f"{where}: relevant id {unknown[0]!r} is not in the corpus")
        queries.append(EvalQuery(_text_field(row, "id", where), _text_field(row, "query", where), relevant_ids))
    if not queries:
        raise InputDataError(f"{path}: no query lines")
    return queries


# ----- evaluation ---------------------------------------------------------------------------------


def evaluate_mode(
    retriever: HybridRetriever,
    queries: Sequence[EvalQuery],
    mode: str,
    ks: Sequence[int] = DEFAULT_KS,
    show_progress: bool = False,
) -> dict[str, float]:
    """Recall@k, MRR and latency of one mode, one timed `search` call per query (depth max(ks))."""
    depth = max(ks)
    rankings: list[list[str]] = []
    durations: list[float] = []
    iterable: Any = queries
    if show_progress:
        from tqdm import tqdm

        iterable = tqdm(queries, desc=f"eval {mode}", unit="q", file=sys.stderr)
    for query in iterable:
        started = time.perf_counter()
        hits = retriever.search(query.query, k=depth, mode=mode, k_each=depth)
        durations.append(time.perf_counter() - started)
        rankings.append([hit.chunk_id for hit in hits])
    metrics = ranking_metrics(rankings, [q.relevant_ids for q in queries], ks)
    return {**metrics, **latency_summary(durations)}


def _build_seconds(timings: dict[str, float]) -> dict[str, float]:
    """Build time charged to each retriever (Kiwi tokenization is shared, so counted in each)."""
    tokenize = timings.get("tokenize", 0.0)
    return {
        "bm25": tokenize + timings.get("bm25", 0.0),
        "dense": tokenize + timings.get("embedder", 0.0) + timings.get("dense_index", 0.0),
        "hybrid": timings.get("total", 0.0),
    }


def evaluate_retriever(
    retriever: HybridRetriever,
    queries: Sequence[EvalQuery],
    ks: Sequence[int] = DEFAULT_KS,
    fusion: str = DEFAULT_FUSION,
    show_progress: bool = False,
) -> dict[str, dict[str, Any]]:
    """{"bm25": ..., "dense": ..., "hybrid": ...}: metrics, latency and build seconds of each."""
    check_mode(fusion)
    build = _build_seconds(retriever.build_seconds)
    results: dict[str, dict[str, Any]] = {}
    for name, mode in (("bm25", "bm25"), ("dense", "dense"), ("hybrid", fusion)):
        metrics = evaluate_mode(retriever, queries, mode, ks, show_progress)
        results[name] = {"mode": mode, **metrics, "build_seconds": build[name]}
    return results


def run_evaluation(
    corpus_path: Path,
    queries_path: Path,
    ks: Sequence[int] = DEFAULT_KS,
    fusion: str = DEFAULT_FUSION,
    embedder_spec: str = "lsa",
    dense_kind: str = "flat",
    show_progress: bool = False,
    save_dir: Path | None = None,
    fusion_settings: FusionSettings | None = None,
) -> dict[str, Any]:
    """Read the files, build a HybridRetriever (optionally saved), evaluate; one JSON-ready report."""
    check_mode(fusion)
    corpus = read_corpus(corpus_path)
    queries = read_queries(queries_path, {row.id for row in corpus})
    retriever = HybridRetriever.build(
        [row.id for row in corpus],
        [row.text for row in corpus],
        doc_ids=[row.doc_id for row in corpus],
        embedder_spec=embedder_spec,
        dense_kind=dense_kind,
        show_progress=show_progress,
        fusion=fusion_settings,
    )
    if save_dir is not None:
        retriever.save(save_dir)
    return {
        "corpus": {"path": str(corpus_path), "chunks": len(corpus)},
        "queries": {"path": str(queries_path), "count": len(queries)},
        "k": list(ks),
        "fusion": fusion,
        "embedder": embedder_spec,
        "dense_kind": dense_kind,
        "fusion_settings": retriever.fusion.to_dict(),
        "build_seconds": dict(retriever.build_seconds),
        "retrievers": evaluate_retriever(retriever, queries, ks, fusion, show_progress),
    }
