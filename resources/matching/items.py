"""The item master: reading and validating `data/items.csv`, and building it from the catalogue source.

`Item` is one row (item_no, name in Korean, name_en, category, unit, price). `read_items(path)` reads
the CSV (UTF-8, every field text) and raises `InputDataError` naming the row and field of the first
problem: a missing column, an empty required field, a duplicate item_no. `build_items(seed)` makes the
shipped master from `catalogue_source.PRODUCERS` with stable item numbers and invented prices;
`write_items` writes it atomically.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from resources.atomic import atomic_write_text
from resources.errors import InputDataError
from resources.matching.catalogue_source import PRODUCERS, Producer

COLUMNS = ("item_no", "name", "name_en", "category", "unit", "price")
REQUIRED = ("item_no", "name", "name_en", "category", "unit")
# Category → the first character of item numbers (the original's numbers look like "3A24401").
CATEGORY_DIGITS = {
    "레드와인": "1",
    "화이트와인": "2",
    "스파클링와인": "3",
    "로제와인": "4",
    "위스키": "5",
    "꼬냑/브랜디": "6",
    "보드카": "7",
    "진": "7",
    "럼": "7",
    "데킬라": "7",
    "리큐르": "8",
    "사케": "9",
}
# Typical price band (KRW) per category, for invented prices.
PRICE_BANDS = {"레드와인": (15_000, 90_000), "위스키": (30_000, 250_000), "꼬냑/브랜디": (50_000, 300_000)}
DEFAULT_BAND = (12_000, 80_000)


@dataclass(frozen=True)
class Item:
    """One catalogue item."""

    item_no: str
    name: str
    name_en: str
    category: str
    unit: str
    price: int = 0


def _label_category(producer: Producer, label_ko: str) -> str:
    """A producer's category, except for labels that say otherwise (a rosé or a white of a red house)."""
    if producer.category in ("레드와인", "화이트와인"):
        if "로제" in label_ko:
            return "로제와인"
        if any(
            w in label_ko for w in ("샤르도네", "소비뇽 블랑", "리슬링", "블랑", "샤블리", "피노 그리지오", "비앙코")
        ):
            return "화이트와인"
        if any(w in label_ko for w in ("피노 누아", "까베르네", "메를로", "쉬라즈", "말벡", "레드", "루즈", "로쏘")):
            return "레드와인"
    return producer.category


def _unit(name: str) -> str:
    return "캔" if "캔" in name.split() else "병"


def build_items(seed: int = 12) -> list[Item]:
    """The item master from the catalogue source: one item per producer label, stable numbers, invented prices."""
    rng = random.Random(seed)
    items, used = [], set()
    for producer in PRODUCERS:
        for label_ko, label_en in producer.labels:
            name = f"{producer.ko} {label_ko}".strip()
            name_en = f"{producer.en} {label_en}".strip()
            category = _label_category(producer, label_ko)
            item_no = ""
            while not item_no or item_no in used:
                item_no = f"{CATEGORY_DIGITS[category]}{rng.choice('ABCDEFGH')}{rng.randrange(10_000, 100_000)}"
            used.add(item_no)
            low, high = PRICE_BANDS.get(category, DEFAULT_BAND)
            price = round(rng.uniform(low, high), -2)
            items.append(Item(item_no, name, name_en, category, _unit(name), int(price)))
    return items


def items_csv_text(items: list[Item]) -> str:
    """The CSV text of `items` (header + one line per item, `\\n` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(item) for item in items)
    return buffer.getvalue()


def write_items(items: list[Item], path: Path) -> Path:
    """Write the item master CSV atomically."""
    return atomic_write_text(path, items_csv_text(items))


def _row_item(row: dict[str, str], line: int, path: Path) -> Item:
    for column in REQUIRED:
        if not (row.get(column) or "").strip():
            raise InputDataError(f"{path}: line {line}: field {column!r} is empty")
    price_text = (row.get("price") or "0").strip() or "0"
    try:
        price = int(float(price_text))
    except ValueError:
        raise InputDataError(f"{path}: line {line}: field 'price' is not a number: {price_text!r}") from None
    return Item(*(row[c].strip() for c in REQUIRED), price=price)


def read_items(path: Path) -> list[Item]:
    """The items of a CSV with the `COLUMNS` header (price optional); InputDataError names row and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputDataError(f"{path}: not UTF-8 text ({error})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputDataError(f"{path}: missing column(s) {', '.join(missing)}")
    items, seen = [], {}
    for line, row in enumerate(reader, start=2):
        item = _row_item(row, line, path)
        if item.item_no in seen:
            raise InputDataError(f"{path}: line {line}: item_no {item.item_no!r} repeats line {seen[item.item_no]}")
        seen[item.item_no] = line
        items.append(item)
    if not items:
        raise InputDataError(f"{path}: no items")
    return items
