"""Rank fusion of several retrievers' results: pure functions over positions and scores, no I/O.

Every function returns `[(position, fused_score), ...]` best first, ties broken by lower position,
so results are deterministic and can be checked by hand.

- `independent_union`: the original design (top-3 BM25 + top-3 dense): the top `k_each` of each
  retriever, interleaved round-robin in the given retriever order and deduplicated; the score of an
  item taken in round r is 1/r.
- `reciprocal_rank_fusion`: sum over retrievers of weight / (rrf_k + rank), rank counted from 1.
- `weighted_score_fusion`: sum over retrievers of weight * normalised score, the scores normalised
  per query over that retriever's own candidate list ("zscore", "minmax" or "max": s / max|s|); a candidate
  another retriever did not return gets that retriever's lowest normalised value (its true score is
  at most the lowest one returned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

NORMALIZATIONS = ("zscore", "minmax", "max")
Fused = list[tuple[int, float]]


def _sorted(scores: Mapping[int, float]) -> Fused:
    """Items by descending score, then ascending position."""
    return sorted(((int(p), float(s)) for p, s in scores.items()), key=lambda item: (-item[1], item[0]))


def independent_union(rankings: Mapping[str, Sequence[int]], k_each: int = 3) -> Fused:
    """Top-`k_each` of every ranking, round-robin (retriever order as given), duplicates dropped."""
    fused: dict[int, float] = {}
    for round_index in range(k_each):
        for ranking in rankings.values():
            if round_index < len(ranking):
                position = int(ranking[round_index])
                fused.setdefault(position, 1.0 / (round_index + 1))
    return list(fused.items())


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[int]], rrf_k: float = 60.0, weights: Mapping[str, float] | None = None
) -> Fused:
    """Weighted RRF: score(d) = sum_r weight_r / (rrf_k + rank_r(d)), ranks from 1; absent -> no term."""
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else float(weights.get(name, 0.0))
        for rank, position in enumerate(ranking, start=1):
            fused[int(position)] = fused.get(int(position), 0.0) + weight / (rrf_k + rank)
    return _sorted(fused)


def normalise_scores(scores: Sequence[float], method: str = "zscore") -> np.ndarray:
    """One retriever's candidate scores normalised per query.

    zscore: (s - mean) / std (all 0 when std is 0); minmax: (s - min) / (max - min) (all 1 when
    max == min); max: s / max|s| (order kept even for negative scores; unchanged when all are 0).
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return values
    if method == "zscore":
        std = values.std()
        return (values - values.mean()) / std if std > 0 else np.zeros_like(values)
    if method == "minmax":
        low, high = values.min(), values.max()
        return (values - low) / (high - low) if high > low else np.ones_like(values)
    if method == "max":
        high = np.abs(values).max()
        return values / high if high > 0 else values.copy()
    raise ValueError(f"unknown normalization {method!r}; expected one of {NORMALIZATIONS}")


def weighted_score_fusion(
    candidates: Mapping[str, tuple[Sequence[int], Sequence[float]]],
    weights: Mapping[str, float],
    normalization: str = "zscore",
) -> Fused:
    """score(d) = sum_r weight_r * normalised_r(d); d missing from r's candidates gets r's minimum."""
    normalised: dict[str, dict[int, float]] = {}
    floors: dict[str, float] = {}
    for name, (positions, scores) in candidates.items():
        values = normalise_scores(scores, normalization)
        normalised[name] = {int(p): float(v) for p, v in zip(positions, values, strict=True)}
        floors[name] = float(values.min()) if values.size else 0.0
    union = {position for table in normalised.values() for position in table}
    fused = {
        position: sum(
            float(weights.get(name, 0.0)) * table.get(position, floors[name]) for name, table in normalised.items()
        )
        for position in union
    }
    return _sorted(fused)
