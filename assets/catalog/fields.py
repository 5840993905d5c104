"""Vectorised parsers for the Danawa-style text fields of products_all.csv (pyarrow compute).

Several columns pack key/count pairs into one cell ("네이버쇼핑:120|쿠팡:80"). These helpers turn
such a column into a long table (row, key, value) with Arrow's string kernels — an order of
magnitude faster than pandas' per-element string methods — and flag the rows whose cell is
malformed, so the reader can quarantine them with a reason instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PAIR_SEPARATOR = "|"
KEY_VALUE_SEPARATOR = ":"
SPEC_SEPARATOR = " / "
NUMBER_REGEX = r"^\s*\d+(\.\d+)?\s*$"


@dataclass(frozen=True)
class ParsedPairs:
    """A pair column in long form plus the index labels of rows whose cell could not be parsed."""

    long: pd.DataFrame  # columns: row (index label of the source row), key (str), value (float)
    bad_rows: pd.Index


def _arrow_strings(cells: pd.Series) -> pa.Array:
    return pa.array(cells.to_numpy(dtype=object, na_value=""), type=pa.string())


def _explode(cells: pd.Series, separator: str) -> tuple[pa.Array, np.ndarray]:
    """Split every non-empty cell on `separator`; return the pieces and their source row labels."""
    strings = _arrow_strings(cells)
    lists = pc.split_pattern(strings, separator)
    pieces = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy()
    keep = pc.greater(pc.utf8_length(pieces), 0).to_numpy(zero_copy_only=False)
    return pieces.filter(pa.array(keep)), cells.index.to_numpy()[parents[keep]]


def _split_key_value(pieces: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    parts = pc.split_pattern(pieces, KEY_VALUE_SEPARATOR, max_splits=1)
    has_value = pc.equal(pc.list_value_length(parts), 2).to_numpy(zero_copy_only=False)
    first = pc.utf8_trim_whitespace(pc.list_element(parts, 0))
    padded = pc.if_else(pa.array(has_value), parts, pa.scalar(["", ""], type=pa.list_(pa.string())))
    second = pc.utf8_trim_whitespace(pc.list_element(padded, 1))
    return first, second, has_value


def parse_pair_column(cells: pd.Series, key_regex: str | None = None) -> ParsedPairs:
    """Parse "key:number|key:number" cells; empty cells give no pairs and are not errors.

    With `key_regex`, a key that does not fully match it makes its row malformed too.
    """
    pieces, rows = _explode(cells, PAIR_SEPARATOR)
    keys, values, has_value = _split_key_value(pieces)
    numeric = pc.match_substring_regex(values, NUMBER_REGEX).to_numpy(zero_copy_only=False)
    good = has_value & numeric & pc.greater(pc.utf8_length(keys), 0).to_numpy(zero_copy_only=False)
    if key_regex is not None:
        good &= pc.match_substring_regex(keys, f"^(?:{key_regex})$").to_numpy(zero_copy_only=False)
    bad_rows = pd.Index(pd.unique(rows[~good]))
    numbers = pc.cast(pc.if_else(pa.array(good), values, "0"), pa.float64()).to_numpy()
    keep = good & ~np.isin(rows, bad_rows)
    long = pd.DataFrame(
        {"row": rows[keep], "key": keys.filter(pa.array(keep)).to_numpy(zero_copy_only=False), "value": numbers[keep]}
    )
    return ParsedPairs(long=long, bad_rows=bad_rows)


def parse_spec_column(cells: pd.Series) -> pd.DataFrame:
    """Parse "key: value / key: value" specification cells into a long table (row, key, value).

    Pieces without a colon are kept as free-text features under the key "특징" so no information
    is lost; specifications are descriptive, so a malformed piece is never an error.
    """
    pieces, rows = _explode(cells, SPEC_SEPARATOR.strip())
    first, second, has_value = _split_key_value(pieces)
    keys = pc.if_else(pa.array(has_value), first, "특징")
    values = pc.if_else(pa.array(has_value), second, first)
    return pd.DataFrame(
        {"row": rows, "key": keys.to_numpy(zero_copy_only=False), "value": values.to_numpy(zero_copy_only=False)}
    )


def parse_integer_column(cells: pd.Series) -> pd.Series:
    """Parse integers written with optional thousands separators and a trailing 원; NaN if invalid."""
    strings = pc.replace_substring(pc.replace_substring(_arrow_strings(cells), ",", ""), "원", "")
    strings = pc.utf8_trim_whitespace(strings)
    valid = pc.match_substring_regex(strings, r"^-?\d+$").to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(valid), strings, "0"), pa.float64()).to_numpy().copy()
    numbers[~valid] = np.nan
    return pd.Series(numbers, index=cells.index)


UNIT_PRICE_PATTERN = r"^\s*(?P<basis>[^\s당][^당]*?)\s*당\s*(?P<value>\d[\d,]*(?:\.\d+)?)\s*원\s*$"


def parse_unit_price_column(cells: pd.Series) -> pd.DataFrame:
    """Split "100ml당 1,250원" into basis ("100ml") and value (1250.0); empty cells give NaN/None."""
    matched = pc.extract_regex(_arrow_strings(cells), UNIT_PRICE_PATTERN)
    basis = pc.struct_field(matched, "basis").to_numpy(zero_copy_only=False)
    value_text = pc.replace_substring(pc.struct_field(matched, "value"), ",", "")
    value = pc.cast(value_text, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.DataFrame({"unit_basis": basis, "unit_price_value": value.astype(float)}, index=cells.index)


def price_change_from_history(history: ParsedPairs, index: pd.Index) -> pd.Series:
    """Relative change from the earliest to the latest month of each row's price history."""
    long = history.long.sort_values(["row", "key"], kind="stable")
    grouped = long.groupby("row", sort=False)["value"]
    first = grouped.first()
    last = grouped.last()
    months = grouped.size()
    change = (last - first) / first.where(first > 0)
    change = change.where(months >= 2)
    return change.reindex(index)
