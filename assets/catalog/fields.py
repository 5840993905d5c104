"""Vectorised parsers for the Danawa-style text fields of products_all.csv (pyarrow compute).

Several columns pack key/count pairs into one cell ("네이버쇼핑:120|쿠팡:80"). These helpers turn
such a column into a long table (row, key, value) with Arrow's string kernels — an order of
magnitude faster than pandas' per-element string methods — and flag the rows whose cell is
malformed, so the reader can quarantine them with a reason instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PAIR_SEPARATOR = "|"
KEY_VALUE_SEPARATOR = ":"
SPEC_SEPARATOR = " / "
SPEC_KEY_VALUE_SEPARATOR = ": "
NUMBER_REGEX = r"^\s*\d+(\.\d+)?\s*$"
CHUNK_ROWS = 100_000  # rows parsed at a time (bounds the temporary Arrow arrays of a big column)
MAX_PAIR_VALUE = 10**12  # a count or price inside a pair cell beyond this is a typo, not data
MAX_DIGITS = 15  # float64 holds every integer of up to 15 digits exactly
FLOAT_REGEX = r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"
# Cells already in canonical form take a fast path (one regex, one split); every other non-empty cell
# goes through the general, forgiving parser. Both give the same pairs for a canonical cell.
TRIMMED_CLASS = r"\s\x0b\x85\p{Z}"  # the characters utf8_trim_whitespace removes
_CLEAN_KEY = rf"[^|:{TRIMMED_CLASS}](?:[^|:]*[^|:{TRIMMED_CLASS}])?"
_CLEAN_NUMBER = r"\d+(?:\.\d+)?"
CLEAN_PAIRS_REGEX = rf"^{_CLEAN_KEY}:{_CLEAN_NUMBER}(?:\|{_CLEAN_KEY}:{_CLEAN_NUMBER})*$"
_CLEAN_SPEC_TEXT = rf"[^/:{TRIMMED_CLASS}](?:[^/:]*[^/:{TRIMMED_CLASS}])?"
CLEAN_SPEC_REGEX = rf"^{_CLEAN_SPEC_TEXT}: {_CLEAN_SPEC_TEXT}(?: / {_CLEAN_SPEC_TEXT}: {_CLEAN_SPEC_TEXT})*$"


@dataclass(frozen=True)
class ParsedPairs:
    """A pair column in long form plus the index labels of rows whose cell could not be parsed."""

    long: pd.DataFrame  # columns: row (index label of the source row), key (str), value (float)
    bad_rows: pd.Index


def arrow_strings(cells: pd.Series) -> pa.Array:
    """The column as one Arrow string array: zero-copy for Arrow-backed columns, converted otherwise."""
    if hasattr(cells.array, "__arrow_array__"):
        arrow = pa.array(cells.array)
        arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        return pc.fill_null(arrow.cast(pa.string()), "")
    return pa.array(cells.to_numpy(dtype=object, na_value=""), type=pa.string())


def sorted_categorical(values: pa.Array | pa.ChunkedArray) -> pd.Categorical:
    """Arrow strings as a pandas Categorical whose categories are sorted, so sorting by it is lexicographic."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], type=values.type)
    encoded = values.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)  # null -> missing
    return pd.Categorical.from_codes(codes, categories=dictionary).reorder_categories(sorted(dictionary))


def _explode(strings: pa.Array, labels: np.ndarray, separator: str) -> tuple[pa.Array, np.ndarray]:
    """Split every non-empty cell on `separator`; return the pieces and their source row labels."""
    lists = pc.split_pattern(strings, separator)
    pieces = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy()
    keep = pc.greater(pc.utf8_length(pieces), 0).to_numpy(zero_copy_only=False)
    return pieces.filter(pa.array(keep)), labels[parents[keep]]


def _in_chunks(cells: pd.Series) -> Iterator[tuple[pa.Array, np.ndarray]]:
    """The column as Arrow strings with their row labels, about `CHUNK_ROWS` rows at a time, so the
    intermediate split/flatten arrays of a million-row column never exist all at once (and an
    Arrow-backed column is never copied whole)."""
    column = pa.array(cells.array) if hasattr(cells.array, "__arrow_array__") else arrow_strings(cells)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    labels = cells.index.to_numpy()
    group: list[pa.Array] = []
    start = size = 0
    for chunk in [*chunks, None]:
        if chunk is not None:
            group.append(pc.fill_null(chunk.cast(pa.string()), ""))
            size += len(chunk)
        if size and (size >= CHUNK_ROWS or chunk is None):
            yield pa.concat_arrays(group), labels[start : start + size]
            start, size, group = start + size, 0, []
    if not len(labels):
        yield pa.array([], type=pa.string()), labels


