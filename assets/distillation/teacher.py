"""Retrieval-grounded teacher answers for a batch of questions (shared by the CLI and the asset)."""

from __future__ import annotations

import time
from typing import Any

from resources.llm.base import GenerationParams, GenerationRequest, LLMBackend, answer_with_backend
from resources.retrieval.hybrid import DEFAULT_FUSION, HybridRetriever, RetrievalHit


def hit_row(hit: RetrievalHit) -> dict[str, Any]:
    """What an answer record keeps of one retrieval hit."""
    return {
        "chunk_id": hit.chunk_id,
        "doc_id": hit.doc_id,
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "ranks": hit.ranks,
    }


class BatchAnswerer:
    """Hybrid retrieval (default top-k_each from each retriever) + the teacher, one batch at a time.

    Called with rows `{"id", "query", "qtype"?}`, it returns one output row per input row with the
    answer, cited chunk ids, the retrieved contexts with their per-retriever ranks, and timings. A
    row's `qtype` (given with a synthetic question, or predicted) picks the answer's shape: the
    per-type guide line in an LLM teacher's prompt, the per-type sentence selection of the extractive
    teacher (`resources.llm.extractive.TYPE_SHAPES`); the output row records it as `answer_shape`.
    """

    def __init__(
        self,
        retriever: HybridRetriever,
        backend: LLMBackend,
        k: int = 3,
        mode: str | None = None,
        params: GenerationParams | None = None,
        k_each: int = 3,
    ) -> None:
        self.retriever, self.backend = retriever, backend
        self.k, self.mode, self.k_each = k, mode or DEFAULT_FUSION, k_each
        self.params = params or GenerationParams()

    def _search(self, queries: list[str]) -> list[list[RetrievalHit]]:
        if self.mode == "independent":
            return [self.retriever.search(q, k=self.k, mode=self.mode, k_each=self.k_each) for q in queries]
        return self.retriever.search_batch(queries, k=self.k, mode=self.mode)

    def __call__(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        started = time.perf_counter()
        hits = self._search([row["query"] for row in batch])
        retrieved = time.perf_counter()
        requests = [
            GenerationRequest.for_question(
                row["query"], [(h.chunk_id, h.text) for h in row_hits], row["id"], row.get("qtype") or None
            )
            for row, row_hits in zip(batch, hits, strict=True)
        ]
        answers = answer_with_backend(self.backend, requests, self.params)
        finished = time.perf_counter()
        retrieval_ms = 1000 * (retrieved - started) / len(batch)
        answer_ms = 1000 * (finished - retrieved) / len(batch)
        return [
            {
                "id": row["id"],
                "query": row["query"],
                "answer": answer.text,
                "cited_ids": list(answer.cited_ids),
                "retrieved": [hit_row(h) for h in row_hits],
                "teacher": self.backend.name,
                "answer_shape": row.get("qtype") or "default",
                "retrieval_mode": self.mode,
                "timing_ms": {"retrieval": round(retrieval_ms, 3), "answer": round(answer_ms, 3)},
            }
            for row, row_hits, answer in zip(batch, hits, answers, strict=True)
        ]
