"""Decoding that copies numbers: every number a model writes is one of its prompt's, token for token.

A small student picks the right slot of a report but often writes plausible wrong digits (docs/benchmarks.md,
"Teaching the builtin student to copy"). `NumberCopyProcessor` is a logits processor (the `transformers`
`LogitsProcessor` protocol, `(input_ids, scores) -> scores`) that constrains numbers to a trie of allowed token
sequences, as entity-constrained decoders do: the builtin tokenizer makes every number one pre-token
(" 23288", " -3.4", "25" after "P"), so a number has one canonical token sequence wherever it stands, and the
allowed sequences are the canonical ones of the prompt's numbers, with and without the leading space. A token
that contains a digit may only start or extend such a sequence; a token without digits is free unless it would
end a number that is not complete. Which number goes where stays the model's choice (its likeliest allowed
first token). Measured against free decoding in docs/benchmarks.md.

- `prompt_numbers(text)`: the numbers of a text, as the tokenizer cuts them (sign and decimals included).
- `NumberTrie.build(tokenizer, numbers)`: the allowed token sequences of those numbers.
- `NumberCopyProcessor(vocabulary, tries, prompt_width)`: the processor for one left-padded batch.
- `DigitVocabulary.of(tokenizer)`: which ids contain a digit (computed once per tokenizer by the caller).
- `user_texts(conversations)`: the usual number sources, each conversation's user turns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_NUMBER = re.compile(r"(?<![\d.])[+-]?\d+(?:\.\d+)?")  # the number part of the builtin tokenizer's pre-tokens


def prompt_numbers(text: str) -> set[str]:
    """The numbers of `text` as written ("+1.2", "-3.4", "23288"; "P25" gives "25")."""
    return set(_NUMBER.findall(text))


def user_texts(conversations: Sequence[Sequence[dict[str, str]]]) -> list[str]:
    """Each conversation's user turns joined: the text whose numbers an answer may state."""
    return ["\n".join(m["content"] for m in conversation if m["role"] == "user") for conversation in conversations]


@dataclass
class NumberTrie:
    """Allowed number token sequences: `children[prefix]` are the ids that may follow `prefix` (a tuple of ids,
    () for the first token) and `complete` holds the whole sequences."""

    children: dict[tuple[int, ...], set[int]] = field(default_factory=dict)
    complete: set[tuple[int, ...]] = field(default_factory=set)
    longest: int = 0

    @classmethod
    def build(cls, tokenizer: Any, numbers: Iterable[str]) -> NumberTrie:
        trie = cls()
        for number in numbers:
            for form in (number, f" {number}"):
                trie.add(tuple(tokenizer(form, add_special_tokens=False)["input_ids"]))
        return trie

    def add(self, sequence: tuple[int, ...]) -> None:
        for end in range(len(sequence)):
            self.children.setdefault(sequence[:end], set()).add(sequence[end])
        self.complete.add(sequence)
        self.longest = max(self.longest, len(sequence))


@dataclass(frozen=True)
class DigitVocabulary:
    """`has_digit[i]`: whether token id i's text contains a digit (a bool tensor over the vocabulary)."""

    has_digit: Any

    @classmethod
    def of(cls, tokenizer: Any) -> DigitVocabulary:
        import torch

        texts = [tokenizer.decode([token_id]) for token_id in range(len(tokenizer))]
        return cls(torch.tensor([any(ch.isdigit() for ch in text) for text in texts], dtype=torch.bool))


def open_paths(written: Sequence[int], trie: NumberTrie, has_digit: Any) -> list[tuple[int, ...]]:
    """The trie prefixes the written ids may be in the middle of: every suffix that is a trie path, and the
    empty prefix unless the last token holds a digit (a number cannot start right after a digit)."""
    paths = [tuple(written[-k:]) for k in range(1, min(trie.longest, len(written)) + 1)]
    paths = [path for path in paths if path in trie.children or path in trie.complete]
    if not written or not bool(has_digit[written[-1]]):
        paths.append(())
    return paths


def allowed_tokens(written: Sequence[int], trie: NumberTrie, has_digit: Any) -> Any:
    """A bool mask over the vocabulary: the ids that may follow `written` (see the module docstring)."""
    paths = open_paths(written, trie, has_digit)
    ends_ok = () in paths or any(path in trie.complete for path in paths)
    mask = ~has_digit if ends_ok else has_digit & False
    following = sorted({token for path in paths for token in trie.children.get(path, ())})
    if following:
        mask = mask.clone()
        mask[following] = True
    return mask


class NumberCopyProcessor:
    """Masks the logits of tokens that would write a number outside the row's trie (`tries[i]` for batch row i;
    generation starts at `prompt_width` in `input_ids`)."""

    def __init__(self, vocabulary: DigitVocabulary, tries: Sequence[NumberTrie], prompt_width: int) -> None:
        self.has_digit = vocabulary.has_digit
        self.tries = list(tries)
        self.prompt_width = prompt_width

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        for row in range(scores.shape[0]):
            written = input_ids[row, self.prompt_width :].tolist()
            mask = allowed_tokens(written, self.tries[row], self.has_digit)
            width = scores.shape[1]
            mask = (
                mask[:width]
                if len(mask) >= width
                else torch.cat([mask, torch.zeros(width - len(mask), dtype=torch.bool)])
            )
            if bool(mask.any()):
                scores[row] = scores[row].masked_fill(~mask, float("-inf"))
        return scores
