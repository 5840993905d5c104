"""Fusion functions on hand-made rankings and scores, with expected outputs computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from resources.retrieval.fusion import (
    independent_union,
    normalise_scores,
    reciprocal_rank_fusion,
    weighted_score_fusion,
)


def test_independent_union_round_robin_dedup_top3_each():
    rankings = {"bm25": [10, 11, 12, 13], "dense": [11, 20, 10, 21]}
    # round 1: 10 (bm25), 11 (dense); round 2: 11 dup, 20; round 3: 12, 10 dup
    assert independent_union(rankings, k_each=3) == [(10, 1.0), (11, 1.0), (20, 0.5), (12, 1 / 3)]


def test_independent_union_short_rankings_and_k_each_one():
    assert independent_union({"bm25": [5], "dense": []}, k_each=3) == [(5, 1.0)]
    assert independent_union({"bm25": [1, 2], "dense": [3, 4]}, k_each=1) == [(1, 1.0), (3, 1.0)]


def test_reciprocal_rank_fusion_by_hand():
    rankings = {"bm25": [1, 2, 3], "dense": [3, 1]}
    fused = dict(reciprocal_rank_fusion(rankings, rrf_k=1))
    assert fused[1] == pytest.approx(1 / 2 + 1 / 3)
    assert fused[2] == pytest.approx(1 / 3)
    assert fused[3] == pytest.approx(1 / 4 + 1 / 2)
    assert [p for p, _ in reciprocal_rank_fusion(rankings, rrf_k=1)] == [1, 3, 2]


def test_reciprocal_rank_fusion_weights_and_position_tie_break():
    fused = reciprocal_rank_fusion({"bm25": [7], "dense": [4]}, rrf_k=60)
    assert fused == [(4, 1 / 61), (7, 1 / 61)]  # equal scores: lower position first
    weighted = reciprocal_rank_fusion({"bm25": [7], "dense": [4]}, rrf_k=60, weights={"bm25": 2.0, "dense": 1.0})
    assert [p for p, _ in weighted] == [7, 4]


def test_normalise_scores_by_hand():
    np.testing.assert_allclose(normalise_scores([1.0, 2.0, 3.0], "zscore"), [-1.224744871, 0.0, 1.224744871])
    np.testing.assert_allclose(normalise_scores([2.0, 4.0, 6.0], "minmax"), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(normalise_scores([2.0, 4.0], "max"), [0.5, 1.0])
    np.testing.assert_allclose(normalise_scores([-0.1, -0.5], "max"), [-0.2, -1.0])  # order kept
    np.testing.assert_allclose(normalise_scores([3.0, 3.0], "zscore"), [0.0, 0.0])
    np.testing.assert_allclose(normalise_scores([3.0, 3.0], "minmax"), [1.0, 1.0])
    assert normalise_scores([], "zscore").size == 0
    with pytest.raises(ValueError, match="normalization"):
        normalise_scores([1.0], "softmax")


def test_weighted_score_fusion_minmax_by_hand():
    candidates = {"bm25": ([1, 2, 3], [10.0, 5.0, 0.0]), "dense": ([3, 4], [0.9, 0.5])}
    fused = dict(weighted_score_fusion(candidates, {"bm25": 0.5, "dense": 0.5}, "minmax"))
    # bm25 minmax: 1 -> 1.0, 2 -> 0.5, 3 -> 0.0; dense minmax: 3 -> 1.0, 4 -> 0.0 (floor 0.0 for 1, 2)
    assert fused == pytest.approx({1: 0.5, 2: 0.25, 3: 0.5, 4: 0.0})
    order = [p for p, _ in weighted_score_fusion(candidates, {"bm25": 0.5, "dense": 0.5}, "minmax")]
    assert order == [1, 3, 2, 4]  # 1 and 3 tie at 0.5: lower position first


def test_weighted_score_fusion_zscore_missing_gets_floor():
    candidates = {"bm25": ([0, 1], [3.0, 1.0]), "dense": ([2, 0], [0.8, 0.2])}
    fused = dict(weighted_score_fusion(candidates, {"bm25": 0.75, "dense": 0.25}, "zscore"))
    # z(bm25) = {0: 1, 1: -1}, floor -1; z(dense) = {2: 1, 0: -1}, floor -1
    assert fused == pytest.approx({0: 0.75 * 1 + 0.25 * -1, 1: 0.75 * -1 + 0.25 * -1, 2: 0.75 * -1 + 0.25 * 1})


def test_weighted_score_fusion_weight_one_is_bm25_order():
    candidates = {"bm25": ([5, 6, 7], [3.0, 2.0, 1.0]), "dense": ([7, 6, 5], [0.9, 0.8, 0.1])}
    fused = weighted_score_fusion(candidates, {"bm25": 1.0, "dense": 0.0})
    assert [p for p, _ in fused] == [5, 6, 7]
