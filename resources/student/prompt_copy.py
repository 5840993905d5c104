"""Decoding that copies from the prompt: a number the model starts, and a listed phrase (a name, a reading)
whose anchor words were just written, is taken token for token from the place in the prompt whose preceding
words match the words the model has just written.

A small student learns the report's phrases well but writes plausible wrong digits and frequent training
names (docs/benchmarks.md, "Teaching the builtin student to copy", "Copying names and readings"). The
bullets prompt states every value after the words its bullet writes before it ("상품 194개", "P25 23288원",
"채널은 쿠팡 42.7%", "+3.7%로 상승세"), so where a value goes is a look-up by context, as an induction head
does it. `PromptCopyProcessor` (the `transformers` `LogitsProcessor` protocol, `(input_ids, scores) ->
scores`) does that look-up while decoding:

- numbers: when the model's likeliest next token starts a number (it contains a digit, or it is how one of
  the prompt's numbers starts, e.g. " -"), the prompt's numbers whose preceding text matches the longest
  suffix of the written text (of the last CONTEXT_CHARS characters, at least MIN_CONTEXT_CHARS of them; the
  answer's prefilled start counts as written) are the only allowed continuations (their first tokens);
- phrases (given per prompt by the caller, e.g. `sft_tasks.bullets_copy_phrases`): where the written text
  ends with a phrase's whole anchor — the prompt's words from the start of its fact, or of the fact's
  previous value, up to the phrase (at least PHRASE_MIN_CONTEXT_CHARS) — the phrase is entered whatever the
  model's likeliest token is; a number inside a listed phrase ("11" of "11번가") is copied as the phrase;
- inside a copied span its next token is forced (a phrase that ends its fact may end in a longer token that
  starts the same way: "세" → "세입니다"); where the prompt has a number right after a copied value ("P25"
  then " 23288", "쿠팡" then " 42.7"), that number follows; otherwise a complete number may be followed by
  anything that is not a digit;
- where no prompt context matches, decoding is free: the model's own choice stands.

Text, not tokens, is compared, because a model may spell the same words with other tokens than the prompt's
("%", "," for "%,"). The builtin tokenizer makes every number one pre-token (" 23288", " -3.4", "25" after
"P"), so a number has the same tokens in the prompt and in the answer. Measured against free decoding in
docs/benchmarks.md.

- `prompt_numbers(text)`: the numbers of a text, as the tokenizer cuts them (sign and decimals included).
- `copy_spans(tokenizer, prompt, texts, phrases)`: where in a prompt's token ids each of its numbers and
  listed phrases stands, and the prompt text before it (`phrase_spans`: the phrases alone).
- `copy_choices(written, top, spans, decode, vocabulary)`: the allowed next ids at one step (or None: free).
- `PromptCopyProcessor(vocabulary, spans, decode, answer_starts)`: the processor for one left-padded batch.
- `CopyVocabulary.of(tokenizer)`: token texts and bytes, which contain a digit, which fit the bytes left to
  write (computed once per tokenizer by the caller).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_NUMBER = re.compile(r"(?<![\d.])[+-]?\d+(?:\.\d+)?")  # the number part of the builtin tokenizer's pre-tokens
CONTEXT_CHARS = 32  # characters of context compared; longer matches do not change which place wins
MIN_CONTEXT_CHARS = 2  # a shorter match (a space, a comma) says nothing about which number is meant
_PUNCTUATION = re.compile(r'[^\w\s"]*')  # what a phrase copies after it: "·", ")", "'(" (not a fact's quote)
PHRASE_MIN_CONTEXT_CHARS = 3  # a phrase is entered without the model's asking: it needs a longer anchor


def prompt_numbers(text: str) -> set[str]:
    """The numbers of `text` as written ("+1.2", "-3.4", "23288"; "P25" gives "25")."""
    return set(_NUMBER.findall(text))


@dataclass(frozen=True)
class CopyVocabulary:
    """A tokenizer's vocabulary as copying needs it: `has_digit[i]` (a bool tensor) whether token i's text
    contains a digit, `texts[i]` its text, `pieces[i]` its bytes (a byte-level BPE token may be part of a
    character), and `sorted_pieces`, the (bytes, id) pairs in byte order, to find the tokens that fit."""

    has_digit: Any
    texts: tuple[str, ...]
    pieces: tuple[bytes, ...]
    sorted_pieces: tuple[tuple[bytes, int], ...]

    @classmethod
    def of(cls, tokenizer: Any) -> CopyVocabulary:
        import torch

        texts = tuple(tokenizer.decode([token_id]) for token_id in range(len(tokenizer)))
        pieces = _token_bytes(tokenizer, texts)
        has_digit = torch.tensor([any(ch.isdigit() for ch in text) for text in texts], dtype=torch.bool)
        return cls(has_digit, texts, pieces, tuple(sorted((piece, i) for i, piece in enumerate(pieces) if piece)))

    def written(self, ids: Sequence[int]) -> bytes:
        """The bytes token ids spell."""
        return b"".join(self.pieces[i] for i in ids)

    def fitting(self, remaining: bytes, glue: bool = True) -> set[int]:
        """Ids whose bytes are a beginning of `remaining`, or (with `glue`) begin with all of it and go on:
        "세" of " 보합세" may be written as "세입니다"."""
        ids = {i for end in range(1, len(remaining)) for i in self._starting_with(remaining[:end], whole=True)}
        return ids | self._starting_with(remaining, whole=not glue)

    def _starting_with(self, prefix: bytes, whole: bool) -> set[int]:
        """Ids whose bytes start with `prefix` (are exactly it, with `whole`)."""
        ids = set()
        for piece, i in self.sorted_pieces[bisect.bisect_left(self.sorted_pieces, (prefix, -1)) :]:
            if not piece.startswith(prefix) or (whole and piece != prefix):
                break
            ids.add(i)
        return ids


def _token_bytes(tokenizer: Any, texts: Sequence[str]) -> tuple[bytes, ...]:
    """Each token's bytes: through the byte-level alphabet for byte-level BPE tokenizers (the builtin one,
    Qwen's), else the UTF-8 of its text."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    alphabet = {char: byte for byte, char in bytes_to_unicode().items()}
    pieces = tokenizer.convert_ids_to_tokens(list(range(len(texts))))
    return tuple(
        bytes(alphabet[ch] for ch in piece) if piece and all(ch in alphabet for ch in piece) else text.encode()
        for piece, text in zip(pieces, texts, strict=True)
    )


