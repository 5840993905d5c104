"""Dagster resource for the shared Kiwi tokenizer (part-of-speech filter, optional user dictionary).

Starting Kiwi costs 1.5–5 s, so one `KoreanTokenizer` is built per process and configuration and
shared by every step and partition that runs in that process (`shared_tokenizer`).
"""

from __future__ import annotations

from functools import lru_cache

from dagster import ConfigurableResource
from pydantic import Field

from resources.korean import DEFAULT_KEEP_TAGS, KoreanTokenizer


@lru_cache(maxsize=4)
def shared_tokenizer(keep_tags: tuple[str, ...], user_dictionary: str, num_workers: int) -> KoreanTokenizer:
    """The process-wide tokenizer for one configuration (Kiwi itself loads on first use)."""
    return KoreanTokenizer(keep_tags=keep_tags, user_dictionary=user_dictionary or None, num_workers=num_workers)


class KoreanTokenizerResource(ConfigurableResource):
    """Kiwi morphemes and sentence splitting, built once per process for each configuration."""

    keep_tags: list[str] = Field(default=list(DEFAULT_KEEP_TAGS), description="POS tag prefixes kept as index terms.")
    user_dictionary: str = Field(default="", description="Optional Kiwi user dictionary file (word<TAB>tag per line).")
    num_workers: int = Field(default=2, description="Kiwi worker threads for batch tokenization.")

    def get(self) -> KoreanTokenizer:
        """The process-wide tokenizer for this configuration."""
        return shared_tokenizer(tuple(self.keep_tags), self.user_dictionary, self.num_workers)
