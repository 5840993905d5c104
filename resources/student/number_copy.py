"""Decoding that copies numbers from where the prompt states them: a number the model starts is taken, token
for token, from the place in the prompt whose preceding words match the words the model has just written.

A small student learns the report's phrases well but writes plausible wrong digits (docs/benchmarks.md,
"Teaching the builtin student to copy"). The bullets prompt states every number after the words its bullet
writes before it ("상품 194개", "P25 23288원", "중앙값 -2.7%로"), so where a number goes is a look-up by
context, as an induction head does it. `NumberCopyProcessor` (the `transformers` `LogitsProcessor` protocol,
`(input_ids, scores) -> scores`) does that look-up while decoding:

- when the model's likeliest next token starts a number (it contains a digit, or it is how one of the
  prompt's numbers starts, e.g. " -"), the prompt's numbers whose preceding text matches the longest suffix
  of the written text (of the last CONTEXT_CHARS characters, at least MIN_CONTEXT_CHARS of them; the answer's
  prefilled start counts as written) are the only allowed continuations (their first tokens); text, not
  tokens, is compared, because a model may spell the same words with other tokens than the prompt's ("%",
  "," for "%,");
- inside such a number, its next token is forced; a complete number may be followed by anything that is not
  a digit, or by the next number the prompt has right there ("P25" then " 23288");
- where no prompt context matches, decoding is free: the model's own choice stands.

The builtin tokenizer makes every number one pre-token (" 23288", " -3.4", "25" after "P"), so a number has
the same tokens in the prompt and in the answer. Measured against free decoding and against the earlier
"any prompt number" constraint in docs/benchmarks.md.

- `prompt_numbers(text)`: the numbers of a text, as the tokenizer cuts them (sign and decimals included).
- `number_spans(tokenizer, prompt, texts)`: where in a prompt's token ids each of its numbers stands, and
  the prompt text before it.
- `copy_choices(written, top, spans, decode, vocabulary)`: the allowed next ids at one step (or None: free).
- `NumberCopyProcessor(vocabulary, spans, decode, answer_starts)`: the processor for one left-padded batch.
- `DigitVocabulary.of(tokenizer)`: which ids contain a digit (computed once per tokenizer by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_NUMBER = re.compile(r"(?<![\d.])[+-]?\d+(?:\.\d+)?")  # the number part of the builtin tokenizer's pre-tokens
CONTEXT_CHARS = 32  # characters of context compared; longer matches do not change which place wins
MIN_CONTEXT_CHARS = 2  # a shorter match (a space, a comma) says nothing about which number is meant


def prompt_numbers(text: str) -> set[str]:
    """The numbers of `text` as written ("+1.2", "-3.4", "23288"; "P25" gives "25")."""
    return set(_NUMBER.findall(text))


@dataclass(frozen=True)
class DigitVocabulary:
    """`has_digit[i]`: whether token id i's text contains a digit (a bool tensor over the vocabulary), and
    `texts[i]`: its text."""

    has_digit: Any
    texts: tuple[str, ...]

    @classmethod
    def of(cls, tokenizer: Any) -> DigitVocabulary:
        import torch

        texts = tuple(tokenizer.decode([token_id]) for token_id in range(len(tokenizer)))
        return cls(torch.tensor([any(ch.isdigit() for ch in text) for text in texts], dtype=torch.bool), texts)


@dataclass(frozen=True)
class NumberSpan:
    """One number of the prompt: it starts at token `start`, is the token sequence `tokens` and follows the
    text `before` (the prompt's last CONTEXT_CHARS characters before it)."""

    start: int
    tokens: tuple[int, ...]
    before: str


def _number_sequences(tokenizer: Any, text: str) -> set[tuple[int, ...]]:
    forms = [form for number in prompt_numbers(text) for form in (number, f" {number}")]
    return {tuple(tokenizer(form, add_special_tokens=False)["input_ids"]) for form in forms}


def _continues_number(text: str, at_end: bool) -> bool:
    """Whether a neighbouring token's text (its end when `at_end`) glues onto a number (a digit or a point)."""
    char = text[-1:] if at_end else text[:1]
    return char.isdigit() or char == "."


def number_spans(tokenizer: Any, prompt: Sequence[int], texts: Sequence[str]) -> list[NumberSpan]:
    """Every whole number of the prompt token ids (`texts`: the vocabulary's token texts), where it stands.
    A match inside a longer number ("11" in " 51190") is not one."""
    sequences = _number_sequences(tokenizer, tokenizer.decode(list(prompt)))
    spans = []
    for start in range(len(prompt)):
        for tokens in sequences:
            end = start + len(tokens)
            if tuple(prompt[start:end]) != tokens:
                continue
            glued_before = start > 0 and not texts[tokens[0]][:1].isspace()
            glued_before = glued_before and _continues_number(texts[prompt[start - 1]], at_end=True)
            glued_after = end < len(prompt) and _continues_number(texts[prompt[end]], at_end=False)
            if not glued_before and not glued_after:
                before = tokenizer.decode(list(prompt[:start]))[-CONTEXT_CHARS:]
                spans.append(NumberSpan(start, tokens, before))
    return spans


def context_match(written_text: str, before: str) -> int:
    """How many characters at the end of `written_text` equal the end of `before` (a span's prompt context)."""
    length = 0
    limit = min(len(written_text), len(before))
    while length < limit and written_text[-1 - length] == before[-1 - length]:
        length += 1
    return length if length >= MIN_CONTEXT_CHARS else 0


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
) -> tuple[set[int], bool, bool]:
    """Being in the middle of a copied number: (next tokens, whether one is complete, whether any matched)."""
    best, following, complete = 0, set(), False
    for span in spans:
        for done in range(1, len(span.tokens) + 1):
            if len(written) < done or tuple(written[-done:]) != span.tokens[:done]:
                continue
            length = context_match(decode(written[:-done]), span.before)
            if length and length > best:
                best, following, complete = length, set(), False
            if length and length == best:
                complete = complete or done == len(span.tokens)
                following |= {span.tokens[done]} if done < len(span.tokens) else set()
    return following, complete, best > 0


def copy_choices(
    written: Sequence[int],
    top: int,
    spans: Sequence[NumberSpan],
    decode: Callable[[Sequence[int]], str],
    vocabulary: DigitVocabulary,
) -> tuple[set[int], bool] | None:
    """(allowed ids, whether tokens without digits are allowed too) after `written` (`decode` turns ids into
    text), given the model's likeliest token `top`; None where decoding stays free."""
    wants_number = bool(vocabulary.has_digit[top]) or top in {span.tokens[0] for span in spans}
    following, complete, inside = _inside(written, spans, decode)
    if inside:
        if not complete:
            return following, False
        following |= _starts(decode(written), spans)
        return following, not (wants_number and following)
    if not wants_number or (written and bool(vocabulary.has_digit[written[-1]])):
        return None
    firsts = _starts(decode(written), spans)
    return (firsts, False) if firsts else None


class NumberCopyProcessor:
    """Masks the logits so that numbers are copied from the prompt (`spans[i]` for batch row i; `decode` turns
    ids into text). Row i's answer starts at column `answer_starts[i]` of `input_ids` (the end of its left-padded
    prompt, or earlier where the prompt ends with the answer's prefilled start, which counts as written)."""

    def __init__(
        self,
        vocabulary: DigitVocabulary,
        spans: Sequence[Sequence[NumberSpan]],
        decode: Callable[[Sequence[int]], str],
        answer_starts: Sequence[int],
    ) -> None:
        self.vocabulary = vocabulary
        self.spans = [list(row) for row in spans]
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
