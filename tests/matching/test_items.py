"""The item master: the shipped CSV is the generator's output, and bad CSVs are refused naming row and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from resources.errors import InputDataError
from resources.matching.items import build_items, items_csv_text, read_items
from tests.matching.conftest import ITEMS_CSV


def test_shipped_items_are_the_generator_output(items) -> None:
    assert 380 <= len(items) <= 450
    assert ITEMS_CSV.read_text(encoding="utf-8") == items_csv_text(build_items())
    assert len({i.item_no for i in items}) == len(items) and len({i.name for i in items}) == len(items)
    assert {"레드와인", "화이트와인", "위스키", "스파클링와인"} <= {i.category for i in items}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("item_no,name,category,unit\n1A1,a,red,병\n", "missing column(s) name_en"),
        ("item_no,name,name_en,category,unit\n1A1,,A,red,병\n", "line 2: field 'name' is empty"),
        (
            "item_no,name,name_en,category,unit\n1A1,a,A,red,병\n1A1,b,B,red,병\n",
            "line 3: item_no '1A1' repeats line 2",
        ),
        ("item_no,name,name_en,category,unit,price\n1A1,a,A,red,병,cheap\n", "line 2: field 'price' is not a number"),
    ],
)
def test_bad_csv_is_refused_with_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "items.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match=re.escape(message)):
        read_items(path)
