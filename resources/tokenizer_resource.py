"""Dagster resource for the shared Kiwi tokenizer (part-of-speech filter, optional user dictionary)."""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field, PrivateAttr

from resources.korean import DEFAULT_KEEP_TAGS, KoreanTokenizer


class KoreanTokenizerResource(ConfigurableResource):
    """Builds one `KoreanTokenizer` per process, lazily (Kiwi takes about a second to load)."""

    keep_tags: list[str] = Field(default=list(DEFAULT_KEEP_TAGS), description="POS tag prefixes kept as index terms.")
    user_dictionary: str = Field(default="", description="Optional Kiwi user dictionary file (word<TAB>tag per line).")
    num_workers: int = Field(default=2, description="Kiwi worker threads for batch tokenization.")
    _tokenizer: KoreanTokenizer | None = PrivateAttr(default=None)

    def get(self) -> KoreanTokenizer:
        if self._tokenizer is None:
            self._tokenizer = KoreanTokenizer(
                keep_tags=tuple(self.keep_tags),
                user_dictionary=self.user_dictionary or None,
                num_workers=self.num_workers,
            )
        return self._tokenizer
