"""Robust JSON parsing of model output: the first valid JSON object, whatever surrounds it.

Models wrap JSON in code fences, echo the prompt (with its own example object), emit two objects,
leave trailing commas or use typographic quotes. `parse_json_object` scans for balanced `{...}`
spans (braces inside strings ignored), tries each as-is and then repaired, and returns the first
that parses to a dict and passes the caller's check. `generate_json` runs a backend in "JSON mode":
parse, retry failures, then fall back to a deterministic builder, recording why.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from resources.llm.base import GenerationParams, GenerationRequest, LLMBackend

# A check returns False (or raises ValueError/KeyError/TypeError) to reject a parsed object.
JSONCheck = Callable[[dict[str, Any]], bool | None]

_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "＂": '"', "‘": "'", "’": "'"})
_MAX_STARTS = 256


class JSONOutputError(ValueError):
    """No valid JSON object could be found in a model output."""


def _outside_strings(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, char) of every character of `text[start:]` that is not inside a JSON string literal
    (the quotes themselves are skipped as well)."""
    in_string, escaped = False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            yield index, char


def _scan_balanced(text: str, start: int) -> int | None:
    """Index of the `}` closing the `{` at `start`, ignoring braces in strings; None if unclosed."""
    depth = 0
    for index, char in _outside_strings(text, start):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def iter_json_candidates(text: str) -> Iterator[str]:
    """Balanced `{...}` spans of `text` in order of their opening brace (nested ones included)."""
    starts = 0
    position = text.find("{")
    while position != -1 and starts < _MAX_STARTS:
        starts += 1
        end = _scan_balanced(text, position)
        if end is not None:
            yield text[position : end + 1]
        position = text.find("{", position + 1)


def _strip_trailing_commas(candidate: str) -> str:
    """Remove commas directly before `}` or `]`, outside strings."""
    dropped = {
        index
        for index, char in _outside_strings(candidate)
        if char == "," and candidate[index + 1 :].lstrip()[:1] in ("}", "]")
    }
    return "".join(char for index, char in enumerate(candidate) if index not in dropped)


def _loads(candidate: str) -> Any:
    """Parse one candidate: strict JSON, then trailing commas removed, then a Python literal."""
    attempts = (candidate, _strip_trailing_commas(candidate))
    for attempt in attempts:
        try:
            return json.loads(attempt)
        except json.JSONDecodeError:
            continue
    try:
        value = ast.literal_eval(_strip_trailing_commas(candidate))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _passes(obj: Any, check: JSONCheck | None) -> bool:
    """True when `obj` is a dict and the caller's check accepts it."""
    if not isinstance(obj, dict):
        return False
    if check is None:
        return True
    try:
        return check(obj) is not False
    except (ValueError, KeyError, TypeError):
        return False


def _texts_to_scan(text: str) -> list[str]:
    """The raw text, then (if different) the text with typographic quotes made ASCII."""
    normalised = text.translate(_SMART_QUOTES)
    return [text] if normalised == text else [text, normalised]


def parse_json_object(text: str, check: JSONCheck | None = None) -> dict[str, Any] | None:
    """The first JSON object in `text` that parses (after light repair) and passes `check`; else None."""
    if not text:
        return None
    for variant in _texts_to_scan(text):
        for candidate in iter_json_candidates(variant):
            obj = _loads(candidate)
            if _passes(obj, check):
                return obj
    return None


def require_json_object(text: str, check: JSONCheck | None = None) -> dict[str, Any]:
    """Like `parse_json_object`, but raise `JSONOutputError` (quoting the output's start) on failure."""
    obj = parse_json_object(text, check)
    if obj is None:
        preview = re.sub(r"\s+", " ", text or "")[:120]
        raise JSONOutputError(f"no valid JSON object in model output: {preview!r}")
    return obj


@dataclass(frozen=True)
class JSONResult:
    """One JSON-mode outcome: the object, where it came from (`model`/`fallback`), tries, raw text."""

    value: dict[str, Any] | None
    source: str
    attempts: int
    raw: str
    reason: str | None = None


def generate_json(
    backend: LLMBackend,
    requests: Sequence[GenerationRequest],
    params: GenerationParams | None = None,
    check: JSONCheck | None = None,
    retries: int = 1,
    fallback: Callable[[GenerationRequest], dict[str, Any]] | None = None,
) -> list[JSONResult]:
    """Generate, parse and validate one JSON object per request; retry failures, then fall back.

    Retries resend only the failed requests (useful with sampling). Requests still invalid get
    `fallback(request)` (source `fallback`) or a None value (source `invalid`), with the reason.
    """
    results: list[JSONResult | None] = [None] * len(requests)
    raws = [""] * len(requests)
    pending = list(range(len(requests)))
    for attempt in range(1, retries + 2):
        if not pending:
            break
        outputs = backend.generate([requests[i] for i in pending], params)
        still_pending = []
        for index, raw in zip(pending, outputs, strict=True):
            raws[index] = raw
            obj = parse_json_object(raw, check)
            if obj is None:
                still_pending.append(index)
            else:
                results[index] = JSONResult(obj, "model", attempt, raw)
        pending = still_pending
    for index in pending:
        reason = "no valid JSON object in model output"
        value = fallback(requests[index]) if fallback is not None else None
        source = "fallback" if fallback is not None else "invalid"
        results[index] = JSONResult(value, source, retries + 1, raws[index], reason)
    return [result for result in results if result is not None]
