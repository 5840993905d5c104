"""Read and validate products_all.csv: encoding detection, typed columns, quarantine with reasons.

`read_products(path)` never drops a row silently: every row either lands in `products` (typed,
missing values normalised) or in `quarantine` with its 1-based CSV line number and the reason.
A file that cannot be read at all raises `InputDataError` naming the file and the problem.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assets.catalog.fields import (
    parse_integer_column,
    parse_pair_column,
    parse_unit_price_column,
    price_change_from_history,
)
from resources.errors import InputDataError

REQUIRED_COLUMNS: tuple[str, ...] = ("product_id", "category", "product_name", "brand", "price", "review_count")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "unit_price",
    "specifications",
    "rating",
    "star_counts",
    "review_channels",
    "review_tags",
    "price_history",
    "collected_at",
)
STAR_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
UNKNOWN_BRAND = "브랜드 미상"
RATING_TOLERANCE = 0.051  # ratings are shown with one decimal


@dataclass
class ProductsReadResult:
    """Validated products, quarantined rows with reasons, and how the file was read."""

    products: pd.DataFrame
    quarantine: pd.DataFrame
    encoding: str
    source: Path
    total_rows: int
    normalized: dict[str, int] = field(default_factory=dict)
    # Long (row, key, value) tables of the pair columns the metrics need, rows = `products` index.
    parsed_pairs: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def quarantine_ratio(self) -> float:
        return len(self.quarantine) / self.total_rows if self.total_rows else 0.0


def detect_encoding(raw: bytes, path: Path) -> str:
    """UTF-8 with BOM, UTF-8, or CP949 (a superset of EUC-KR); charset-normalizer as a last resort."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp949"):
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise InputDataError(f"{path}: cannot detect the text encoding (tried UTF-8, UTF-8 with BOM, CP949)")
    return best.encoding


