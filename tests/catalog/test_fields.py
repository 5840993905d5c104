"""The Arrow pair and specification parsers (assets/catalog/fields.py) against plain-Python reference parsers.

Canonical cells take a fast path and all others the general one; the results must not depend on
which path a cell took, so mixed columns are compared with a reference that knows no paths.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from assets.catalog.fields import MAX_PAIR_VALUE, parse_pair_column, parse_spec_column, price_change_from_history
from assets.catalog.generator import generate_products

UNICODE_SPACES = "\u3000\xa0\x85\x0b"
PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def strip(text: str) -> str:
    return text.strip(" \t\n\r\f" + UNICODE_SPACES)


def reference_pairs(cells: pd.Series, key_regex: str | None = None) -> tuple[list[tuple], set]:
    """(row, key, value) of every good row's pieces in written order, and the set of malformed rows."""
    pairs, bad = [], set()
    for row, cell in cells.items():
        parsed = []
        for piece in (strip(part) for part in cell.split("|")):
            if not piece:
                continue
            key, colon, value = (strip(part) for part in piece.partition(":"))
            if colon and good_pair(key, value, key_regex):
                parsed.append((row, key, float(value)))
            else:
                bad.add(row)
        if row not in bad:
            pairs += parsed
    return pairs, bad


def good_pair(key: str, value: str, key_regex: str | None) -> bool:
    if not key or not PLAIN_NUMBER.fullmatch(value) or float(value) > MAX_PAIR_VALUE:
        return False
    return key_regex is None or re.fullmatch(key_regex, key) is not None


def reference_specs(cells: pd.Series) -> list[tuple]:
    specs = []
    for row, cell in cells.items():
        for piece in (strip(part) for part in cell.split("/")):
            if piece:
                key, colon, value = (strip(part) for part in piece.partition(":"))
                specs.append((row, key, value) if colon else (row, "특징", key))
    return specs


MESSY_PAIRS = [
    "",
    "   ",
    "쿠팡:12",
    "네이버 쇼핑:3|쿠팡:4.5",
    " 쿠팡 : 12 | 11번가:3 ",
    "쿠팡:12||G마켓:1|",
    "\u3000쿠팡:7",
    "쿠팡\xa0:7",
    "쿠팡:1:2",
    "쿠팡|1:2",
    "쿠팡",
    ":5",
    "쿠팡:-1",
    "쿠팡:1e3",
    "쿠팡:",
    f"쿠팡:{MAX_PAIR_VALUE * 10}",
    "쿠팡:12|옥션:x",
]


def mixed_column(clean: pd.Series, messy: list[str]) -> pd.Series:
    """Clean generated cells with the messy ones spliced in at spread-out rows (labels like line numbers)."""
    cells = clean.tolist()
    for offset, cell in enumerate(messy):
        cells[(offset * 7 + 3) % len(cells)] = cell
    return pd.Series(cells, index=pd.RangeIndex(2, len(cells) + 2), dtype="string[pyarrow]")


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    return generate_products(n_products=300, seed=5)


@pytest.mark.parametrize("column", ["review_channels", "review_tags", "star_counts"])
def test_pair_parsing_matches_the_reference_on_mixed_cells(generated: pd.DataFrame, column: str) -> None:
    cells = mixed_column(generated[column], MESSY_PAIRS)
    parsed = parse_pair_column(cells)
    expected_pairs, expected_bad = reference_pairs(cells)
    got = list(zip(parsed.long["row"], parsed.long["key"].astype(str), parsed.long["value"]))
    assert got == expected_pairs
    assert set(parsed.bad_rows) == expected_bad
    assert len(expected_bad) >= 8  # the messy cells really are malformed ones


def test_key_regex_applies_on_both_paths(generated: pd.DataFrame) -> None:
    messy = ["2026-06:100|2026-07:90", "2026-6:100", " 2026-06 : 100 ", "2026-06:100|월:3"]
    cells = mixed_column(generated["price_history"], messy)
    parsed = parse_pair_column(cells, key_regex=r"\d{4}-\d{2}")
    expected_pairs, expected_bad = reference_pairs(cells, key_regex=r"\d{4}-\d{2}")
    assert list(zip(parsed.long["row"], parsed.long["key"].astype(str), parsed.long["value"])) == expected_pairs
    assert set(parsed.bad_rows) == expected_bad == {cells.index[(1 * 7 + 3) % len(cells)], cells.index[3 * 7 + 3]}


def test_spec_parsing_matches_the_reference_on_mixed_cells(generated: pd.DataFrame) -> None:
    messy = ["", "종류: 샴푸 /  / 용량: 500ml", "실리콘프리", "a: b: c / d: e", " 종류 :샴푸/", ": 값", "키:", "a/b"]
    cells = mixed_column(generated["specifications"], messy)
    parsed = parse_spec_column(cells)
    got = list(zip(parsed["row"], parsed["key"].astype(str), parsed["value"].astype(str)))
    assert got == reference_specs(cells)


@pytest.mark.parametrize(
    "histories",
    [
        ["2026-06:100|2026-07:90|2026-11:80", "2026-06:50|2026-11:60", "2026-11:70", ""],  # oldest first
        ["2026-11:80|2026-06:100|2026-07:90", "2026-06:50|2026-11:60", "2026-11:70", ""],  # a row out of order
    ],
)
def test_price_change_is_from_the_earliest_to_the_latest_month(histories: list[str]) -> None:
    cells = pd.Series(histories, index=[10, 11, 12, 13], dtype="string[pyarrow]")
    change = price_change_from_history(parse_pair_column(cells, key_regex=r"\d{4}-\d{2}"), cells.index)
    assert change[10] == pytest.approx(-0.2) and change[11] == pytest.approx(0.2)
    assert pd.isna(change[12]) and pd.isna(change[13])  # one month: no change; no history: none
