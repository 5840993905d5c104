"""Each stage on hand-made order lines (typo, abbreviation, English, mixed, spacing), calibration, and the decision rule."""

from __future__ import annotations

import numpy as np
import pytest

from resources.matching.calibration import expected_calibration_error
from resources.matching.matcher import Candidate, DecisionRule, ItemMatcher
from resources.matching.queries import NOISE_TYPES, generate_queries
from tests.matching.conftest import number_of

LAKE_CHALICE_MARLBOROUGH = "레이크 찰리스 말보로 소비뇽 블랑"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("레이크 찰리스 말보로", LAKE_CHALICE_MARLBOROUGH),  # exact short form
        ("레이크 찰리스 말로보", LAKE_CHALICE_MARLBOROUGH),  # syllables swapped
        ("글랜피딕 12년", "글렌피딕 12년"),  # one vowel confused
        ("lc 말보로", LAKE_CHALICE_MARLBOROUGH),  # English initials
        ("까쇼 몬테스 알파", "몬테스 알파 까베르네 소비뇽"),  # trade shortening
        ("발렌 17년", "발렌타인 17년"),  # cut word
        ("Lake Chalice Marlborough", LAKE_CHALICE_MARLBOROUGH),  # English
        ("Lake Chalice 말보로", LAKE_CHALICE_MARLBOROUGH),  # mixed script
        ("레이크찰리스말보로", LAKE_CHALICE_MARLBOROUGH),  # spacing removed
        ("레이 크 찰리 스 말보로", LAKE_CHALICE_MARLBOROUGH),  # spacing added
    ],
)
def test_rule_stage_hand_made_cases(matcher: ItemMatcher, items, query: str, name: str) -> None:
    positions, confidence = matcher.rule_stage(query, "", None, 3)
    assert matcher.items[int(positions[0])].item_no == number_of(items, name)
    assert 0.0 <= confidence[-1] <= confidence[0] <= 1.0


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("레이크 찰리스 말로보", LAKE_CHALICE_MARLBOROUGH),  # typo: jamo n-grams
        ("Lake Chalice Marlborough Sauvignon", LAKE_CHALICE_MARLBOROUGH),  # English name row
        ("레이크 찰리스 marlborough sauvignon blanc", LAKE_CHALICE_MARLBOROUGH),  # mixed: skeleton n-grams
        ("조니 워커 블루라벨", "조니워커 블루 라벨"),  # spacing
        ("글렌피딕 18", "글렌피딕 18년"),
    ],
)
def test_semantic_stage_hand_made_cases(matcher: ItemMatcher, items, query: str, name: str) -> None:
    positions, scores = matcher.semantic_stage(query, "", None, 3)
    assert matcher.items[int(positions[0])].item_no == number_of(items, name)
    assert 0.0 <= scores[-1] <= scores[0] <= 1.0


def test_semantic_stage_reaches_english_names_from_hangul_by_sound(matcher: ItemMatcher, items) -> None:
    """A Hangul transliteration that is not the catalogue's Korean spelling still reaches the English name."""
    target = number_of(items, "킴 크로포드 소비뇽 블랑")
    positions, _ = matcher.semantic_stage("킴 크로퍼드 소비뇽블랭", "", None, 5)
    assert target in [matcher.items[int(p)].item_no for p in positions]


def test_rule_confidence_is_calibrated_on_unseen_queries(matcher: ItemMatcher) -> None:
    types = [n for n in NOISE_TYPES if n != "nickname"]
    queries = generate_queries(matcher.items, seed=77, per_type=25, noise_types=types)
    confidences, correct = [], []
    for query in queries:
        result = matcher.match(query.query, mode="rule", top_k=1)
        confidences.append(result.results[0].score if result.results else 0.0)
        correct.append(bool(result.results) and result.results[0].item_no == query.gold_item_no)
    assert expected_calibration_error(confidences, correct) < 0.1
    assert matcher.calibration.fitted_on > 0


def _cands(stage: str, *scores: float) -> list[Candidate]:
    return [Candidate(f"{stage}{i}", f"{stage} item {i}", s, stage) for i, s in enumerate(scores)]


@pytest.mark.parametrize(
    ("rule_conf", "sem_top", "decision", "stage"),
    [
        (0.5, 0.8, DecisionRule(), "semantic"),  # semantic > 0.7 and > rule
        (0.5, 0.65, DecisionRule(), "rule"),  # semantic not above 0.7
        (0.69, 0.68, DecisionRule(semantic_min=0.6), "rule"),  # above min but not above rule
        (0.69, 0.68, DecisionRule(semantic_min=0.6, semantic_must_beat_rule=False), "semantic"),
    ],
)
def test_decision_rule(
    matcher: ItemMatcher, rule_conf: float, sem_top: float, decision: DecisionRule, stage: str
) -> None:
    original = matcher.decision
    matcher.decision = decision
    try:
        (ranked, decided), reason, _, _ = matcher._adopt(
            _cands("rule", rule_conf, 0.1), _cands("semantic", sem_top, 0.2), rule_conf, sem_top
        )
    finally:
        matcher.decision = original
    assert decided == stage and ranked[0].stage == stage
    assert {c.stage for c in ranked} == {"rule", "semantic"}  # the other stage fills the rest
    assert reason


def test_decision_without_rule_candidates_uses_semantic(matcher: ItemMatcher) -> None:
    (ranked, decided), reason, _, _ = matcher._adopt([], _cands("semantic", 0.3), 0.0, 0.3)
    assert decided == "semantic" and "no rule candidate" in reason


def test_match_says_which_stage_decided_and_why(matcher: ItemMatcher) -> None:
    confident = matcher.match("레이크 찰리스 말보로 24병")
    assert confident.stage == "rule" and "threshold" in confident.reason
    assert confident.quantity is not None and confident.quantity.amount == 24
    forced = ItemMatcher(matcher.items, matcher.rule, matcher.semantic, matcher.learned, matcher.calibration)
    forced.decision = DecisionRule(threshold=1.01, semantic_min=0.0, semantic_must_beat_rule=False)
    result = forced.match("레이크 찰리스 말보로")
    assert result.stage == "semantic" and result.semantic_score is not None and "semantic" in result.reason
    assert result.results[0].name == LAKE_CHALICE_MARLBOROUGH


def test_min_score_and_top_k(matcher: ItemMatcher) -> None:
    result = matcher.match("레이크 찰리스", top_k=2, min_score=0.0)
    assert len(result.results) == 2
    strict = matcher.match("레이크 찰리스", top_k=5, min_score=0.999)
    assert all(c.score >= 0.999 for c in strict.results)
    with pytest.raises(ValueError, match="mode"):
        matcher.match("x", mode="fast")


def test_generated_set_hybrid_beats_each_stage(matcher: ItemMatcher) -> None:
    from resources.matching.evaluation import evaluate

    queries = generate_queries(matcher.items, seed=5, per_type=20)
    frame = evaluate(matcher, queries).set_index(["mode", "noise"])
    hybrid = frame.loc[("hybrid", "all"), "accuracy_at_1"]
    assert hybrid >= frame.loc[("rule", "all"), "accuracy_at_1"] - 1e-9
    assert hybrid >= frame.loc[("semantic", "all"), "accuracy_at_1"]
    assert hybrid >= 0.95
    assert np.isclose(frame.loc[("hybrid", "nickname"), "accuracy_at_1"], 0.0)  # untaught nicknames