def _split_key_value(pieces: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    parts = pc.split_pattern(pieces, KEY_VALUE_SEPARATOR, max_splits=1)
    has_value = pc.equal(pc.list_value_length(parts), 2).to_numpy(zero_copy_only=False)
    first = pc.utf8_trim_whitespace(pc.list_element(parts, 0))
    padded = pc.if_else(pa.array(has_value), parts, pa.scalar(["", ""], type=pa.list_(pa.string())))
    second = pc.utf8_trim_whitespace(pc.list_element(padded, 1))
    return first, second, has_value


def _pair_chunk(
    strings: pa.Array, labels: np.ndarray, key_regex: str | None
) -> tuple[np.ndarray, pa.Array, np.ndarray, np.ndarray]:
    """Parse one chunk: kept row labels, keys (Arrow), values, and the labels of malformed rows."""
    clean = pc.match_substring_regex(strings, CLEAN_PAIRS_REGEX).to_numpy(zero_copy_only=False)
    others = ~clean & (pc.binary_length(strings).to_numpy(zero_copy_only=False) > 0)
    positions, keys, numbers = _split_clean(
        _subset(strings, clean), np.flatnonzero(clean), PAIR_SEPARATOR, KEY_VALUE_SEPARATOR
    )
    good = np.ones(len(positions), dtype=bool)
    if others.any():
        other_positions, other_keys, other_numbers, other_good = _general_pairs(
            _subset(strings, others), np.flatnonzero(others)
        )
        positions, keys, numbers, good = _merge_in_row_order(
            (positions, keys, numbers, good), (other_positions, other_keys, other_numbers, other_good)
        )
    if key_regex is not None:
        good &= pc.match_substring_regex(keys, f"^(?:{key_regex})$").to_numpy(zero_copy_only=False)
    good &= numbers <= MAX_PAIR_VALUE
    rows = labels[positions]
    bad = pd.unique(rows[~good])
    keep = good & ~np.isin(rows, bad) if len(bad) else good
    if keep.all():
        return rows, keys, numbers, bad
    return rows[keep], keys.filter(pa.array(keep)), numbers[keep], bad


def _subset(strings: pa.Array, mask: np.ndarray) -> pa.Array:
    return strings if mask.all() else strings.filter(pa.array(mask))


def _split_clean(
    strings: pa.Array, positions: np.ndarray, separator: str, key_value_separator: str, numeric: bool = True
) -> tuple[np.ndarray, pa.Array, Any]:
    """Cells in canonical form (pieces joined by `separator`, each exactly one key and one value joined by
    `key_value_separator`, nothing to trim): one split on both separators, keys at even and values at odd
    places; values as float64 if `numeric`."""
    parts = pc.split_pattern(pc.replace_substring(strings, separator, key_value_separator), key_value_separator)
    flat = pc.list_flatten(parts)
    even = pa.array(np.arange(0, len(flat), 2))
    odd = pa.array(np.arange(1, len(flat), 2))
    parents = pc.list_parent_indices(parts).to_numpy()[::2]
    values = flat.take(odd)
    values = pc.cast(values, pa.float64()).to_numpy() if numeric else values
    return positions[parents], flat.take(even), values


def _general_pairs(strings: pa.Array, positions: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray, np.ndarray]:
    """Any cells: pieces trimmed, empty pieces skipped; `good` is False for a piece without a colon, with
    an empty key or with a value that is not a plain number."""
    pieces, piece_positions = _explode(strings, positions, PAIR_SEPARATOR)
    keys, values, has_value = _split_key_value(pieces)
    numeric = pc.match_substring_regex(values, NUMBER_REGEX).to_numpy(zero_copy_only=False)
    good = has_value & numeric & pc.greater(pc.utf8_length(keys), 0).to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(good), values, "0"), pa.float64()).to_numpy()
    return piece_positions, keys, numbers, good


