"""Run configuration of every asset, in one place (Dagster `Config` classes; presets live in orchestration)."""

from __future__ import annotations

from dagster import Config
from pydantic import Field

from assets.catalog.metrics import MetricsSettings


class ProductsConfig(Config):
    """Where the catalogue CSV is read from; empty means `<data_dir>/products_all.csv`."""

    csv_path: str = Field(default="", description="Path of products_all.csv (UTF-8, UTF-8 BOM or CP949).")


class CategoryMetricsConfig(Config):
    """Top-list sizes and the thresholds that define a promising segment (defaults: `MetricsSettings`)."""

    top_brands: int = MetricsSettings.top_brands
    top_channels: int = MetricsSettings.top_channels
    top_keywords: int = MetricsSettings.top_keywords
    segment_min_products: int = MetricsSettings.segment_min_products
    segment_min_share: float = MetricsSettings.segment_min_share
    segment_max_share: float = MetricsSettings.segment_max_share
    segment_rating_slack: float = MetricsSettings.segment_rating_slack

    def settings(self) -> MetricsSettings:
        """The pure-logic settings these run-config values stand for."""
        return MetricsSettings(**self.model_dump())


class ChunksConfig(Config):
    """Chunking budget, in Kiwi morphemes."""

    max_tokens: int = Field(default=256, description="Largest chunk, in Kiwi morphemes.")
    overlap_tokens: int = Field(
        default=48, description="Trailing sentences of the previous chunk repeated, up to this many morphemes."
    )


class RetrievalEvalConfig(Config):
    """Cut-offs reported by retrieval_eval."""

    ks: list[int] = Field(default=[1, 3, 5, 10], description="Cut-offs for recall@k.")


class SyntheticQuestionsConfig(Config):
    """Question generation per document (who writes them is the `question_generator` resource)."""

    per_chunk: int = Field(default=2, ge=1, description="Questions taken from each chunk; the six types rotate.")
    near_duplicate_threshold: float = Field(
        default=0.8, gt=0, le=1, description="Morpheme Jaccard at or above which a question is a near-duplicate."
    )
    seed: int = Field(default=0, ge=0, description="Seed of the type rotation and sampling.")


class TeacherAnswersConfig(Config):
    """How many retrieved contexts the teacher (the `teacher` resource) answers from, in what batches."""

    k: int = Field(default=3, ge=1, description="Contexts given to the teacher per question.")
    fusion: str = Field(default="", description="Retrieval mode; empty = the retriever's measured default.")
    batch_size: int = Field(default=16, ge=1, description="Questions per checkpointed batch.")
    max_new_tokens: int = Field(default=256, ge=1, description="Generation budget for an hf teacher.")
