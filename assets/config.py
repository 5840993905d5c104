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
