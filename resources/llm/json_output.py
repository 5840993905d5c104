"""Robust JSON parsing of model output: the first valid JSON object, whatever surrounds it.

Models wrap JSON in code fences, echo the prompt (with its own example object), emit two objects,
leave trailing commas, write Python-style dicts or use typographic quotes. `parse_json_object` scans
for balanced `{...}` spans (braces inside strings ignored), parses each with `json_repair` (strict
JSON first, then repaired), and returns the first that parses to a dict and passes the caller's
check; a truncated object never closes, so it is never a candidate. `generate_json` runs a backend
in "JSON mode": parse, retry failures, then fall back to a deterministic builder, recording why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import json_repair

from resources.llm.base import GenerationParams, GenerationRequest, LLMBackend

# A check returns False (or raises ValueError/KeyError/TypeError) to reject a parsed object.
JSONCheck = Callable[[dict[str, Any]], bool | None]

_MAX_STARTS = 256


def _scan_balanced(text: str, start: int) -> int | None:
    """Index of the `}` closing the `{` at `start`, ignoring braces in strings; None if unclosed.

    Hand-written because json_repair completes a truncated object instead of rejecting it.
    """
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            in_string = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            in_string = True
        elif char in "{}":
            depth += 1 if char == "{" else -1
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


def parse_json_object(text: str, check: JSONCheck | None = None) -> dict[str, Any] | None:
    """The first JSON object in `text` that parses (after repair) and passes `check`; else None."""
    for candidate in iter_json_candidates(text or ""):
        obj = json_repair.loads(candidate)
        if _passes(obj, check):
            return obj
    return None


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
