"""Dagster resources of the matching group: where the item index lives, how it is embedded, and the selection log.

* `ItemIndexStore`: the index folder (default `<artifacts>/matching/item_index`), the embedder
  (offline n-gram default, or a local sentence-transformers model by path), the decision rule's
  thresholds; `load()` verifies the checksums and keeps one loaded matcher per saved version.
* `SelectionLogResource`: the feedback store's selection log (`open_selection_source`, the one
  place that names the store's class).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from resources.hashing import sha256_file
from resources.matching.learning import SelectionSource
from resources.matching.matcher import DecisionRule, ItemMatcher
from resources.matching.semantic import NgramEmbedder, SentenceTransformerEmbedder
from resources.matching.store import load_matcher
from resources.paths import artifacts_dir
from resources.retrieval.dense import MANIFEST_FILE

_LOADED: dict[tuple[str, str], ItemMatcher] = {}


class ItemIndexStore(ConfigurableResource):
    """The saved item index and how it is built."""

    directory: str = Field(default="", description="Index folder; empty: <artifacts dir>/matching/item_index.")
    embedder: Literal["ngram", "sentence_transformers"] = Field(
        default="ngram", description="'ngram' (offline jamo/skeleton n-grams) or 'sentence_transformers' (local)."
    )
    model_path: str = Field(
        default="", description="Local sentence-transformers model (embedder 'sentence_transformers')."
    )
    threshold: float = Field(default=0.7, ge=0, le=1, description="Rule confidence at or above which the rule decides.")
    semantic_min: float = Field(default=0.7, ge=0, le=1, description="Semantic score above which it may be adopted.")

    def path(self) -> Path:
        return Path(self.directory) if self.directory else artifacts_dir() / "matching" / "item_index"

    def make_embedder(self) -> NgramEmbedder | SentenceTransformerEmbedder:
        if self.embedder == "sentence_transformers":
            if not self.model_path:
                raise ValueError(
                    "ItemIndexStore: embedder 'sentence_transformers' needs model_path (a local directory)"
                )
            return SentenceTransformerEmbedder(self.model_path)
        return NgramEmbedder()

    def decision(self) -> DecisionRule:
        return DecisionRule(threshold=self.threshold, semantic_min=self.semantic_min)

    def fingerprint(self) -> str:
        manifest = self.path() / MANIFEST_FILE
        if not manifest.is_file():
            raise FileNotFoundError(f"no saved item index in {self.path()} ({MANIFEST_FILE} missing)")
        return sha256_file(manifest)

    def load(self) -> ItemMatcher:
        """The saved matcher, verified and loaded once per process for each saved version."""
        key = (str(self.path().resolve()), self.fingerprint())
        if key not in _LOADED:
            for stale in [k for k in _LOADED if k[0] == key[0]]:
                del _LOADED[stale]
            _LOADED[key] = load_matcher(self.path())
        return _LOADED[key]


def open_selection_source(url: str) -> SelectionSource:
    """The feedback store's selection log: `url`, else `KODISTILL_FEEDBACK_URL`, else the store's SQLite file."""
    from resources.feedback.store import FeedbackStore

    return FeedbackStore(url or os.environ.get("KODISTILL_FEEDBACK_URL") or None)


class SelectionLogResource(ConfigurableResource):
    """Where users' selections are logged (the feedback store's `selection_log` table)."""

    url: str = Field(
        default="",
        description="Feedback store URL; empty: KODISTILL_FEEDBACK_URL, else the store's SQLite file.",
    )
    min_support: int = Field(default=2, ge=1, description="Consistent selections needed before an alias is learned.")

    def source(self) -> SelectionSource:
        return open_selection_source(self.url)
