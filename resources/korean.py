"""Korean morphological analysis with Kiwi: morphemes for BM25/LSA, sentence splitting, token counting.

`tagged_forms` is the one filter of Kiwi tokens by POS tag (index terms, numbers, proper nouns,
nouns). Derived index terms: morpheme bigrams and character n-grams (`TermExpansion`).
`KoreanTokenizer` is plain Python (no Dagster) so pure logic and the CLI can use it; the Dagster
resource `KoreanTokenizerResource` in `resources.tokenizer_resource` builds one from config.
Kiwi is loaded lazily on first use because building it costs about a second.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Part-of-speech tag prefixes kept as index terms: nouns (NN*), verb/adjective stems (VV, VA),
# roots (XR), foreign words (SL), Chinese characters (SH), numbers (SN), adverbs (MAG).
DEFAULT_KEEP_TAGS: tuple[str, ...] = ("NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "SL", "SH", "SN", "MAG")


def tagged_forms(tokens: Iterable[Any], tags: Sequence[str], lowercase: bool = False) -> list[str]:
    """Forms of the Kiwi tokens whose POS tag starts with one of `tags`, in order: the one POS filter.

    Tags are prefixes: "NN" keeps NNG/NNP/NNB, and "VV" also keeps irregular stems ("VV-R", "VV-I").
    """
    prefixes = tuple(tags)
    forms = [token.form for token in tokens if token.tag.startswith(prefixes)]
    return [form.lower() for form in forms] if lowercase else forms


@dataclass(frozen=True)
class Sentence:
    """One sentence with its character span in the source text and its Kiwi token count."""

    text: str
    start: int
    end: int
    token_count: int


class KoreanTokenizer:
    """Kiwi-backed tokenizer: `morphemes` for indexing, `split_sentences` for chunking."""

    def __init__(
        self,
        keep_tags: Sequence[str] = DEFAULT_KEEP_TAGS,
        user_dictionary: str | Path | None = None,
        num_workers: int = -1,
        lowercase: bool = True,
    ) -> None:
        """`num_workers`: Kiwi threads for `morphemes_batch` (-1: all cores; 0 is treated as 1)."""
        self.keep_tags = tuple(keep_tags)
        self.user_dictionary = Path(user_dictionary) if user_dictionary else None
        self.num_workers = num_workers
        self.lowercase = lowercase
        self._kiwi: Any = None

    @property
    def kiwi(self) -> Any:
        """The underlying `kiwipiepy.Kiwi`, built on first access (with the user dictionary, if any)."""
        if self._kiwi is None:
            self._kiwi = self._build_kiwi()
        return self._kiwi

    def _build_kiwi(self) -> Any:
        from kiwipiepy import Kiwi

        # Kiwi >= 0.21 runs num_workers=0 in a single-thread mode that cannot analyse batches.
        kiwi = Kiwi(num_workers=self.num_workers if self.num_workers != 0 else 1)
        if self.user_dictionary is not None:
            if not self.user_dictionary.is_file():
                raise FileNotFoundError(f"Kiwi user dictionary not found: {self.user_dictionary}")
            kiwi.load_user_dictionary(str(self.user_dictionary))
        return kiwi

    def terms(self, tokens: Iterable[Any]) -> list[str]:
        """Index terms of already analysed Kiwi tokens: the forms of the kept tags (lowercased if set)."""
        return tagged_forms(tokens, self.keep_tags, self.lowercase)

    def morphemes(self, text: str) -> list[str]:
        """Index terms of one text: kept morphemes in order, lowercased."""
        return self.terms(self.kiwi.tokenize(text)) if text else []

    def morphemes_batch(self, texts: Iterable[str], show_progress: bool = False) -> list[list[str]]:
        """Index terms of many texts, analysed in parallel by Kiwi's worker threads, in input order."""
        texts = list(texts)
        if not texts:
            return []
        results: Iterator[Any] = self.kiwi.tokenize(texts)
        if show_progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(texts), desc="kiwi", unit="text", file=sys.stderr)
        return [self.terms(tokens) for tokens in results]

    def split_sentences(self, text: str) -> list[Sentence]:
        """Sentences of `text` with character spans and token counts (all morphemes counted)."""
        if not text.strip():
            return []
        sentences = self.kiwi.split_into_sents(text, return_tokens=True)
        return [Sentence(s.text, s.start, s.end, len(s.tokens)) for s in sentences]

    def count_tokens(self, text: str) -> int:
        """Number of Kiwi morphemes in `text` (all tags), the unit of the chunk token budget."""
        return len(self.kiwi.tokenize(text)) if text.strip() else 0


# Retrieval index terms beyond single morphemes. Morphemes never contain whitespace and the kept
# tags never produce a form starting with "§", so neither kind of derived term can collide with one.
MORPHEME_BIGRAM_JOINER = "\u241f"
CHAR_NGRAM_PREFIX = "§"
_WORD = re.compile(r"[^\W_]+")


def morpheme_bigrams(morphemes: Sequence[str]) -> list[str]:
    """Adjacent morpheme pairs ("a␟b"): phrase evidence such as compound nouns split by Kiwi."""
    return [f"{a}{MORPHEME_BIGRAM_JOINER}{b}" for a, b in zip(morphemes, morphemes[1:], strict=False)]


def char_ngrams(text: str, n: int = 2) -> list[str]:
    """Character n-grams inside each word (runs of letters/digits; lowercased, prefixed with "§").

    They match words that Kiwi segments differently in the query and the document (rare names,
    inflected or spaced compounds); a word shorter than n gives itself.
    """
    grams: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) <= n:
            grams.append(CHAR_NGRAM_PREFIX + word)
        else:
            grams.extend(CHAR_NGRAM_PREFIX + word[i : i + n] for i in range(len(word) - n + 1))
    return grams


@dataclass(frozen=True)
class TermExpansion:
    """How BM25 index terms are derived from one Kiwi pass: morphemes (+ bigrams) (+ character n-grams)."""

    morpheme_bigrams: bool = True
    char_ngram: int = 2  # 0 turns character n-grams off

    def expand(self, morphemes: Sequence[str], text: str) -> list[str]:
        """Index terms of a text whose morphemes are already known (no second Kiwi pass)."""
        terms = list(morphemes)
        if self.morpheme_bigrams:
            terms.extend(morpheme_bigrams(morphemes))
        if self.char_ngram > 0:
            terms.extend(char_ngrams(text, self.char_ngram))
        return terms

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (saved with an index)."""
        return {"morpheme_bigrams": self.morpheme_bigrams, "char_ngram": self.char_ngram}

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TermExpansion:
        """Inverse of `to_dict`."""
        return cls(bool(settings["morpheme_bigrams"]), int(settings["char_ngram"]))