def read_csv_text(path: Path) -> tuple[pd.DataFrame, str]:
    """Read the CSV as stripped strings (nothing inferred), returning the frame and the detected encoding."""
    if not path.is_file():
        raise InputDataError(f"{path}: file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputDataError(f"{path}: file is empty")
    encoding = detect_encoding(raw, path)
    table = _parse_csv_bytes(raw, encoding, path)
    missing = [column for column in REQUIRED_COLUMNS if column not in table.column_names]
    if missing:
        raise InputDataError(f"{path}: missing required column(s) {', '.join(missing)}")
    frame = pd.DataFrame(
        {name: pc.utf8_trim_whitespace(table[name]).to_numpy() for name in table.column_names},
        index=pd.RangeIndex(2, table.num_rows + 2, name="line"),  # the header is line 1
    )
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame, encoding


def _parse_csv_bytes(raw: bytes, encoding: str, path: Path) -> pa.Table:
    """Parse with Arrow's multithreaded CSV reader; every column as a string, empty cells as ""."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    header = raw.split(b"\n", 1)[0].decode(encoding.replace("utf-8-sig", "utf-8")).strip().split(",")
    names = [name.strip().strip('"') for name in header]
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(encoding="utf8" if encoding.startswith("utf-8") else encoding),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise InputDataError(f"{path}: not a readable CSV ({str(error).splitlines()[0]})") from error
    return table.rename_columns([name.strip() for name in table.column_names])


class _Reasons:
    """Collects the first failure reason of each row."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series("", index=index, dtype=object)
        self.flagged = np.zeros(len(index), dtype=bool)

    def flag(self, mask: pd.Series | np.ndarray, message: str | Callable[[np.ndarray], pd.Series]) -> None:
        """Give `message` to the rows in `mask` that have no reason yet; a callable builds per-row
        messages for just those rows (so nothing is formatted for the valid ones)."""
        values = (
            mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else np.asarray(mask, dtype=bool)
        )
        new = values & ~self.flagged
        if not new.any():
            return
        self.flagged |= new
        self.reason[new] = message(new).to_numpy() if callable(message) else message

    def flag_rows(self, rows: pd.Index, message: str) -> None:
        self.flag(self.reason.index.isin(rows), message)


def _validate_identity(raw: pd.DataFrame, reasons: _Reasons) -> None:
    for column in ("product_id", "category", "product_name"):
        reasons.flag(raw[column] == "", f"{column} is empty")
    duplicated = raw["product_id"].duplicated(keep="first") & (raw["product_id"] != "")
    first_line = raw.reset_index().groupby("product_id")["line"].transform("first").to_numpy()
    first_line = pd.Series(first_line, index=raw.index)
    reasons.flag(duplicated, lambda m: "duplicate product_id (first seen on line " + first_line[m].astype(str) + ")")


def _typed_numbers(raw: pd.DataFrame, reasons: _Reasons) -> pd.DataFrame:
    price = parse_integer_column(raw["price"])
    reasons.flag(price.isna(), lambda m: "price " + raw["price"][m].map(repr) + " is not a whole number of won")
    reasons.flag(price <= 0, "price must be positive")
    review_count = parse_integer_column(raw["review_count"].replace("", "0"))
    reasons.flag(
        review_count.isna(), lambda m: "review_count " + raw["review_count"][m].map(repr) + " is not a whole number"
    )
    reasons.flag(review_count < 0, "review_count must not be negative")
    rating = pd.to_numeric(raw["rating"].replace("", np.nan), errors="coerce")
    reasons.flag(
        rating.isna() & (raw["rating"] != ""), lambda m: "rating " + raw["rating"][m].map(repr) + " is not a number"
    )
    reasons.flag((rating < 0) | (rating > 5), "rating outside 0..5")
    reasons.flag((review_count > 0) & rating.isna(), "rating missing for a product with reviews")
    collected = pd.to_datetime(raw["collected_at"].replace("", np.nan), errors="coerce", format="%Y-%m-%d")
    reasons.flag(collected.isna() & (raw["collected_at"] != ""), "collected_at is not a YYYY-MM-DD date")
    return pd.DataFrame(
        {
            "price": price,
            "review_count": review_count,
            "rating": rating.where(review_count > 0),
            "collected_at": collected,
        }
    )


def _star_columns(raw: pd.DataFrame, review_count: pd.Series, rating: pd.Series, reasons: _Reasons) -> pd.DataFrame:
    parsed = parse_pair_column(raw["star_counts"])
    reasons.flag_rows(parsed.bad_rows, "star_counts is not 'stars:count|…'")
    long = parsed.long
    long = long.assign(star=pd.to_numeric(long["key"], errors="coerce"))
    bad_star = long.loc[~long["star"].isin(STAR_LEVELS), "row"].unique()
    reasons.flag_rows(pd.Index(bad_star), "star_counts has a star level outside 1..5")
    wide = long[long["star"].isin(STAR_LEVELS)].pivot_table(
        index="row", columns="star", values="value", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(index=raw.index, columns=list(STAR_LEVELS))
    has_stars = wide.notna().any(axis=1)
    wide = wide.where(has_stars, np.nan)
    star_total = wide.sum(axis=1, min_count=1)
    mismatch = has_stars & (star_total != review_count)
    reasons.flag(
        mismatch,
        lambda m: (
            "star_counts sum "
            + star_total[m].map("{:.0f}".format)
            + " != review_count "
            + review_count[m].map("{:.0f}".format)
        ),
    )
    star_mean = (wide * np.array(STAR_LEVELS)).sum(axis=1) / star_total
    reasons.flag(has_stars & ((star_mean - rating).abs() > RATING_TOLERANCE), "rating disagrees with star_counts")
    return wide.rename(columns={level: f"stars_{level}" for level in STAR_LEVELS})


def _validate_pair_field(raw: pd.DataFrame, column: str, reasons: _Reasons, example: str) -> pd.DataFrame:
    parsed = parse_pair_column(raw[column])
    reasons.flag_rows(parsed.bad_rows, f"{column} is not '{example}'")
    return parsed.long


def _price_history(raw: pd.DataFrame, reasons: _Reasons) -> pd.Series:
    parsed = parse_pair_column(raw["price_history"], key_regex=r"\d{4}-\d{2}")
    reasons.flag_rows(parsed.bad_rows, "price_history is not 'YYYY-MM:price|…'")
    return price_change_from_history(parsed, raw.index)


def _unit_price(raw: pd.DataFrame, reasons: _Reasons) -> pd.DataFrame:
    parsed = parse_unit_price_column(raw["unit_price"])
    reasons.flag(
        parsed["unit_price_value"].isna() & (raw["unit_price"] != ""), "unit_price is not like '100ml당 1,250원'"
    )
    return parsed


def _reindex_pairs(long: pd.DataFrame, valid_lines: pd.Index) -> pd.DataFrame:
    """Keep the pairs of valid rows, renumbered to the positions of the returned products."""
    position = pd.Series(np.arange(len(valid_lines)), index=valid_lines)
    kept = long[long["row"].isin(valid_lines)]
    return kept.assign(row=position.reindex(kept["row"]).to_numpy())


def validate_products(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], dict[str, pd.DataFrame]]:
    """Split raw string rows into typed valid products and quarantined rows (with `reason`); also
    return the parsed channel and tag pairs of the valid rows (see `ProductsReadResult.parsed_pairs`)."""
    reasons = _Reasons(raw.index)
    _validate_identity(raw, reasons)
    numbers = _typed_numbers(raw, reasons)
    stars = _star_columns(raw, numbers["review_count"], numbers["rating"], reasons)
    pairs = {
        "review_channels": _validate_pair_field(raw, "review_channels", reasons, "channel:count|…"),
        "review_tags": _validate_pair_field(raw, "review_tags", reasons, "keyword:count|…"),
    }
    change = _price_history(raw, reasons)
    unit = _unit_price(raw, reasons)
    normalized = {
        "brand_missing_to_unknown": int((raw["brand"] == "").sum()),
        "review_count_missing_to_zero": int((raw["review_count"] == "").sum()),
    }
    typed = raw.assign(
        brand=raw["brand"].replace("", UNKNOWN_BRAND),
        price=numbers["price"],
        review_count=numbers["review_count"],
        rating=numbers["rating"],
        collected_at=numbers["collected_at"],
        price_change_6m=change,
        **{column: unit[column] for column in unit.columns},
        **{column: stars[column] for column in stars.columns},
    )
    bad = reasons.flagged
    products = typed[~bad].astype({"price": "int64", "review_count": "int64"})
    quarantine = raw[bad].assign(reason=reasons.reason[bad])
    valid_lines = raw.index[~bad]
    pairs = {column: _reindex_pairs(long, valid_lines) for column, long in pairs.items()}
    return products.reset_index(), quarantine.reset_index(), normalized, pairs


def read_products(path: str | Path) -> ProductsReadResult:
    """Read, type and validate a products CSV; see the module docstring for the guarantees."""
    path = Path(path)
    raw, encoding = read_csv_text(path)
    products, quarantine, normalized, pairs = validate_products(raw)
    return ProductsReadResult(products, quarantine, encoding, path, len(raw), normalized, pairs)
