"""Sentence-aware, token-bounded, overlapping chunks of a document's text (pure logic, no Dagster).

`chunk_document` splits the text into paragraphs (at blank lines) and each paragraph into sentences
with Kiwi (through `KoreanTokenizer`), then packs whole sentences into chunks of at most
`max_tokens` Kiwi morphemes; a chunk may run across a paragraph break. Each chunk after the first
starts with the trailing whole sentences of the previous chunk that fit in `overlap_tokens`. A
sentence longer than the budget is cut at line breaks (tables, lists), else at word (eojeol)
boundaries, else at morpheme boundaries inside a word, so every chunk is non-empty and within the
budget.

Cost is linear in the document's length: Kiwi's analysis is superlinear in the length of one call
(a 9.6 M-character paragraph with no blank line would never finish), so Kiwi never sees more than
`MAX_WINDOW_CHARS` characters at once. Paragraphs up to that length are packed as above. A longer
paragraph is chunked on its own (`_Streamer`), in one Kiwi pass per chunk: a candidate sized from
the running characters-per-token estimate ends at a natural break (the last line break, else
sentence punctuation, else whitespace in the second half of the window, a hard cut only for text
without any); Kiwi's sentences of the candidate's own text give its exact token count; a candidate
over budget is cut back to whole sentences; the next chunk starts with the trailing whole sentences
that fit in the overlap. Its chunks end at those natural breaks, not necessarily at Kiwi sentence
ends; the guarantees below hold for both. `paragraph_windows` gives the same bounded windows (the
benchmark tokenizes a text window by window with it as its baseline).

Guarantees, for every chunk `c` of `chunk_document(doc_id, text, tokenizer, ...)`:
* `text[c.char_start:c.char_end] == c.text` exactly (chunks never start or end with whitespace;
  whitespace between two pieces of a cut sentence belongs to no chunk);
* `c.token_count == tokenizer.count_tokens(c.text) <= max_tokens` (measured on the chunk's own text,
  not estimated from its sentences);
* `c.chunk_id == f"{doc_id}#{c.position:04d}"`, positions 0, 1, 2, ... in text order;
* `c.chunk_hash` is the sha256 of `c.text`, so identical passages share a hash across documents.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from resources.korean import KoreanTokenizer

MIN_MAX_TOKENS = 8
MAX_WINDOW_CHARS = 5_000
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?。？！…][\"'”’)\]]*\s")
_LINES, _WORDS, _MORPHEMES = 0, 1, 2  # levels at which an over-long sentence is cut


@dataclass(frozen=True)
class Chunk:
    """A contiguous passage of one document, addressed by character span."""

    chunk_id: str
    doc_id: str
    position: int
    text: str
    char_start: int
    char_end: int
    token_count: int
    chunk_hash: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-serialisable) of all fields."""
        return asdict(self)


@dataclass(frozen=True)
class _Segment:
    """A packing unit: a whole sentence, or one piece of a sentence longer than the budget."""

    start: int
    end: int
    tokens: int  # estimate from sentence splitting; exact for pieces of cut sentences


@dataclass(frozen=True)
class _Unit:
    """A run of Kiwi tokens that must stay together when a long span is cut."""

    start: int
    end: int
    tokens: int


def chunk_id_for(doc_id: str, position: int) -> str:
    """The stable id of the chunk at `position` of `doc_id`."""
    return f"{doc_id}#{position:04d}"


