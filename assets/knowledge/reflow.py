"""Re-flow hard-wrapped text (PDF extractions, wrapped txt) into paragraphs (pure functions).

Text extracted from PDFs is wrapped every 30-60 characters, often without sentence punctuation, with
running headers/footers, page numbers and words hyphenated across lines. `reflow_text` turns it
back into one line per paragraph:

1. Pages are split at form feeds ("\\f", how `pdf_to_text` joins pages) and at page-number lines,
   which are dropped: "3", "- 3 -", "3 / 12", "3 of 12", "Page 3", "p. 3", "3쪽", "3 페이지".
2. Running headers and footers are dropped: a line among the first or last two lines of a page (one
   on pages under 8 lines) whose digit-blind form ("제#장 총칙") sits at a page edge on at least half
   the pages (and at least 3).
3. Lines are joined by the rules of `resources.text_lines.continues` (never across blank lines, list
   items, headings or table rows; after a sentence end only when the line is full). A Latin word
   hyphenated at a line end is mended ("infor-" + "mation" -> "information"; "COVID-" + "19" and
   "Jean-" + "Paul" keep the hyphen).
4. Blank lines stay as paragraph breaks; a page boundary that does not continue a paragraph becomes
   a blank line when it was a form feed.

`hard_wrap` does the opposite (used by the tests and benchmarks/teacher_wrapped.py to simulate PDF
text): greedy wrapping at a width drawn per line, hyphenating long Latin words as typesetters do.

`text_looks_hard_wrapped` is the conservative test used for .txt files (PDF text is always
re-flowed): `resources.text_lines.looks_hard_wrapped` on the lines that are not page numbers (at
least 8 lines, a wrap width under 100 characters, most lines near that width and not ending a
sentence, most lines followed directly by another line).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from resources.text_lines import continues, looks_hard_wrapped, wrap_width

PAGE_BREAK = "\f"
EDGE_LINES = 2  # header/footer candidates: this many lines at the top and at the bottom of a page
MIN_REPEATED_PAGES = 3
MAX_HEADER_CHARS = 80

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:page|pg\.?|p\.)\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*(?:쪽|페이지|면)?(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"[A-Za-z]-$")


@dataclass
class _Page:
    """Lines of one page ("" for a blank line) and whether it began at a form feed."""

    lines: list[str]
    form_feed: bool


def is_page_number(line: str) -> bool:
    """True for a line holding only a page number ("3", "- 3 -", "3 / 12", "Page 3", "3쪽")."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def reflow_text(text: str) -> str:
    """Hard-wrapped text -> one line per paragraph, without page numbers and running headers/footers."""
    pages = drop_running_lines(split_pages(text))
    lines: list[str] = []
    page_starts: set[int] = set()
    for page in pages:
        if page.form_feed and lines:
            page_starts.add(len(lines))
        lines.extend(page.lines)
    return _join_lines(lines, page_starts)


def split_pages(text: str) -> list[_Page]:
    """Pages of stripped lines, split at form feeds and at page-number lines (dropped)."""
    pages: list[_Page] = []
    for raw_page in text.split(PAGE_BREAK):
        pages.append(_Page([], form_feed=bool(pages)))
        for line in raw_page.split("\n"):
            if is_page_number(line):
                if any(pages[-1].lines):  # a number at the top of a page keeps the page's form feed
                    pages.append(_Page([], form_feed=False))
            else:
                pages[-1].lines.append(line.strip())
    return [page for page in pages if any(page.lines)] or [_Page([], form_feed=False)]


def drop_running_lines(pages: list[_Page]) -> list[_Page]:
    """Pages without their running headers and footers (lines repeated at the edges of many pages)."""
    if len(pages) < MIN_REPEATED_PAGES:
        return pages
    counts = Counter(key for page in pages for key in {_running_key(page.lines[i]) for i in _edge_indices(page.lines)})
    needed = max(MIN_REPEATED_PAGES, math.ceil(len(pages) / 2))
    repeated = {key for key, count in counts.items() if key and count >= needed}
    if not repeated:
        return pages
    out = []
    for page in pages:
        edges = {i for i in _edge_indices(page.lines) if _running_key(page.lines[i]) in repeated}
        out.append(_Page([line for i, line in enumerate(page.lines) if i not in edges], page.form_feed))
    return out


def _edge_indices(lines: Sequence[str]) -> list[int]:
    """Indices of the first and last non-blank lines of a page: `EDGE_LINES` each, at most a quarter of it."""
    filled = [i for i, line in enumerate(lines) if line]
    edge = min(EDGE_LINES, max(1, len(filled) // 4))
    return sorted(set(filled[:edge] + filled[-edge:]))


def _running_key(line: str) -> str:
    """Digit-blind, space-collapsed form of a short line ("" for long lines, which are never headers)."""
    if not line or len(line) > MAX_HEADER_CHARS:
        return ""
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _join_lines(lines: Sequence[str], page_starts: set[int]) -> str:
    """Join continuing lines; blank lines stay, a non-continuing form-feed boundary becomes one.

    Each output line is kept as a list of its pieces until the end, so a paragraph of many wrapped
    lines costs linear time.
    """
    width = wrap_width(lines)
    out: list[list[str]] = []
    starts_new = True
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        if previous and line and continues(previous, line, width, starts_new):
            glue(out[-1], line)
            starts_new = False
            continue
        if i in page_starts and previous and line:
            out.append([])
        out.append([line])
        starts_new = True
    return re.sub(r"\n{3,}", "\n\n", "\n".join("".join(pieces) for pieces in out)).strip("\n")


def glue(pieces: list[str], line: str) -> None:
    """Append a wrapped line to a paragraph's pieces: after a space, or mending a hyphenated Latin word."""
    right = line.strip()
    pieces[-1] = pieces[-1].rstrip()
    if _HYPHENATED.search(pieces[-1]) and right[:1].isascii() and right[:1].isalnum():
        if right[0].islower():
            pieces[-1] = pieces[-1][:-1]
        pieces.append(right)
        return
    pieces.append(f" {right}")


_LATIN_WORD = re.compile(r"[A-Za-z]{8,}")


def hard_wrap(text: str, rng: random.Random, min_width: int = 35, max_width: int = 45) -> list[str]:
    """Lines of `text` wrapped greedily at spaces, each at a width drawn from [min_width, max_width].

    A Latin word of 8+ letters that overflows is hyphenated when at least 3 letters fit and the rest
    starts with a lower-case letter and keeps 3; any other word that overflows moves to the next line.
    """
    lines: list[str] = []
    current, width = "", rng.randint(min_width, max_width)
    for word in text.split():
        while True:
            room = width - len(current) - (1 if current else 0)
            if len(word) <= room or not current:
                current = f"{current} {word}" if current else word
                break
            cut = _hyphen_cut(word, room)
            if cut:
                current, word = f"{current} {word[:cut]}-", word[cut:]
            lines.append(current)
            current, width = "", rng.randint(min_width, max_width)
    if current:
        lines.append(current)
    return lines


def _hyphen_cut(word: str, room: int) -> int:
    """Where to hyphenate `word` to fit `room` characters (hyphen included), or 0 when it should not be."""
    if not _LATIN_WORD.fullmatch(word):
        return 0
    cut = min(room - 1, len(word) - 3)
    while cut >= 3 and not word[cut].islower():
        cut -= 1
    return cut if cut >= 3 else 0


def text_looks_hard_wrapped(text: str) -> bool:
    """Does this document look hard-wrapped like a PDF extraction (page-number lines left out)?"""
    return looks_hard_wrapped([line for line in text.split("\n") if not is_page_number(line)])
