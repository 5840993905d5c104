"""Normalisation: quantity parsing, NFKC/lower case/punctuation, compact and jamo forms, the consonant skeleton."""

from __future__ import annotations

import pytest

from resources.matching.normalize import compact, normalize, parse_quantity, to_jamo
from resources.matching.phonetic import skeleton


@pytest.mark.parametrize(
    ("query", "rest", "amount", "unit"),
    [
        ("레이크 찰리스 말보로 24병", "레이크 찰리스 말보로", 24, "병"),
        ("lc 말보로 2박스", "lc 말보로", 2, "박스"),
        ("Lake Chalice x12", "Lake Chalice", 12, ""),
        ("몬테스 알파 ×6", "몬테스 알파", 6, ""),
        ("글렌피딕 12년 6 btl", "글렌피딕 12년", 6, "병"),
        ("헤네시 VSOP 1cs", "헤네시 VSOP", 1, "박스"),
        ("짐빔 하이볼 24캔", "짐빔 하이볼", 24, "캔"),
        ("ＬＣ　말보로　３병", "LC 말보로", 3, "병"),  # full-width (NFKC)
    ],
)
def test_quantity_is_parsed_and_removed(query: str, rest: str, amount: int, unit: str) -> None:
    text, quantity = parse_quantity(query)
    assert text == rest
    assert quantity is not None and (quantity.amount, quantity.unit) == (amount, unit)


@pytest.mark.parametrize(
    "query", ["발렌타인 17년", "Jack Daniel's 750ml", "돈 훌리오 1942", "펜폴즈 빈 389", "1.5L 매그넘"]
)
def test_sizes_ages_and_label_numbers_are_not_quantities(query: str) -> None:
    assert parse_quantity(query) == (query, None)


def test_the_last_quantity_wins_and_text_keeps_the_rest() -> None:
    text, quantity = parse_quantity("글렌피딕 12년 2박스 24병")
    assert quantity is not None and (quantity.amount, quantity.unit, quantity.text) == (24, "병", "24병")
    assert text == "글렌피딕 12년 2박스"


def test_normalize_compact_and_jamo() -> None:
    assert normalize("Moët & Chandon  Impérial-Brut") == "moet chandon imperial brut"
    assert normalize("Jack Daniel's") == "jack daniels"
    assert compact(normalize("레이크 찰리스  말보로")) == "레이크찰리스말보로"
    assert to_jamo("말") == "\u1106\u1161\u11af"
    assert len(to_jamo("말보로")) == 7


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("레이크", "lake"),
        ("찰리스", "chalice"),
        ("말보로", "marlborough"),
        ("소비뇽", "sauvignon"),
        ("샤르도네", "chardonnay"),
    ],
)
def test_skeleton_meets_across_scripts(korean: str, english: str) -> None:
    assert skeleton(korean) == skeleton(english) != ""


def test_skeleton_separates_different_words() -> None:
    assert skeleton("말보로") != skeleton("메를로")
    assert skeleton("12년") == "12N"
