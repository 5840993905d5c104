"""Line rules shared by document reflow and the extractive teacher (pure functions, no Kiwi).

Text extracted from PDFs is hard-wrapped: a sentence runs over several lines. These rules decide,
line by line, whether the next line continues the current paragraph:

* `ends_sentence`: the line ends with sentence punctuation (". ! ? … 。") or a colon, closing
  quotes or brackets allowed after it ("했다.", "있나요?", "…라고 했다.\"", "다음과 같다:").
* `starts_block`: the line begins something of its own: a list item ("-", "•", "①", "1.", "1)",
  "(1)", "가.", "Q1.", "A."), an article heading ("제3조", "제2장"), a markdown heading ("#").
* `is_table_like`: cells separated by " | ", tabs or runs of three or more spaces.
* `wrap_width`: the width lines were wrapped at (90th percentile of the non-blank line lengths).
* `continues`: whether `following` continues the paragraph that `line` belongs to: never across a
  blank line, a list item or a table row; across an article heading only after a full line
  without a sentence end (running text wrapped before "제2조"); after a sentence end only when
  `line` is full, at least 70% of the wrap width (a full line ending a sentence sits mid-paragraph
  in wrapped text); without a sentence end unless `line` is a short line standing on its own (a
  heading or a label such as "문서번호: HB-1"); always after a Latin word hyphenated at the line
  end ("infor-").
* `looks_hard_wrapped`: the conservative test of whether lines were wrapped at a fixed width.
* `paragraph_spans`: the spans of the paragraphs these rules make of a text that looks hard-wrapped,
  one span per line otherwise (the teacher splits sentences inside them, so a sentence wrapped over
  lines stays whole while ordinary documents keep every line a boundary).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FULL_LINE_RATIO = 0.7  # a line at least this share of the wrap width is "full"
SHORT_LINE_RATIO = 0.6  # a line standing alone under this share of the wrap width is a heading/label
MIN_WRAPPED_LINES = 8  # fewest lines a whole document needs to be judged hard-wrapped
MIN_CONTEXT_LINES = 3  # the same for one retrieved context
MAX_WRAP_WIDTH = 100  # lines wrapped wider than this are not PDF-like

_SENTENCE_END = re.compile(r"[.!?…。？！:][\"'”’)\]」』》〉]*$")
# Always a new block: bullets (a lone "-" too), circled numbers and letters, numbered items, headings.
_MARKED_START = re.compile(
    r"^(?:[-–•·*▪■□◦○●◆◇※▶►](?:\s|$)|[①-⑳㉠-㉭㈀-㈍]|#{1,6}\s"
    r"|\(?\d{1,3}[.)](?:\s|$)|\(\d{1,3}\)|\(?[가-하][.)]\s|[QA]\d*[.:](?:\s|$))"
)
# A new block unless the line before is a full line left open ("... 전자금융거래법" + "제2조 제15호)").
_ARTICLE_START = re.compile(r"^제\s?\d+\s?[조장절항관편호]")
_OPEN_HYPHEN = re.compile(r"[A-Za-z]-$")
_TABLE_CELLS = re.compile(r"\s\|\s|\t| {3,}")


def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence punctuation (optionally followed by quotes/brackets)."""
    return bool(_SENTENCE_END.search(line.rstrip()))


def starts_block(line: str) -> bool:
    """True for list items, numbered items, article headings and markdown headings."""
    stripped = line.lstrip()
    return bool(_MARKED_START.match(stripped) or _ARTICLE_START.match(stripped))


def is_table_like(line: str) -> bool:
    """True for a row of cells separated by " | ", tabs or wide runs of spaces."""
    return bool(_TABLE_CELLS.search(line.strip()))


def wrap_width(lines: Sequence[str]) -> int:
    """The 90th percentile length of the non-blank lines (0 when there are none)."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]


def continues(line: str, following: str, width: int, line_starts_block: bool) -> bool:
    """Whether `following` continues the paragraph of `line` in text wrapped at `width` characters.

    `line_starts_block` is True when `line` itself began a new paragraph (it did not continue the
    line before it): such a line, when short and without a sentence end, is a heading or a label.
    """
    current, nxt = line.strip(), following.strip()
    if not current or not nxt or _MARKED_START.match(nxt) or is_table_like(current) or is_table_like(nxt):
        return False
    full = len(current) >= FULL_LINE_RATIO * width
    if ends_sentence(current):
        return full and not _ARTICLE_START.match(nxt)
    if _ARTICLE_START.match(nxt):
        return full
    if _OPEN_HYPHEN.search(current):
        return True
    return not (line_starts_block and len(current) < SHORT_LINE_RATIO * width)


def looks_hard_wrapped(lines: Sequence[str], min_lines: int = MIN_WRAPPED_LINES) -> bool:
    """Conservative test: do these lines look wrapped at a fixed width (like a PDF extraction)?

    At least `min_lines` non-blank lines, a wrap width under `MAX_WRAP_WIDTH` characters, and of
    the lines that are neither list items nor table rows (at least half of all): at least 60% near
    the wrap width, at least half not ending a sentence, and at least half of all lines followed
    directly by another non-blank line.
    """
    stripped = [line.strip() for line in lines]
    content = [line for line in stripped if line]
    if len(content) < min_lines:
        return False
    width = wrap_width(content)
    if width > MAX_WRAP_WIDTH:
        return False
    body = [line for line in content if not starts_block(line) and not is_table_like(line)]
    if len(body) < len(content) / 2:
        return False
    near_width = sum(len(line) >= SHORT_LINE_RATIO * width for line in body) / len(body)
    open_ended = sum(not ends_sentence(line) for line in body) / len(body)
    followed = sum(1 for a, b in zip(stripped, stripped[1:]) if a and b) / len(content)
    return near_width >= 0.6 and open_ended >= 0.5 and followed >= 0.5


def paragraph_spans(text: str, min_lines: int = MIN_CONTEXT_LINES) -> list[tuple[int, int]]:
    """[start, end) spans of the re-flowed paragraphs of `text`: runs of lines that `continues` joins.

    Spans cover whole lines (without their newline); blank lines are not part of any span. Text
    that does not `looks_hard_wrapped` (with `min_lines`) keeps every line as its own span.
    """
    lines = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    if not looks_hard_wrapped([line for _, _, line in lines], min_lines):
        return [(start, end) for start, end, _ in lines]
    width = wrap_width([line for _, _, line in lines])
    spans: list[tuple[int, int]] = []
    starts_new = True
    for i, (start, end, line) in enumerate(lines):
        if starts_new:
            spans.append((start, end))
        else:
            spans[-1] = (spans[-1][0], end)
        following = lines[i + 1] if i + 1 < len(lines) else None
        adjacent = following is not None and text[end : following[0]] == "\n"
        starts_new = not (adjacent and continues(line, following[2], width, starts_new))
    return spans