@dataclass(frozen=True)
class NumberSpan:
    """One number of the prompt: it starts at token `start`, is the token sequence `tokens` and follows the
    text `before` (the prompt's last CONTEXT_CHARS characters before it)."""

    start: int
    tokens: tuple[int, ...]
    before: str


@dataclass(frozen=True)
class PhraseSpan:
    """One occurrence of a listed phrase in the prompt, in UTF-8 bytes: `text` (with the space before it, if
    the prompt has one, and the punctuation after it: "하이펫·", "'향좋음'(" copies "향좋음'("), the prompt's
    text `before` it (its last CONTEXT_CHARS characters), how many bytes of those the written text must end
    with to call for it (`required`: its anchor, see `phrase_spans`), and what may follow it (`glue`,
    `then_number`)."""

    text: bytes
    before: bytes
    required: int
    glue: bool = False  # whether it ends its fact, so that the answer may glue words on ("보합세" → "보합세입니다")
    then_number: bool = False  # whether the prompt states a number right after it ("쿠팡 42.7", "향좋음'(17500")


@dataclass(frozen=True)
class PromptSpans:
    """What one prompt offers for copying: its numbers (token spans) and its listed phrases (text spans)."""

    numbers: list[NumberSpan]
    phrases: list[PhraseSpan]


def _number_sequences(tokenizer: Any, text: str) -> set[tuple[int, ...]]:
    forms = [form for number in prompt_numbers(text) for form in (number, f" {number}")]
    return {tuple(tokenizer(form, add_special_tokens=False)["input_ids"]) for form in forms}


def _continues_number(text: str, at_end: bool) -> bool:
    """Whether a neighbouring token's text (its end when `at_end`) glues onto a number (a digit or a point)."""
    char = text[-1:] if at_end else text[:1]
    return char.isdigit() or char == "."


def _occurrences(prompt: Sequence[int], tokens: tuple[int, ...]) -> list[int]:
    """Where the token sequence `tokens` starts in `prompt`."""
    width = len(tokens)
    return [start for start in range(len(prompt) - width + 1) if tuple(prompt[start : start + width]) == tokens]


def number_spans(
    tokenizer: Any, prompt: Sequence[int], texts: Sequence[str], inside: Sequence[tuple[int, int]] = ()
) -> list[NumberSpan]:
    """Every whole number of the prompt token ids (`texts`: the vocabulary's token texts), where it stands;
    not those within the character ranges `inside` (listed phrases: "11" of "11번가" is copied as the phrase).
    A match inside a longer number ("11" in " 51190") is not one."""
    sequences = _number_sequences(tokenizer, tokenizer.decode(list(prompt)))
    spans = []
    for tokens in sequences:
        for start in _occurrences(prompt, tokens):
            end = start + len(tokens)
            glued_before = start > 0 and not texts[tokens[0]][:1].isspace()
            glued_before = glued_before and _continues_number(texts[prompt[start - 1]], at_end=True)
            glued_after = end < len(prompt) and _continues_number(texts[prompt[end]], at_end=False)
            if glued_before or glued_after:
                continue
            before = tokenizer.decode(list(prompt[:start]))
            if not any(low <= len(before) < high for low, high in inside):
                spans.append(NumberSpan(start, tokens, before[-CONTEXT_CHARS:]))
    return sorted(spans, key=lambda span: span.start)