def _merge_in_row_order(*parts: tuple[Any, ...]) -> tuple[Any, ...]:
    """Concatenate (positions, keys, values, …) from both paths, back in row order (pieces of a row
    stay in their written order: a stable sort, and every row comes from one path)."""
    positions = np.concatenate([part[0] for part in parts])
    order = np.argsort(positions, kind="stable")
    keys = pa.concat_arrays([part[1] for part in parts]).take(pa.array(order))
    rest = []
    for column in zip(*(part[2:] for part in parts)):
        if isinstance(column[0], pa.Array):
            rest.append(pa.concat_arrays(list(column)).take(pa.array(order)))
        else:
            rest.append(np.concatenate(column)[order])
    return (positions[order], keys, *rest)


def _pairs(parts: list[tuple[np.ndarray, pa.Array, np.ndarray, np.ndarray]]) -> ParsedPairs:
    rows, keys, values, bad = zip(*parts)
    long = pd.DataFrame(
        {
            "row": np.concatenate(rows),
            "key": sorted_categorical(pa.chunked_array(keys, type=pa.string())),
            "value": np.concatenate(values),
        }
    )
    return ParsedPairs(long=long, bad_rows=pd.Index(np.concatenate(bad)))


def iter_pair_chunks(cells: pd.Series, key_regex: str | None = None) -> Iterator[tuple[pd.Index, ParsedPairs]]:
    """`parse_pair_column` a chunk of rows at a time: (the chunk's row labels, its parsed pairs).

    For callers that reduce each row's pairs to a few numbers, so the long table of a million-row
    column never exists at once."""
    for strings, labels in _in_chunks(cells):
        yield pd.Index(labels), _pairs([_pair_chunk(strings, labels, key_regex)])


def parse_pair_column(cells: pd.Series, key_regex: str | None = None) -> ParsedPairs:
    """Parse "key:number|key:number" cells; empty cells give no pairs and are not errors.

    With `key_regex`, a key that does not fully match it makes its row malformed too, as does a number
    above `MAX_PAIR_VALUE`. Keys come back as a Categorical with sorted categories (small in memory).
    """
    return _pairs([_pair_chunk(strings, labels, key_regex) for strings, labels in _in_chunks(cells)])


def _spec_chunk(strings: pa.Array, labels: np.ndarray) -> tuple[np.ndarray, pa.Array, pa.Array]:
    clean = pc.match_substring_regex(strings, CLEAN_SPEC_REGEX).to_numpy(zero_copy_only=False)
    others = ~clean & (pc.binary_length(strings).to_numpy(zero_copy_only=False) > 0)
    positions, keys, values = _split_clean(
        _subset(strings, clean), np.flatnonzero(clean), SPEC_SEPARATOR, SPEC_KEY_VALUE_SEPARATOR, numeric=False
    )
    if others.any():
        other = _general_specs(_subset(strings, others), np.flatnonzero(others))
        positions, keys, values = _merge_in_row_order((positions, keys, values), other)
    return labels[positions], keys, values


def _general_specs(strings: pa.Array, positions: np.ndarray) -> tuple[np.ndarray, pa.Array, pa.Array]:
    pieces, piece_positions = _explode(strings, positions, SPEC_SEPARATOR.strip())
    first, second, has_value = _split_key_value(pieces)
    keys = pc.if_else(pa.array(has_value), first, "특징")
    values = pc.if_else(pa.array(has_value), second, first)
    return piece_positions, keys, values


def parse_spec_column(cells: pd.Series) -> pd.DataFrame:
    """Parse "key: value / key: value" specification cells into a long table (row, key, value).

    Pieces without a colon are kept as free-text features under the key "특징" so no information
    is lost; specifications are descriptive, so a malformed piece is never an error.
    """
    rows, keys, values = zip(*(_spec_chunk(strings, labels) for strings, labels in _in_chunks(cells)))
    return pd.DataFrame(
        {
            "row": np.concatenate(rows),
            "key": sorted_categorical(pa.chunked_array(keys, type=pa.string())),
            "value": sorted_categorical(pa.chunked_array(values, type=pa.string())),
        }
    )


@dataclass(frozen=True)
class ParsedNumbers:
    """A parsed numeric column: values (NaN where invalid or out of range) and the two failure masks."""

    values: pd.Series
    invalid: np.ndarray
    out_of_range: np.ndarray


