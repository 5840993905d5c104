"""Fixtures of the matching tests: the shipped item master and one calibrated matcher built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.matching.index_build import build_calibrated_index
from resources.matching.items import Item, read_items
from resources.matching.matcher import ItemMatcher
from resources.paths import PROJECT_ROOT

ITEMS_CSV = PROJECT_ROOT / "data" / "items.csv"


@pytest.fixture(scope="session")
def items() -> list[Item]:
    return read_items(ITEMS_CSV)


@pytest.fixture(scope="session")
def matcher(items: list[Item]) -> ItemMatcher:
    built, _ = build_calibrated_index(items, calibration_per_type=60)
    return built


@pytest.fixture
def names(items: list[Item]) -> dict[str, str]:
    """item_no → Korean name."""
    return {item.item_no: item.name for item in items}


def number_of(items: list[Item], name: str) -> str:
    """The item_no of the item with this exact Korean name."""
    (found,) = [item.item_no for item in items if item.name == name]
    return found


def copy_items(tmp_path: Path) -> Path:
    target = tmp_path / "data" / "items.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(ITEMS_CSV.read_bytes())
    return target