def _phrase_occurrences(text: str, phrases: Sequence[str]) -> list[tuple[int, str]]:
    """(character index, phrase) of every occurrence of each listed phrase in `text`."""
    found = []
    for phrase in dict.fromkeys(p for p in phrases if p):
        found += [(match.start(), phrase) for match in re.finditer(re.escape(phrase), text)]
    return sorted(found)


def _anchor_length(before: str, previous_value: int | None) -> int:
    """Characters of `before` since its fact began (after the last '"': the bullets prompt is a JSON list of
    facts) or since the fact's previous value (number or phrase) began at `previous_value`, whichever is
    later; at least PHRASE_MIN_CONTEXT_CHARS, at most CONTEXT_CHARS."""
    since_fact = len(before) - before.rfind('"') - 1
    since_value = len(before) - previous_value if previous_value is not None else len(before)
    return min(CONTEXT_CHARS, max(PHRASE_MIN_CONTEXT_CHARS, min(since_fact, since_value)))


def phrase_spans(text: str, phrases: Sequence[str]) -> list[PhraseSpan]:
    """Every occurrence of each listed phrase in the prompt `text`. Its anchor — the words that must precede
    it in the answer too — is the prompt text from where its fact (or the fact's previous number or phrase)
    starts, so "기준" alone does not call for the concentration reading that the prompt has after "2177 기준"."""
    found = _phrase_occurrences(text, phrases)
    values = sorted({match.start() for match in _NUMBER.finditer(text)} | {index for index, _ in found})
    spans = []
    for index, phrase in found:
        lead = " " if index > 0 and text[index - 1] == " " else ""
        before = text[: index - len(lead)]
        previous = max((value for value in values if value < index - len(lead)), default=None)
        anchor = before[len(before) - _anchor_length(before, previous) :]
        rest = text[index + len(phrase) :]
        punctuation = _PUNCTUATION.match(rest).group()
        copied = (lead + phrase + punctuation).encode()
        glue = rest[len(punctuation) : len(punctuation) + 1] in ('"', "")
        then_number = bool(re.match(r" ?[+-]?\d", rest[len(punctuation) :]))
        spans.append(PhraseSpan(copied, before[-CONTEXT_CHARS:].encode(), len(anchor.encode()), glue, then_number))
    return spans


def prompt_spans(
    tokenizer: Any, prompt: Sequence[int], texts: Sequence[str], phrases: Sequence[str] = ()
) -> PromptSpans:
    """The numbers and listed `phrases` of a prompt's token ids, ready for `copy_choices`."""
    text = tokenizer.decode(list(prompt))
    occurrences = _phrase_occurrences(text, phrases)
    inside = [(index - text[:index].endswith(" "), index + len(phrase)) for index, phrase in occurrences]
    return PromptSpans(number_spans(tokenizer, prompt, texts, inside), phrase_spans(text, phrases))


def context_match(written_text: str | bytes, before: str | bytes, required: int = MIN_CONTEXT_CHARS) -> int:
    """How many characters (or bytes) at the end of `written_text` equal the end of `before` (a span's prompt
    context); 0 when fewer than `required`."""
    length = 0
    limit = min(len(written_text), len(before))
    while length < limit and written_text[-1 - length] == before[-1 - length]:
        length += 1
    return length if length >= required else 0


def _starts(written_text: str, spans: Sequence[NumberSpan]) -> set[int]:
    """First tokens of the numbers whose prompt context best matches what was written (none if no match)."""
    best, firsts = 0, set()
    for span in spans:
        length = context_match(written_text, span.before)
        if length > best:
            best, firsts = length, set()
        if length and length == best:
            firsts.add(span.tokens[0])
    return firsts


def _inside(
    written: Sequence[int], spans: Sequence[NumberSpan], decode: Callable[[Sequence[int]], str]
) -> tuple[set[int], list[NumberSpan], bool]:
    """Being in the middle of a copied number: (next tokens, the numbers just completed, whether any matched)."""
    best, following, completed = 0, set(), []
    for span in spans:
        for done in range(1, len(span.tokens) + 1):
            if len(written) < done or tuple(written[-done:]) != span.tokens[:done]:
                continue
            length = context_match(decode(written[:-done]), span.before)
            if length and length > best:
                best, following, completed = length, set(), []
            if length and length == best:
                completed += [span] if done == len(span.tokens) else []
                following |= {span.tokens[done]} if done < len(span.tokens) else set()
    return following, completed, best > 0


