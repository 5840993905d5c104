"""Calibrating the rule stage: a logistic map from its raw features to the probability that an item is right.

`fit_calibration(matcher, queries)` runs the rule stage on generated order lines (a seed of their own,
never the evaluation's), takes each query's top candidates with their features (raw score, margin
over the best other item, query coverage, item coverage) labelled by whether the candidate is the
answer, and fits scikit-learn's `LogisticRegression`. `expected_calibration_error` measures how far
confidences are from observed accuracy (reported by the evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from resources.matching.matcher import ItemMatcher
from resources.matching.normalize import compact, normalize, parse_quantity
from resources.matching.queries import NoisyQuery
from resources.matching.rule import Calibration, margins

CANDIDATES_PER_QUERY = 5


def calibration_features(matcher: ItemMatcher, queries: Sequence[NoisyQuery]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows (raw, margin, qc, ic) of each query's top rule candidates and 0/1 labels."""
    rows, labels = [], []
    for query in queries:
        text, _ = parse_quantity(query.query)
        found = matcher.rule.score(text)
        if len(found.positions) == 0:
            continue
        raw = matcher._adjust(found.positions, found.raw, compact(normalize(text)), query.client_code)
        margin = margins(raw)
        for k in np.argsort(-raw, kind="stable")[:CANDIDATES_PER_QUERY]:
            rows.append((raw[k], margin[k], found.query_coverage[k], found.item_coverage[k]))
            labels.append(matcher.items[int(found.positions[k])].item_no == query.gold_item_no)
    return np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=np.int64)


def fit_calibration(matcher: ItemMatcher, queries: Sequence[NoisyQuery]) -> Calibration:
    """A logistic calibration fitted on the queries; the default one when both outcomes do not occur."""
    from sklearn.linear_model import LogisticRegression

    features, labels = calibration_features(matcher, queries)
    if len(set(labels.tolist())) < 2:
        return Calibration()
    model = LogisticRegression(C=10.0, max_iter=1000).fit(features, labels)
    return Calibration(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), int(len(labels)))


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size."""
    confidences = np.asarray(confidences, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidences) == 0:
        return 0.0
    edges = np.minimum((confidences * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        members = edges == b
        if members.any():
            error += members.sum() * abs(correct[members].mean() - confidences[members].mean())
    return float(error / len(confidences))
