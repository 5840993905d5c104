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


class DenseIndexConfig(Config):
    """Which embedder feeds the FAISS index and which index kind to build."""

    embedder: str = Field(
        default="lsa", description="'lsa', 'lsa:DIM' or 'st:/local/path/to/sentence-transformers-model'."
    )
    index_kind: str = Field(default="flat", description="'flat' (exact) or 'hnsw' (large corpora).")


class RetrievalEvalConfig(Config):
    """Cut-offs reported by retrieval_eval."""

    ks: list[int] = Field(default=[1, 3, 5, 10], description="Cut-offs for recall@k.")


class SyntheticQuestionsConfig(Config):
    """Template (or LLM) question generation per document."""

    per_chunk: int = Field(
        default=2, description="Questions taken from each chunk; the six types rotate across chunks."
    )
    near_duplicate_threshold: float = Field(
        default=0.8, description="Morpheme Jaccard at or above which a question is a near-duplicate."
    )
    seed: int = 0
    generator: str = Field(
        default="template", description="'template' (offline) or 'hf:/local/model/dir' to have a model write them."
    )
    temperatures: list[float] = Field(
        default=[0.1, 0.3, 0.4], description="Sampling temperatures rotated over chunks (hf generator)."
    )
    fallback: str = Field(
        default="extractive", description="When the hf model cannot load: 'extractive' uses templates only; '' fails."
    )


class TeacherAnswersConfig(Config):
    """Which teacher answers, over how many retrieved contexts, in what batches."""

    teacher: str = Field(default="extractive", description="'extractive' or 'hf:/local/model/dir'.")
    k: int = Field(default=3, description="Contexts given to the teacher per question.")
    fusion: str = Field(default="", description="Retrieval mode; empty = the retriever's measured default.")
    batch_size: int = Field(default=16, description="Questions per checkpointed batch.")
    max_new_tokens: int = Field(default=256, description="Generation budget for an hf teacher.")
    quantization: str = Field(default="", description="'', '8bit' or '4bit' (CUDA only) for an hf teacher.")
    fallback: str = Field(
        default="extractive", description="Backend used when an hf teacher cannot load; '' to fail instead."
    )
