"""Interim held-out retrieval questions for `retrieval_eval` (pure functions, no Dagster).

Until synthetic questions exist, `retrieval_eval` asks, for every chunk, its most informative
sentence (20–160 characters, the most distinct nouns) with the closing ending removed, and counts
as relevant every chunk that contains that sentence (overlapping chunks share sentences). It is a
sanity floor for the indexes, easier than real user questions; KorQuAD numbers in
docs/benchmarks.md measure the retrievers on real questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assets.knowledge.evaluation import EvalQuery
from resources.korean import KoreanTokenizer, tagged_forms

MIN_CHARS, MAX_CHARS = 20, 160
NOUN_TAGS = ("NNG", "NNP")
ENDING = re.compile(r"\s*\S*(?:다|요|니다|까)[.?!]?\s*$")


def _informative_sentence(text: str, tokenizer: KoreanTokenizer) -> str | None:
    candidates = [
        s.text.strip() for s in tokenizer.split_sentences(text) if MIN_CHARS <= len(s.text.strip()) <= MAX_CHARS
    ]
    if not candidates:
        return None

    def nouns(sentence: str) -> int:
        return len(set(tagged_forms(tokenizer.kiwi.tokenize(sentence), NOUN_TAGS)))

    return max(candidates, key=lambda sentence: (nouns(sentence), -len(sentence)))


def heldout_queries(chunk_ids: Sequence[str], texts: Sequence[str], tokenizer: KoreanTokenizer) -> list[EvalQuery]:
    """One query per chunk that has a usable sentence; relevant = every chunk containing it."""
    queries = []
    for chunk_id, text in zip(chunk_ids, texts, strict=True):
        sentence = _informative_sentence(text, tokenizer)
        if sentence is None:
            continue
        query = ENDING.sub("", sentence) or sentence
        relevant = tuple(cid for cid, other in zip(chunk_ids, texts, strict=True) if sentence in other)
        queries.append(EvalQuery(f"heldout-{chunk_id}", query, relevant))
    return queries
