"""Run configuration of every asset, in one place (Dagster `Config` classes; presets live in orchestration)."""

from __future__ import annotations

from dagster import Config
from pydantic import Field


class ProductsConfig(Config):
    """Where the catalogue CSV is read from; empty means `<data_dir>/products_all.csv`."""

    csv_path: str = Field(default="", description="Path of products_all.csv (UTF-8, UTF-8 BOM or CP949).")


class CategoryMetricsConfig(Config):
    """Top-list sizes and the thresholds that define a promising segment."""

    top_brands: int = 3
    top_channels: int = 3
    top_keywords: int = 5
    segment_min_products: int = 5
    segment_min_share: float = 0.03
    segment_max_share: float = 0.6


class ChunksConfig(Config):
    """Chunking budget, in Kiwi morphemes."""

    max_tokens: int = Field(default=256, description="Largest chunk, in Kiwi morphemes.")
    overlap_tokens: int = Field(default=48, description="Trailing sentences of the previous chunk repeated, up to this many morphemes.")


class DenseIndexConfig(Config):
    """Which embedder feeds the FAISS index and which index kind to build."""

    embedder: str = Field(default="lsa", description="'lsa', 'lsa:DIM' or 'st:/local/path/to/sentence-transformers-model'.")
    index_kind: str = Field(default="flat", description="'flat' (exact) or 'hnsw' (large corpora).")


class RetrievalEvalConfig(Config):
    """Cut-offs reported by retrieval_eval."""

    ks: list[int] = Field(default=[1, 3, 5, 10], description="Cut-offs for recall@k.")
