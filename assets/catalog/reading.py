"""Read and validate products_all.csv: encoding detection, typed columns, quarantine with reasons.

`read_products(path)` never drops a row silently: every row either lands in `products` (typed,
missing values normalised) or in `quarantine` with its 1-based CSV line number and the reason.
A file that cannot be read at all raises `InputDataError` naming the file and the problem.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assets.catalog.fields import (
    ParsedNumbers,
    ParsedPairs,
    arrow_strings,
    iter_pair_chunks,
    parse_date_column,
    parse_float_column,
    parse_integer_column,
    parse_pair_column,
    parse_unit_price_column,
    price_change_from_history,
    sorted_categorical,
)
from resources.encoding import UndecodableTextError, detect_file_encoding
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
MAX_WHOLE: dict[str, int] = {"price": 10**12, "review_count": 10**9}  # beyond these a value is a typo
CATEGORICAL_COLUMNS: tuple[str, ...] = ("category", "brand")
INTEGER_COLUMNS: tuple[str, ...] = ("price", "review_count")
HEADER_PROBE_BYTES = 1 << 16
DEFAULT_BLOCK_BYTES = 1 << 22  # Arrow's block; grown 8x at a time when one record is larger
SCAN_BLOCK_BYTES = 1 << 24
QUOTE, NEWLINE, COMMA, CARRIAGE_RETURN = ord('"'), ord("\n"), ord(","), ord("\r")


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


def read_csv_text(path: Path) -> tuple[pd.DataFrame, str]:
    """Read the CSV as stripped strings (nothing inferred), returning the frame and the detected encoding.

    Columns stay in Arrow memory (pandas' Arrow-backed string dtype); the index is each record's
    physical line number in the file (the header is line 1), also when quoted fields hold newlines.
    """
    table, encoding = read_csv_table(path)
    lines = record_lines(path, encoding, table.num_rows)
    frame = _string_frame(table, lines)
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.arrays.ArrowStringArray(pa.array([""] * len(frame))), index=frame.index)
    return frame, encoding


def _string_frame(table: pa.Table, lines: np.ndarray) -> pd.DataFrame:
    """Trimmed Arrow-backed string columns, releasing each raw column as soon as it is converted."""
    index = pd.Index(lines, name="line")
    columns: dict[str, pd.Series] = {}
    for name in list(table.column_names):
        trimmed = _trimmed(table.column(name))
        table = table.drop_columns([name])
        columns[name.strip()] = pd.Series(pd.arrays.ArrowStringArray(trimmed), index=index, copy=False)
    return pd.DataFrame(columns, copy=False)


def _trimmed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whitespace-trimmed column (Unicode whitespace), chunk by chunk: a chunk with nothing to trim is kept
    as it is and its trimmed copy dropped at once, so at most one extra chunk exists at a time.
    Comparing byte lengths is several times cheaper than a regex search for padding."""
    chunks = []
    for chunk in column.chunks:
        trimmed = pc.utf8_trim_whitespace(chunk)
        padded = pc.any(pc.not_equal(pc.binary_length(trimmed), pc.binary_length(chunk))).as_py()
        chunks.append(trimmed if padded else chunk)
    return pa.chunked_array(chunks, type=column.type)


def read_csv_table(path: Path) -> tuple[pa.Table, str]:
    """The CSV as an Arrow table of strings with the detected encoding; `InputDataError` for anything unreadable."""
    check_readable_file(path)
    encoding = _file_encoding(path)
    names = _header_names(path, encoding)
    table = _parse_csv(path, encoding, names)
    table = table.rename_columns([name.strip() for name in table.column_names])
    missing = [column for column in REQUIRED_COLUMNS if column not in table.column_names]
    if missing:
        raise InputDataError(f"{path}: missing required column(s) {', '.join(missing)}")
    if table.num_rows == 0:
        raise InputDataError(f"{path}: no data rows (only a header)")
    return table, encoding


def check_readable_file(path: Path) -> None:
    """Raise `InputDataError` unless `path` is an existing, readable regular file."""
    if path.is_dir():
        raise InputDataError(f"{path}: is a directory, not a CSV file")
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    if not path.is_file():
        raise InputDataError(f"{path}: is not a regular file")
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise InputDataError(f"{path}: cannot be read ({error.strerror or error})") from error


def _file_encoding(path: Path) -> str:
    try:
        encoding = detect_file_encoding(path)
    except UndecodableTextError as error:
        raise InputDataError(f"{path}: {error.reason}") from error
    except OSError as error:
        raise InputDataError(f"{path}: cannot be read ({error.strerror or error})") from error
    return encoding


def _header_names(path: Path, encoding: str) -> list[str]:
    """Column names as written in line 1 (quotes removed, spaces kept so Arrow's names match)."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_PROBE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    if not text.strip():
        raise InputDataError(f"{path}: file is empty")
    line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    names = next(csv.reader([line]))
    if len(names) == 1:
        for separator, word in (("\t", "tab"), (";", "semicolon"), ("|", "pipe")):
            if separator in line:
                raise InputDataError(f"{path}: line 1: expected comma-separated columns, found {word} separators")
    return names


def _parse_csv(path: Path, encoding: str, names: list[str]) -> pa.Table:
    """Arrow's multithreaded reader, every column a string, empty cells ""; a block size that fits the largest row."""
    block_size = DEFAULT_BLOCK_BYTES
    file_size = path.stat().st_size
    while True:
        try:
            return pacsv.read_csv(
                path,
                memory_pool=jemalloc_pool() or pa.default_memory_pool(),
                read_options=pacsv.ReadOptions(
                    encoding="utf8" if encoding.startswith("utf-8") else encoding, block_size=block_size
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as error:
            if "straddl" in str(error) and block_size <= file_size:
                block_size *= 8
                continue
            raise InputDataError(f"{path}: {_parse_problem(path, encoding, len(names), error)}") from error
        except (UnicodeDecodeError, pa.ArrowException) as error:
            raise InputDataError(f"{path}: not a readable CSV ({_first_line(error)})") from error


def jemalloc_pool() -> pa.MemoryPool | None:
    """Arrow's jemalloc pool set to return freed pages at once, or None where this pyarrow build has no
    jemalloc (pyarrow raises NotImplementedError then). The reader's transient block buffers do not stay
    resident: about 2x less resident memory than the default pool for the same table."""
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:
        return None
    return pool


def _first_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _parse_problem(path: Path, encoding: str, columns: int, error: BaseException) -> str:
    """Where the CSV structure breaks, by physical line; Arrow's own message when it cannot be located."""
    if not _ascii_compatible(encoding):
        return f"not a readable CSV ({_first_line(error)})"
    scan = scan_records(path)
    if scan.unclosed_quote_line is not None:
        return f"line {scan.unclosed_quote_line}: a quoted field opened here is never closed (unclosed quote)"
    wrong = np.flatnonzero(scan.field_counts != columns)
    if len(wrong):
        found = int(scan.field_counts[wrong[0]])
        return f"line {int(scan.lines[wrong[0]])}: expected {columns} comma-separated fields, found {found}"
    return f"not a readable CSV ({_first_line(error)})"


def _ascii_compatible(encoding: str) -> bool:
    return not encoding.replace("_", "-").lower().startswith(("utf-16", "utf-32"))


@dataclass(frozen=True)
class RecordScan:
    """Physical start line and field count of every non-blank CSV record (the header is record 0)."""

    lines: np.ndarray
    field_counts: np.ndarray
    unclosed_quote_line: int | None


def scan_records(path: Path) -> RecordScan:
    """Quote-aware scan of the raw bytes (numpy, block by block): records, their lines and field counts.

    A newline or comma inside double quotes belongs to the field; `""` toggles the quote state twice, so
    quote parity alone tells inside from outside (RFC 4180).
    """
    newlines, ends, commas, carriage, quotes, size = _scan_positions(path)
    if quotes % 2:
        last_quote = _last_quote_position(path)
        return RecordScan(np.array([], dtype=np.int64), np.array([], dtype=np.int64), _line_at(newlines, last_quote))
    if size and (not len(ends) or ends[-1] != size - 1):  # no newline after the last record
        ends, carriage = np.append(ends, size), np.append(carriage, False)
    starts = np.concatenate([[0], ends[:-1] + 1])
    blank = (ends == starts) | ((ends - starts == 1) & carriage)
    fields = np.bincount(np.searchsorted(ends, commas), minlength=len(ends)) + 1
    lines = np.searchsorted(newlines, starts) + 1
    return RecordScan(lines[~blank], fields[~blank], None)


def _scan_positions(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """All newline positions, record-ending newlines, commas outside quotes, CR-before-end flags, quote count."""
    newlines, ends, commas, carriage = [], [], [], []
    quotes = offset = 0
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK_BYTES):
            data = np.frombuffer(block, dtype=np.uint8)
            quote_at = np.flatnonzero(data == QUOTE)
            newline_at = np.flatnonzero(data == NEWLINE)
            comma_at = np.flatnonzero(data == COMMA)
            outside_nl = (np.searchsorted(quote_at, newline_at) + quotes) % 2 == 0
            outside_comma = (np.searchsorted(quote_at, comma_at) + quotes) % 2 == 0
            end_at = newline_at[outside_nl]
            carriage.append((end_at > 0) & (data[np.maximum(end_at - 1, 0)] == CARRIAGE_RETURN))
            newlines.append(newline_at + offset)
            ends.append(end_at + offset)
            commas.append(comma_at[outside_comma] + offset)
            quotes += len(quote_at)
            offset += len(block)
    joined = [np.concatenate(parts) if parts else np.array([], dtype=np.int64) for parts in (newlines, ends, commas)]
    flags = np.concatenate(carriage) if carriage else np.array([], dtype=bool)
    return joined[0], joined[1], joined[2], flags, quotes, offset


def _last_quote_position(path: Path) -> int:
    position = last = -1
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK_BYTES):
            position = block.rfind(b'"')
            if position >= 0:
                last = offset + position
            offset += len(block)
    return last


def _line_at(newlines: np.ndarray, position: int) -> int:
    return int(np.searchsorted(newlines, position)) + 1


def record_lines(path: Path, encoding: str, data_rows: int) -> np.ndarray:
    """Physical line number of each data record: 2, 3, … unless quoted newlines or blank lines shift them."""
    simple = np.arange(2, data_rows + 2, dtype=np.int64)
    if not _ascii_compatible(encoding) or _count_newlines(path) in (data_rows, data_rows + 1):
        return simple
    lines = scan_records(path).lines[1:]
    return lines if len(lines) == data_rows else simple


def _count_newlines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK_BYTES):
            count += block.count(b"\n")
    return count


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
    ids = raw["product_id"]
    duplicated = (ids.duplicated(keep="first") & (ids != "")).to_numpy(dtype=bool, na_value=False)
    if not duplicated.any():
        return
    first_seen = pd.Series(raw.index[~duplicated], index=ids[~duplicated].to_numpy(dtype=object))
    first_line = pd.Series(
        first_seen.reindex(ids[duplicated].to_numpy(dtype=object)).to_numpy(), index=raw.index[duplicated]
    )
    reasons.flag(
        duplicated,
        lambda m: "duplicate product_id (first seen on line " + first_line.reindex(raw.index[m]).astype(str) + ")",
    )


def _flag_integer(raw: pd.DataFrame, column: str, parsed: ParsedNumbers, reasons: _Reasons, unit: str) -> None:
    cells = raw[column]
    reasons.flag(
        parsed.invalid, lambda m: column + " " + cells[m].map(repr).astype(str) + f" is not a whole number{unit}"
    )
    reasons.flag(
        parsed.out_of_range,
        lambda m: column + " " + cells[m].map(repr).astype(str) + f" is out of range (at most {MAX_WHOLE[column]:,})",
    )


def _typed_numbers(raw: pd.DataFrame, reasons: _Reasons) -> pd.DataFrame:
    price = parse_integer_column(raw["price"], MAX_WHOLE["price"])
    _flag_integer(raw, "price", price, reasons, " of won")
    reasons.flag(price.values <= 0, "price must be positive")
    review_count = parse_integer_column(raw["review_count"], MAX_WHOLE["review_count"], empty_as="0")
    _flag_integer(raw, "review_count", review_count, reasons, "")
    reviews = review_count.values
    reasons.flag(reviews < 0, "review_count must not be negative")
    rating = parse_float_column(raw["rating"])
    reasons.flag(rating.invalid, lambda m: "rating " + raw["rating"][m].map(repr).astype(str) + " is not a number")
    reasons.flag((rating.values < 0) | (rating.values > 5), "rating outside 0..5")
    reasons.flag((reviews > 0) & rating.values.isna(), "rating missing for a product with reviews")
    collected = parse_date_column(raw["collected_at"])
    reasons.flag(collected.isna() & (raw["collected_at"] != ""), "collected_at is not a YYYY-MM-DD date")
    return pd.DataFrame(
        {
            "price": price.values,
            "review_count": reviews,
            "rating": rating.values.where(reviews > 0),
            "collected_at": collected,
        }
    )


def _star_columns(raw: pd.DataFrame, review_count: pd.Series, rating: pd.Series, reasons: _Reasons) -> pd.DataFrame:
    tables = [_star_chunk(index, parsed, reasons) for index, parsed in iter_pair_chunks(raw["star_counts"])]
    wide = pd.concat(tables) if len(tables) > 1 else tables[0]
    has_stars = wide.notna().any(axis=1)
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


def _star_chunk(index: pd.Index, parsed: ParsedPairs, reasons: _Reasons) -> pd.DataFrame:
    """Flag malformed star cells of one chunk of rows and return its counts per star level."""
    reasons.flag_rows(parsed.bad_rows, "star_counts is not 'stars:count|…'")
    long = parsed.long
    keys = long["key"].cat
    star = pd.to_numeric(pd.Series(keys.categories), errors="coerce").to_numpy(dtype=float)[keys.codes.to_numpy()]
    bad_star = long.loc[~np.isin(star, STAR_LEVELS), "row"].unique()
    reasons.flag_rows(pd.Index(bad_star), "star_counts has a star level outside 1..5")
    return _star_table(index, long["row"].to_numpy(), star, long["value"].to_numpy())


def _star_table(index: pd.Index, rows: np.ndarray, star: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    """Counts per star level (columns 1..5) for every row; NaN for rows without star counts (bincount, no pivot)."""
    positions = index.get_indexer(rows)
    valid = np.isin(star, STAR_LEVELS)
    has_stars = np.bincount(positions[valid], minlength=len(index)) > 0
    table = {}
    for level in STAR_LEVELS:
        at_level = valid & (star == level)
        sums = np.bincount(positions[at_level], weights=counts[at_level], minlength=len(index))
        table[level] = np.where(has_stars, sums, np.nan)
    return pd.DataFrame(table, index=index)


def _validate_pair_field(raw: pd.DataFrame, column: str, reasons: _Reasons, example: str) -> pd.DataFrame:
    parsed = parse_pair_column(raw[column])
    reasons.flag_rows(parsed.bad_rows, f"{column} is not '{example}'")
    return parsed.long


def _price_history(raw: pd.DataFrame, reasons: _Reasons) -> pd.Series:
    changes = []
    for index, parsed in iter_pair_chunks(raw["price_history"], key_regex=r"\d{4}-\d{2}"):
        reasons.flag_rows(parsed.bad_rows, "price_history is not 'YYYY-MM:price|…'")
        changes.append(price_change_from_history(parsed, index))
    return pd.concat(changes) if len(changes) > 1 else changes[0]


def _unit_price(raw: pd.DataFrame, reasons: _Reasons) -> pd.DataFrame:
    parsed = parse_unit_price_column(raw["unit_price"])
    reasons.flag(
        parsed["unit_price_value"].isna() & (raw["unit_price"] != ""), "unit_price is not like '100ml당 1,250원'"
    )
    return parsed


def _reindex_pairs(long: pd.DataFrame, valid_lines: pd.Index, any_bad: bool) -> pd.DataFrame:
    """Keep the pairs of valid rows, renumbered to the positions of the returned products (in place
    when every row is valid: the line numbers are sorted, so a binary search maps them)."""
    if any_bad:
        long = long.loc[long["row"].isin(valid_lines)].reset_index(drop=True)
    long["row"] = np.searchsorted(valid_lines.to_numpy(), long["row"].to_numpy())
    return long


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
    typed = {
        "brand": _filled(raw["brand"], UNKNOWN_BRAND),
        "price": numbers["price"],
        "review_count": numbers["review_count"],
        "rating": numbers["rating"],
        "collected_at": numbers["collected_at"],
        "price_change_6m": change,
        **{column: unit[column] for column in unit.columns},
        **{column: stars[column] for column in stars.columns},
    }
    keep = ~reasons.flagged
    products = _products_frame(raw, keep, typed)
    quarantine = raw.iloc[np.flatnonzero(~keep)].assign(reason=reasons.reason[~keep])
    pairs = {column: _reindex_pairs(long, products.index, not keep.all()) for column, long in pairs.items()}
    return products.reset_index(), quarantine.reset_index(), normalized, pairs


def _products_frame(raw: pd.DataFrame, keep: np.ndarray, typed: dict[str, pd.Series]) -> pd.DataFrame:
    """The valid rows in one construction (no assign/astype copies): raw text columns, typed columns in
    their place or appended, whole numbers as int64, category and brand as sorted Categoricals."""
    rows = np.flatnonzero(keep) if not keep.all() else None
    columns: dict[str, Any] = {}
    for name in [*raw.columns, *(name for name in typed if name not in raw.columns)]:
        column = typed[name] if name in typed else raw[name]
        column = column if rows is None else column.iloc[rows]
        if name in CATEGORICAL_COLUMNS:
            column = sorted_categorical(arrow_strings(column))
        elif name in INTEGER_COLUMNS:
            column = column.to_numpy().astype("int64")
        columns[name] = column.array if isinstance(column, pd.Series) else column
    return pd.DataFrame(columns, index=raw.index if rows is None else raw.index[rows], copy=False)


def _filled(column: pd.Series, fill: str) -> pd.Series:
    """Empty cells replaced by `fill`, computed in Arrow (pandas' replace would go through Python strings)."""
    strings = arrow_strings(column)
    return pd.Series(pd.arrays.ArrowStringArray(pc.if_else(pc.equal(strings, ""), fill, strings)), index=column.index)


def read_products(path: str | Path) -> ProductsReadResult:
    """Read, type and validate a products CSV; see the module docstring for the guarantees."""
    path = Path(path)
    raw, encoding = read_csv_text(path)
    products, quarantine, normalized, pairs = validate_products(raw)
    return ProductsReadResult(products, quarantine, encoding, path, len(raw), normalized, pairs)
