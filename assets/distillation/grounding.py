"""Groundedness of teacher answers against the contexts they cite (pure functions).

Extractive answers are made of verbatim context sentences: their score is the share of answer
sentences found verbatim (whitespace-normalised) in a cited context, 1.0 by construction.
Generative answers paraphrase: their score is the morpheme-overlap precision, the share of the
answer's content morphemes that occur in the cited contexts. An abstention ("제공된 문서에서 확인할 수
없습니다.") claims nothing and scores 1.0. Citation markers are stripped before scoring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from resources.korean import KoreanTokenizer
from resources.llm.base import NO_ANSWER_TEXT, split_citations

EXTRACTIVE = "extractive"
GENERATIVE = "generative"


@dataclass(frozen=True)
class GroundingResult:
    """A groundedness score in [0, 1], the unsupported pieces, and whether the answer abstained."""

    score: float
    method: str
    unsupported: tuple[str, ...] = ()
    abstained: bool = False
    invalid_citations: tuple[str, ...] = ()


def _normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return re.sub(r"\s+", " ", text).strip()


def answer_sentences(answer: str, tokenizer: KoreanTokenizer) -> list[str]:
    """Sentences of an answer: lines first, then Kiwi sentences within each line (only ever splits)."""
    pieces = []
    for line in answer.splitlines():
        if line.strip():
            pieces.extend(s.text.strip() for s in tokenizer.split_sentences(line) if s.text.strip())
    return pieces


def _is_abstention(body: str) -> bool:
    """True when the answer is empty or just the no-answer sentence."""
    return not body.strip() or _normalise_space(body) == NO_ANSWER_TEXT


def _cited_texts(cited_ids: Sequence[str], contexts: Mapping[str, str]) -> tuple[list[str], tuple[str, ...]]:
    """Texts of the cited contexts and the cited ids that are not among the contexts."""
    texts = [contexts[cid] for cid in cited_ids if cid in contexts]
    invalid = tuple(cid for cid in cited_ids if cid not in contexts)
    return texts, invalid


def _answer_and_cited_texts(
    answer: str, cited_ids: Sequence[str], contexts: Mapping[str, str]
) -> tuple[str, list[str], tuple[str, ...]]:
    """The answer without its citation line, the texts it cites (given ids plus inline ones), and
    the cited ids that are not among the contexts."""
    body, inline_ids = split_citations(answer, list(contexts))
    cited = list(dict.fromkeys([*cited_ids, *inline_ids]))
    texts, invalid = _cited_texts(cited, contexts)
    return body, texts, invalid


def extractive_groundedness(
    answer: str, cited_ids: Sequence[str], contexts: Mapping[str, str], tokenizer: KoreanTokenizer
) -> GroundingResult:
    """Share of answer sentences that appear verbatim in one of the cited contexts."""
    body, texts, invalid = _answer_and_cited_texts(answer, cited_ids, contexts)
    if _is_abstention(body):
        return GroundingResult(1.0, EXTRACTIVE, abstained=True, invalid_citations=invalid)
    haystacks = [_normalise_space(t) for t in texts]
    sentences = answer_sentences(body, tokenizer)
    unsupported = tuple(s for s in sentences if not any(_normalise_space(s) in h for h in haystacks))
    score = 1.0 - len(unsupported) / len(sentences) if sentences else 0.0
    return GroundingResult(score, EXTRACTIVE, unsupported, invalid_citations=invalid)


def generative_groundedness(
    answer: str, cited_ids: Sequence[str], contexts: Mapping[str, str], tokenizer: KoreanTokenizer
) -> GroundingResult:
    """Morpheme-overlap precision: share of the answer's content morphemes found in cited contexts."""
    body, texts, invalid = _answer_and_cited_texts(answer, cited_ids, contexts)
    if _is_abstention(body):
        return GroundingResult(1.0, GENERATIVE, abstained=True, invalid_citations=invalid)
    answer_terms = tokenizer.morphemes(body)
    if not answer_terms:
        return GroundingResult(0.0, GENERATIVE, (body,), invalid_citations=invalid)
    vocabulary = {term for text in texts for term in tokenizer.morphemes(text)}
    missing = [term for term in answer_terms if term not in vocabulary]
    score = 1.0 - len(missing) / len(answer_terms)
    return GroundingResult(score, GENERATIVE, tuple(dict.fromkeys(missing)), invalid_citations=invalid)


def groundedness(
    answer: str,
    cited_ids: Sequence[str],
    contexts: Mapping[str, str],
    tokenizer: KoreanTokenizer,
    method: str = EXTRACTIVE,
) -> GroundingResult:
    """Dispatch to the extractive (verbatim sentences) or generative (morpheme precision) score."""
    if method == EXTRACTIVE:
        return extractive_groundedness(answer, cited_ids, contexts, tokenizer)
    if method == GENERATIVE:
        return generative_groundedness(answer, cited_ids, contexts, tokenizer)
    raise ValueError(f"unknown groundedness method {method!r}; expected {EXTRACTIVE!r} or {GENERATIVE!r}")


def method_for_backend(backend_name: str) -> str:
    """The groundedness method suited to a backend: verbatim for the extractive teacher, else overlap."""
    return EXTRACTIVE if backend_name == "extractive" else GENERATIVE