def parse_integer_column(cells: pd.Series, maximum: int, empty_as: str | None = None) -> ParsedNumbers:
    """Parse integers written with optional thousands separators and a trailing 원.

    A value whose magnitude exceeds `maximum` (or that has more than 15 digits) is out of range, never
    wrapped or rounded; `empty_as` substitutes a text for empty cells before parsing.
    """
    strings = arrow_strings(cells)
    if empty_as is not None:
        strings = pc.if_else(pc.equal(strings, ""), empty_as, strings)
    strings = pc.utf8_trim_whitespace(pc.replace_substring(pc.replace_substring(strings, ",", ""), "원", ""))
    valid = pc.match_substring_regex(strings, r"^-?\d+$").to_numpy(zero_copy_only=False)
    digits = pc.utf8_length(pc.utf8_ltrim(strings, characters="-"))
    too_long = pc.greater(digits, MAX_DIGITS).to_numpy(zero_copy_only=False) & valid
    numbers = pc.cast(pc.if_else(pa.array(valid & ~too_long), strings, "0"), pa.float64()).to_numpy().copy()
    out_of_range = too_long | (valid & (np.abs(numbers) > maximum))
    numbers[~valid | out_of_range] = np.nan
    return ParsedNumbers(pd.Series(numbers, index=cells.index), ~valid, out_of_range)


def parse_float_column(cells: pd.Series) -> ParsedNumbers:
    """Parse decimal numbers; empty cells are NaN and not invalid; nothing is out of range."""
    strings = pc.utf8_trim_whitespace(arrow_strings(cells))
    valid = pc.match_substring_regex(strings, FLOAT_REGEX).to_numpy(zero_copy_only=False)
    empty = pc.equal(strings, "").to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(valid), strings, "0"), pa.float64()).to_numpy().copy()
    numbers[~valid] = np.nan
    return ParsedNumbers(pd.Series(numbers, index=cells.index), ~valid & ~empty, np.zeros(len(numbers), dtype=bool))


def parse_date_column(cells: pd.Series, date_format: str = "%Y-%m-%d") -> pd.Series:
    """Parse dates (NaT for empty or invalid cells) as datetime64[ns]."""
    parsed = pc.strptime(arrow_strings(cells), format=date_format, unit="s", error_is_null=True)
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=cells.index).astype("datetime64[ns]")


UNIT_PRICE_PATTERN = r"^\s*(?P<basis>[^\s당][^당]*?)\s*당\s*(?P<value>\d[\d,]*(?:\.\d+)?)\s*원\s*$"


def parse_unit_price_column(cells: pd.Series) -> pd.DataFrame:
    """Split "100ml당 1,250원" into basis ("100ml") and value (1250.0); empty cells give NaN/None."""
    matched = pc.extract_regex(arrow_strings(cells), UNIT_PRICE_PATTERN)
    basis = sorted_categorical(pc.struct_field(matched, "basis"))
    value_text = pc.replace_substring(pc.struct_field(matched, "value"), ",", "")
    value = pc.cast(value_text, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.DataFrame({"unit_basis": basis, "unit_price_value": value.astype(float)}, index=cells.index)


def price_change_from_history(history: ParsedPairs, index: pd.Index) -> pd.Series:
    """Relative change from the earliest to the latest month of each row's price history."""
    first, last, months = _first_and_last_months(history.long)
    change = (last - first) / first.where(first > 0)
    change = change.where(months >= 2)
    return change.reindex(index)


def _first_and_last_months(long: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per row: the price of its earliest and of its latest month, and how many months it has. Histories
    written oldest first (as the generator and Danawa exports do) need no sort; others are sorted."""
    rows = long["row"].to_numpy()
    months = long["key"].cat.codes.to_numpy()  # the categories are sorted, so codes order months
    same_row = rows[1:] == rows[:-1]
    if np.all(rows[1:] >= rows[:-1]) and np.all(months[1:][same_row] > months[:-1][same_row]):
        values = long["value"].to_numpy()
        if not len(rows):  # no valid history at all: empty per-row series
            starts = ends = np.array([], dtype=np.int64)
        else:
            starts = np.flatnonzero(np.concatenate([[True], ~same_row]))
            ends = np.append(starts[1:], len(rows)) - 1
        labels = pd.Index(rows[starts], name="row")
        return (
            pd.Series(values[starts], index=labels),
            pd.Series(values[ends], index=labels),
            pd.Series(ends - starts + 1, index=labels),
        )
    ordered = long.sort_values(["row", "key"], kind="stable")
    grouped = ordered.groupby("row", sort=False)["value"]
    return grouped.first(), grouped.last(), grouped.size()
