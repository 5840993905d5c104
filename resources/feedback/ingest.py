"""Read a feedback file (JSONL or CSV) into `AnswerFeedback` records and per-line rejections.

Each JSONL line or CSV record is one row with the fields `task` ("qa" | "bullets"), `input`,
`output`, `rating` (1–5), and optionally `correction`, `model_version` and `created_at` (ISO 8601
with a UTC offset; absent: the time of storing). A row with a problem — bad JSON, a missing or
unknown field, an out-of-range value — becomes a `Rejection` naming its line (the first line of a
multi-line CSV record) and every reason; nothing is dropped without a line in the report. A file
that cannot be read at all (missing, undecodable, unknown extension, no header) raises `InputDataError`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from resources.errors import InputDataError
from resources.feedback.records import AnswerFeedback
from resources.feedback.validation import feedback_problems

REQUIRED_FIELDS = ("task", "input", "output", "rating")
OPTIONAL_FIELDS = ("correction", "model_version", "created_at")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ParsedFeedback:
    """Good records with their line numbers, and the rejected lines."""

    records: list[AnswerFeedback] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.rejections)


def _rating(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        return None, f"rating {value!r} is not a whole number"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip()), None
    return None, f"rating {value!r} is not a whole number"


def _created_at(value: Any) -> tuple[datetime | None, str | None]:
    if value in (None, ""):
        return None, None
    if not isinstance(value, str):
        return None, f"created_at {value!r} is not an ISO 8601 text"
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")), None
    except ValueError:
        return None, f"created_at {value!r} is not an ISO 8601 date and time"


def record_from_mapping(row: dict[str, Any]) -> tuple[AnswerFeedback | None, list[str]]:
    """One record from a parsed row, or None and every problem found."""
    problems = [f"missing field {name!r}" for name in REQUIRED_FIELDS if row.get(name) in (None, "")]
    unknown = sorted(set(row) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(map(repr, unknown))}")
    if problems:
        return None, problems
    rating, rating_problem = _rating(row["rating"])
    created_at, time_problem = _created_at(row.get("created_at"))
    problems = [p for p in (rating_problem, time_problem) if p]
    if problems:
        return None, problems
    optional = {name: (row.get(name) or None) for name in ("correction", "model_version")}
    record = AnswerFeedback(
        task=row["task"], input=row["input"], output=row["output"], rating=rating, created_at=created_at, **optional
    )
    problems = feedback_problems(record)
    return (None, problems) if problems else (record, [])


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, None, f"not valid JSON ({error.msg} at column {error.colno})"
            continue
        if not isinstance(value, dict):
            yield number, None, f"expected a JSON object, got {type(value).__name__}"
            continue
        yield number, value, None


def _csv_rows(text: str, path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputDataError(f"{path}: the CSV file is empty (no header row)") from None
    except csv.Error as error:
        raise InputDataError(f"{path}: line 1: the CSV header cannot be read ({error})") from None
    header = [name.strip() for name in header]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, f"malformed CSV ({error})"
            start = reader.line_num + 1
            continue
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield number, None, f"{len(cells)} fields, the header has {len(header)}"
            continue
        yield number, dict(zip(header, cells)), None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputDataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputDataError(f"{path}: is a directory, expected a JSONL or CSV file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputDataError(f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8") from None


def parse_feedback_file(path: str | Path) -> ParsedFeedback:
    """Good records and rejections of a `.jsonl`/`.ndjson`/`.json` (one object per line) or `.csv` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in JSONL_SUFFIXES + CSV_SUFFIXES:
        raise InputDataError(f"{path}: unknown feedback file type {suffix or '(none)'!r}; use .jsonl or .csv")
    text = _read_text(path)
    rows = _jsonl_rows(text) if suffix in JSONL_SUFFIXES else _csv_rows(text, path)
    parsed = ParsedFeedback()
    for number, row, problem in rows:
        record, problems = (None, [problem]) if problem else record_from_mapping(row or {})
        if record is None:
            parsed.rejections.append(Rejection(number, "; ".join(problems)))
        else:
            parsed.records.append(record)
            parsed.lines.append(number)
    return parsed
