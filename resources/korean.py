"""Korean morphological analysis with Kiwi: morphemes for BM25/LSA, sentence splitting, token counting.

`KoreanTokenizer` is plain Python (no Dagster) so pure logic and the CLI can use it; the Dagster
resource `KoreanTokenizerResource` in `resources.tokenizer_resource` builds one from config.
Kiwi is loaded lazily on first use because building it costs about a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Part-of-speech tag prefixes kept as index terms: nouns (NN*), verb/adjective stems (VV, VA),
# roots (XR), foreign words (SL), Chinese characters (SH), numbers (SN), adverbs (MAG).
DEFAULT_KEEP_TAGS: tuple[str, ...] = ("NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "SL", "SH", "SN", "MAG")


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
        num_workers: int = 0,
        lowercase: bool = True,
    ) -> None:
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

        kiwi = Kiwi(num_workers=self.num_workers)
        if self.user_dictionary is not None:
            if not self.user_dictionary.is_file():
                raise FileNotFoundError(f"Kiwi user dictionary not found: {self.user_dictionary}")
            kiwi.load_user_dictionary(str(self.user_dictionary))
        return kiwi

    def _keep(self, token: Any) -> str | None:
        tag: str = token.tag
        if not tag.startswith(self.keep_tags):
            return None
        form: str = token.form
        return form.lower() if self.lowercase else form

    def morphemes(self, text: str) -> list[str]:
        """Index terms of one text: kept morphemes in order, lowercased."""
        return [term for token in self.kiwi.tokenize(text) if (term := self._keep(token))]

    def morphemes_batch(self, texts: Iterable[str]) -> list[list[str]]:
        """Index terms of many texts, using Kiwi's worker threads."""
        texts = list(texts)
        if not texts:
            return []
        results = self.kiwi.tokenize(texts)
        return [[term for token in tokens if (term := self._keep(token))] for tokens in results]

    def split_sentences(self, text: str) -> list[Sentence]:
        """Sentences of `text` with character spans and token counts (all morphemes counted)."""
        if not text.strip():
            return []
        sentences = self.kiwi.split_into_sents(text, return_tokens=True)
        return [Sentence(s.text, s.start, s.end, len(s.tokens)) for s in sentences]

    def count_tokens(self, text: str) -> int:
        """Number of Kiwi morphemes in `text` (all tags), the unit of the chunk token budget."""
        return len(self.kiwi.tokenize(text)) if text.strip() else 0
