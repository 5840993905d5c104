"""Plots for the Dagster UI: rendered to PNG and embedded as markdown (base64) so they show inline."""

from __future__ import annotations

import base64
import io

import pandas as pd


def _korean_matplotlib():  # noqa: ANN202 - returns the pyplot module
    import matplotlib

    matplotlib.use("Agg")
    import koreanize_matplotlib  # noqa: F401  (registers NanumGothic so Hangul labels render)
    import matplotlib.pyplot as plt

    return plt


def price_distribution_png(products: pd.DataFrame) -> bytes:
    """Box plot of price (log scale) per category, categories ordered by median price."""
    plt = _korean_matplotlib()
    order = products.groupby("category", observed=True)["price"].median().sort_values().index.tolist()
    data = [products.loc[products["category"] == category, "price"].to_numpy() for category in order]
    figure, axis = plt.subplots(figsize=(10, 0.45 * len(order) + 1.5), dpi=110)
    axis.boxplot(data, vert=False, showfliers=False, patch_artist=True, boxprops={"facecolor": "#cfe2ff"})
    axis.set_yticks(range(1, len(order) + 1), order)
    axis.set_xscale("log")
    axis.set_xlabel("판매가 (원, 로그 축)")
    axis.set_title("카테고리별 가격 분포 (P25–P75 상자, 이상치 제외)")
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown that the Dagster UI renders as an inline image."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