def validate_chunking_arguments(doc_id: str, max_tokens: int, overlap_tokens: int) -> None:
    """Raise `ValueError` naming the argument when the chunking settings cannot work."""
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"doc_id must be a non-empty string, got {doc_id!r}")
    for name, value in (("max_tokens", max_tokens), ("overlap_tokens", overlap_tokens)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if max_tokens < MIN_MAX_TOKENS:
        raise ValueError(f"max_tokens must be at least {MIN_MAX_TOKENS}, got {max_tokens}")
    if overlap_tokens < 0:
        raise ValueError(f"overlap_tokens must be >= 0, got {overlap_tokens}")
    if overlap_tokens >= max_tokens:
        raise ValueError(f"overlap_tokens ({overlap_tokens}) must be smaller than max_tokens ({max_tokens})")


def chunk_document(
    doc_id: str,
    text: str,
    tokenizer: KoreanTokenizer,
    max_tokens: int = 256,
    overlap_tokens: int = 48,
) -> list[Chunk]:
    """Chunks of `text` (see the module docstring for the guarantees); [] for blank text."""
    validate_chunking_arguments(doc_id, max_tokens, overlap_tokens)
    if not text.strip():
        return []
    packer = _Packer(text, tokenizer, max_tokens, overlap_tokens)
    spans: list[tuple[int, int, int]] = []
    short: list[tuple[int, int]] = []  # a run of paragraphs packed together by sentence
    for paragraph in _paragraph_spans(text):
        if paragraph[1] - paragraph[0] <= MAX_WINDOW_CHARS:
            short.append(paragraph)
            continue
        spans.extend(packer.pack(_sentence_segments(text, short, tokenizer)))
        spans.extend(_Streamer(packer).chunks(*paragraph))
        short = []
    spans.extend(packer.pack(_sentence_segments(text, short, tokenizer)))
    return [_make_chunk(doc_id, position, text, *span) for position, span in enumerate(spans)]


def _make_chunk(doc_id: str, position: int, text: str, start: int, end: int, tokens: int) -> Chunk:
    passage = text[start:end]
    return Chunk(
        chunk_id=chunk_id_for(doc_id, position),
        doc_id=doc_id,
        position=position,
        text=passage,
        char_start=start,
        char_end=end,
        token_count=tokens,
        chunk_hash=hashlib.sha256(passage.encode("utf-8")).hexdigest(),
    )


def deduplicate_chunks(chunks: Sequence[Chunk]) -> tuple[list[Chunk], int]:
    """Drop chunks whose `chunk_hash` was already seen (the first one stays); returns (kept, removed).

    Kept chunks keep their ids and positions (positions may then have gaps), so ids stay stable.
    """
    seen: set[str] = set()
    kept: list[Chunk] = []
    for chunk in chunks:
        if chunk.chunk_hash not in seen:
            seen.add(chunk.chunk_hash)
            kept.append(chunk)
    return kept, len(chunks) - len(kept)


# -------------------------------------------------------------------------------------- segments


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the blocks between blank lines (the whole text if there are none)."""
    spans, start = [], 0
    for blank in _BLANK_LINE.finditer(text):
        spans.append((start, blank.start()))
        start = blank.end()
    spans.append((start, len(text)))
    return [span for span in (_strip_span(text, *span) for span in spans) if span[0] < span[1]]


def _sentence_segments(text: str, paragraphs: list[tuple[int, int]], tokenizer: KoreanTokenizer) -> list[_Segment]:
    """One segment per Kiwi sentence, paragraph by paragraph (each at most `MAX_WINDOW_CHARS`).

    Kiwi is run on each paragraph separately: it keeps quotes and brackets open across sentence
    ends, so one unbalanced quote would otherwise merge the rest of a long document into a single
    "sentence" (seen on KorQuAD); per paragraph, the damage stays inside that paragraph.
    """
    segments: list[_Segment] = []
    for start, end in paragraphs:
        segments.extend(_paragraph_segments(text, start, end, tokenizer))
    return segments


def paragraph_windows(text: str, start: int, end: int, max_chars: int = MAX_WINDOW_CHARS) -> list[tuple[int, int]]:
    """Spans of at most `max_chars` covering text[start:end] (whitespace at the cuts dropped).

    Each window but the last ends at the last line break in its second half, else after the last
    sentence punctuation followed by whitespace, else at the last whitespace, else at `max_chars`.
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, got {max_chars}")
    windows: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = _window_cut(text, start, start + max_chars)
        windows.append(_strip_span(text, start, cut))
        start = _strip_span(text, cut, end)[0]
    windows.append(_strip_span(text, start, end))
    return [window for window in windows if window[0] < window[1]]


def _window_cut(text: str, start: int, limit: int) -> int:
    """Where a window starting at `start` ends: a natural break in text[(start+limit)//2:limit]."""
    floor = (start + limit) // 2
    line = text.rfind("\n", floor, limit)
    if line > floor:
        return line
    last_end = None
    for match in _SENTENCE_END.finditer(text, floor, limit):
        last_end = match.end() - 1  # just before the whitespace after the punctuation
    if last_end is not None and last_end > floor:
        return last_end
    space = max(text.rfind(" ", floor, limit), text.rfind("\t", floor, limit))
    return space if space > floor else limit


def _paragraph_segments(text: str, start: int, end: int, tokenizer: KoreanTokenizer) -> list[_Segment]:
    """Each segment runs from its sentence's start to the next one's, so no character is lost."""
    sentences = tokenizer.split_sentences(text[start:end])
    if not sentences:  # Kiwi found no sentence in non-blank text: one segment, counted
        return [_Segment(start, end, tokenizer.count_tokens(text[start:end]))]
    starts = [start] + [start + sentence.start for sentence in sentences[1:]]
    ends = starts[1:] + [end]
    segments = []
    for sentence, raw_start, raw_end in zip(sentences, starts, ends, strict=True):
        seg_start, seg_end = _strip_span(text, raw_start, raw_end)
        if seg_start == seg_end:
            continue
        exact = start + sentence.start == seg_start and start + sentence.end == seg_end
        tokens = sentence.token_count if exact else tokenizer.count_tokens(text[seg_start:seg_end])
        segments.append(_Segment(seg_start, seg_end, tokens))
    return segments


# --------------------------------------------------------------------------------------- packing


class _Packer:
    """Greedy packing of segments into verified windows, with whole-segment overlap."""

    def __init__(self, text: str, tokenizer: KoreanTokenizer, max_tokens: int, overlap_tokens: int) -> None:
        self.text = text
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens

    def count(self, start: int, end: int) -> int:
        return self.tokenizer.count_tokens(self.text[start:end])

    def pack(self, segments: list[_Segment]) -> list[tuple[int, int, int]]:
        """(char_start, char_end, token_count) of each chunk, in order."""
        segments = self._split_oversized(segments)
        spans: list[tuple[int, int, int]] = []
        first, fresh = 0, 0  # window = segments[first:fresh] (overlap) + segments[fresh:next_index]
        next_index = 0
        while next_index < len(segments):
            first, last = self._fill(segments, first, fresh, next_index)
            first, last, tokens = self._verify(segments, first, fresh, last)
            if tokens is None:  # a lone segment over budget after re-tokenisation: cut it and retry
                segments[first : first + 1] = self._cut(segments[first].start, segments[first].end)
                next_index = fresh = first
                continue
            spans.append((segments[first].start, segments[last].end, tokens))
            next_index = last + 1
            fresh = next_index
            first = self._overlap_start(segments, first, next_index)
        return spans

    def _fill(self, segments: list[_Segment], first: int, fresh: int, index: int) -> tuple[int, int]:
        """Extend the window with new segments while the estimate fits; drop overlap to make room."""
        total = sum(segment.tokens for segment in segments[first:index])
        while index < len(segments):
            needed = segments[index].tokens
            if total + needed <= self.max_tokens:
                total += needed
                index += 1
            elif index > fresh:  # window already holds new segments: close it
                break
            elif first < fresh:  # no new segment yet: give up overlap from the front
                total -= segments[first].tokens
                first += 1
            else:  # a lone segment over the estimate cannot happen after _split_oversized
                index += 1
                break
        return first, index - 1

    def _verify(self, segments: list[_Segment], first: int, fresh: int, last: int) -> tuple[int, int, int | None]:
        """Shrink the window until its real token count fits; None when one segment alone is over."""
        while True:
            tokens = self.count(segments[first].start, segments[last].end)
            if tokens <= self.max_tokens:
                return first, last, tokens
            if last > fresh:
                last -= 1
            elif first < fresh:
                first += 1
            else:
                return first, last, None

    def _overlap_start(self, segments: list[_Segment], first: int, next_index: int) -> int:
        """Index of the first trailing segment of the closed window that fits in the overlap."""
        start, total = next_index, 0
        while start - 1 > first and total + segments[start - 1].tokens <= self.overlap_tokens:
            start -= 1
            total += segments[start].tokens
        return start

    def _split_oversized(self, segments: list[_Segment]) -> list[_Segment]:
        result: list[_Segment] = []
        for segment in segments:
            if segment.tokens > self.max_tokens:
                result.extend(self._cut(segment.start, segment.end))
            else:
                result.append(segment)
        return result

    # ------------------------------------------------------------------------ cutting long spans

    def _cut(self, start: int, end: int) -> list[_Segment]:
        """Pieces of text[start:end], each verified within the budget.

        Cuts prefer line breaks (a table or list Kiwi saw as one sentence), then word boundaries,
        then morpheme boundaries inside a word, then characters.
        """
        return self._fit(self._units(start, end, _LINES), _LINES)

    def _units(self, start: int, end: int, level: int) -> list[_Unit]:
        tokens = self.tokenizer.kiwi.tokenize(self.text[start:end])
        return _group_tokens(tokens, start, self.text, level)

    def _fit(self, units: list[_Unit], level: int) -> list[_Segment]:
        pieces: list[_Segment] = []
        for group in _greedy_groups(units, self.max_tokens):
            pieces.extend(self._fit_group(group, level))
        return pieces

    def _fit_group(self, group: list[_Unit], level: int) -> list[_Segment]:
        start, end = group[0].start, group[-1].end
        tokens = self.count(start, end)
        if tokens <= self.max_tokens:
            return [_Segment(start, end, tokens)]
        if len(group) > 1:
            middle = len(group) // 2
            return self._fit(group[:middle], level) + self._fit(group[middle:], level)
        if level < _MORPHEMES:  # one unit over budget: cut it at the next finer boundaries
            finer = self._units(start, end, level + 1)
            if len(finer) > 1:
                return self._fit(finer, level + 1)
            if level + 1 < _MORPHEMES:
                return self._fit_group(finer or group, level + 1)
        return self._halve_characters(start, end)

    def _halve_characters(self, start: int, end: int) -> list[_Segment]:
        """Last resort for a single morpheme over budget: cut the characters in halves."""
        tokens = self.count(start, end)
        if tokens <= self.max_tokens or end - start <= 1:
            return [_Segment(start, end, tokens)]
        middle = (start + end) // 2
        left = _strip_span(self.text, start, middle)
        right = _strip_span(self.text, middle, end)
        return [piece for span in (left, right) if span[0] < span[1] for piece in self._halve_characters(*span)]


# ---------------------------------------------------------------------------- long paragraphs


class _Streamer:
    """Chunks of one paragraph longer than `MAX_WINDOW_CHARS`, in one Kiwi pass per chunk.

    Each chunk is a candidate span sized from the running characters-per-token estimate (aiming at
    `FILL` of the budget) and ending at a natural break (`_window_cut`). Kiwi splits the candidate's
    own text into sentences; their tokens add up to exactly `count_tokens` of that text, so one call
    gives both the exact count and the sentences. Over budget, the candidate is cut back to its
    longest prefix of whole sentences within budget and analysed again. The next chunk starts at the
    trailing whole sentences that fit in the overlap.
    """

    FILL = 0.9

    def __init__(self, packer: _Packer) -> None:
        self.packer = packer
        self.text = packer.text
        self.max_tokens = packer.max_tokens
        self.chars_per_token = 2.0

    def chunks(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(char_start, char_end, token_count) of each chunk of text[start:end], in order."""
        spans: list[tuple[int, int, int]] = []
        position = start
        while position < end:
            new, position = self._next(position, end, spans[-1][1] if spans else start)
            spans.extend(new)
        return spans

    def _next(self, position: int, end: int, previous_end: int) -> tuple[list[tuple[int, int, int]], int]:
        """The chunk(s) starting at `position` and where the next one starts.

        A chunk that would not reach past the previous chunk's end (its overlap left no room) is
        started again without overlap at `previous_end`.
        """
        target = min(MAX_WINDOW_CHARS, max(16, int(self.max_tokens * self.FILL * self.chars_per_token)))
        limit = end if end - position <= target else _window_cut(self.text, position, position + target)
        start, stop = _strip_span(self.text, position, limit)
        sentences = self.packer.tokenizer.split_sentences(self.text[start:stop])
        if not sentences:  # nothing Kiwi can analyse: no tokens, no chunk
            return [], stop
        while sum(s.token_count for s in sentences) > self.max_tokens:
            keep = _fitting_prefix(sentences, self.max_tokens)
            stop = start + sentences[max(keep, 1) - 1].end
            if stop <= previous_end:
                return self._next(previous_end, end, previous_end)
            if keep == 0:  # the first sentence alone is over budget: cut it into verified pieces
                return [(p.start, p.end, p.tokens) for p in self.packer._cut(start, stop)], stop
            sentences = self.packer.tokenizer.split_sentences(self.text[start:stop])
        if stop <= previous_end:
            return self._next(previous_end, end, previous_end)
        tokens = sum(s.token_count for s in sentences)
        self._learn(stop - start, tokens)
        return [(start, stop, tokens)], self._overlap_start(start, stop, end, sentences)

    def _learn(self, chars: int, tokens: int) -> None:
        if tokens:
            self.chars_per_token = min(10.0, max(0.5, 0.5 * self.chars_per_token + 0.5 * chars / tokens))

    def _overlap_start(self, start: int, stop: int, end: int, sentences: Sequence[Any]) -> int:
        """Where the next chunk starts: the trailing sentences (never the first) that fit the overlap."""
        if stop >= end:
            return end
        index, total = len(sentences), 0
        while index - 1 > 0 and total + sentences[index - 1].token_count <= self.packer.overlap_tokens:
            index -= 1
            total += sentences[index].token_count
        return start + sentences[index].start if index < len(sentences) else stop


def _fitting_prefix(sentences: Sequence[Any], max_tokens: int) -> int:
    """How many leading sentences fit in `max_tokens` together."""
    total = 0
    for index, sentence in enumerate(sentences):
        total += sentence.token_count
        if total > max_tokens:
            return index
    return len(sentences)


def _group_tokens(tokens: Sequence[Any], offset: int, text: str, level: int) -> list[_Unit]:
    """Merge Kiwi tokens into units of a level: lines, words, or (overlapping) morphemes."""
    units: list[_Unit] = []
    for token in tokens:
        start = offset + token.start
        end = start + token.len
        if units and _joins(units[-1], start, text, level):
            last = units[-1]
            units[-1] = _Unit(last.start, max(last.end, end), last.tokens + 1)
        else:
            units.append(_Unit(start, end, 1))
    return [unit for unit in units if unit.end > unit.start]


def _joins(unit: _Unit, start: int, text: str, level: int) -> bool:
    if start < unit.end or start == unit.start:  # overlapping or zero-width token
        return True
    gap = text[unit.end : start]
    if level == _LINES:
        return "\n" not in gap
    return level == _WORDS and not any(char.isspace() for char in gap)


def _greedy_groups(units: list[_Unit], max_tokens: int) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    total = 0
    for unit in units:
        if groups and total + unit.tokens <= max_tokens:
            groups[-1].append(unit)
            total += unit.tokens
        else:
            groups.append([unit])
            total = unit.tokens
    return groups