def phrase_state(written_text: bytes, spans: Sequence[PhraseSpan]) -> list[tuple[PhraseSpan, bytes]]:
    """The best-anchored phrases the written bytes are in — just anchored, partly written or just finished —
    each with what is left of it to write (b"" when finished); empty when none."""
    best, state = 0, []
    for span in spans:
        for done in range(len(span.text) + 1):
            if done and not written_text.endswith(span.text[:done]):
                continue
            length = context_match(written_text[: len(written_text) - done], span.before, span.required)
            if length > best:
                best, state = length, []
            if length and length == best:
                state.append((span, span.text[done:]))
    return state


def _phrase_choices(
    state: list[tuple[PhraseSpan, bytes]], written_text: str, numbers: Sequence[NumberSpan], vocabulary: CopyVocabulary
) -> set[int]:
    """Tokens that go on with the phrases of `state`: the rest of an unfinished one (the end may glue on where
    the phrase ends its fact: "세" → "세입니다"), and after a finished one the number the prompt has right
    there ("쿠팡" → " 42.7", "향좋음'(" → "17500")."""
    allowed: set[int] = set()
    for span, remaining in state:
        if remaining:
            allowed |= vocabulary.fitting(remaining, glue=span.glue)
        elif span.then_number:
            allowed |= _starts(written_text, numbers)
    return allowed


def copy_choices(
    written: Sequence[int],
    top: int,
    spans: PromptSpans,
    decode: Callable[[Sequence[int]], str],
    vocabulary: CopyVocabulary,
) -> tuple[set[int], bool] | None:
    """(allowed ids, whether tokens without digits are allowed too) after `written` (`decode` turns ids into
    text), given the model's likeliest token `top`; None where decoding stays free. A phrase being written
    comes first (`_phrase_choices`), then numbers."""
    numbers = spans.numbers
    written_text = decode(written)
    state = phrase_state(vocabulary.written(written), spans.phrases) if spans.phrases else []
    allowed = _phrase_choices(state, written_text, numbers, vocabulary) if state else set()
    if allowed:
        return allowed, False
    wants_number = bool(vocabulary.has_digit[top]) or top in {span.tokens[0] for span in numbers}
    following, completed, inside = _inside(written, numbers, decode)
    if inside:
        if not completed:
            return following, False
        ends = {span.start + len(span.tokens) for span in completed}
        there = {span.tokens[0] for span in numbers if span.start in ends}  # "P25" → " 23288" in the prompt
        return (following | there, False) if there else (following, not (wants_number and following))
    if not wants_number or (written and bool(vocabulary.has_digit[written[-1]])):
        return None
    firsts = _starts(written_text, numbers)
    return (firsts, False) if firsts else None


class PromptCopyProcessor:
    """Masks the logits so that numbers and listed phrases are copied from the prompt (`spans[i]` for batch
    row i; `decode` turns ids into text). Row i's answer starts at column `answer_starts[i]` of `input_ids`
    (the end of its left-padded prompt, or earlier where the prompt ends with the answer's prefilled start,
    which counts as written)."""

    def __init__(
        self,
        vocabulary: CopyVocabulary,
        spans: Sequence[PromptSpans],
        decode: Callable[[Sequence[int]], str],
        answer_starts: Sequence[int],
    ) -> None:
        self.vocabulary = vocabulary
        self.spans = list(spans)
        self.decode = decode
        self.answer_starts = list(answer_starts)

    def _mask(self, choices: tuple[set[int], bool], width: int) -> Any:
        import torch

        allowed, plain_too = choices
        digits = self.vocabulary.has_digit[:width]
        mask = ~digits if plain_too else torch.zeros(width, dtype=torch.bool)
        mask = torch.cat([mask, torch.zeros(width - len(mask), dtype=torch.bool)]) if len(mask) < width else mask
        mask = mask.clone()
        mask[[token for token in allowed if token < width]] = True
        return mask

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        for row in range(scores.shape[0]):
            written = input_ids[row, self.answer_starts[row] :].tolist()
            top = int(scores[row].argmax())
            choices = copy_choices(written, top, self.spans[row], self.decode, self.vocabulary)
            if choices is None:
                continue
            mask = self._mask(choices, scores.shape[1])
            if bool(mask.any()):
                scores[row] = scores[row].masked_fill(~mask, float("-inf"))
        return scores
