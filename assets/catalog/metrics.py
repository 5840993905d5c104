"""Per-category market metrics from validated products (pure pandas, no Dagster).

`compute_category_metrics(products)` returns one row per category with scalar metrics and four
JSON-encoded list/dict columns (`top_brands`, `top_channels`, `top_keywords`, `promising_segment`)
so the table stores cleanly as Parquet; `metrics_records(frame)` decodes them back to plain dicts.
Shares are fractions in [0, 1]; HHI is on the usual 0–10,000 scale; prices are in won.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from assets.catalog.fields import parse_pair_column, parse_spec_column
from assets.catalog.reading import STAR_LEVELS, UNKNOWN_BRAND

JSON_COLUMNS: tuple[str, ...] = ("top_brands", "top_channels", "top_keywords", "promising_segment")
SEGMENT_EXCLUDED_KEYS: frozenset[str] = frozenset({"특징"})
SEGMENT_CHUNK_ROWS = 250_000
SCALAR_INPUTS: frozenset[str] = frozenset(
    {"category", "brand", "review_count", "rating", "price", "price_change_6m", "collected_at"}
    | {f"stars_{level}" for level in STAR_LEVELS}
)


@dataclass(frozen=True)
class MetricsSettings:
    """How many items the top lists keep and what qualifies as a promising segment."""

    top_brands: int = 3
    top_channels: int = 3
    top_keywords: int = 5
    segment_min_products: int = 5
    segment_min_share: float = 0.03
    segment_max_share: float = 0.6
    segment_rating_slack: float = 0.1


def _scalar_table(numeric: pd.DataFrame) -> pd.DataFrame:
    """The scalar metrics of every category at once (grouped reductions; one row per category)."""
    by_category = numeric.groupby("category", observed=True)
    reviews = numeric["review_count"]
    rated = numeric["rating"].notna() & (reviews > 0)
    rating_weight = reviews.where(rated, 0).groupby(numeric["category"], observed=True).sum()
    rating_sum = (numeric["rating"] * reviews).where(rated, 0.0).groupby(numeric["category"], observed=True).sum()
    stars = by_category[[f"stars_{level}" for level in STAR_LEVELS]].sum(min_count=1)
    star_total = stars.sum(axis=1)
    known_brand = numeric.loc[numeric["brand"] != UNKNOWN_BRAND, ["category", "brand"]]
    prices = by_category["price"]
    table = pd.DataFrame(
        {
            "product_count": by_category.size(),
            "brand_count": known_brand.groupby("category", observed=True)["brand"].nunique(),
            "total_reviews": by_category["review_count"].sum(),
            "zero_review_share": (reviews == 0).groupby(numeric["category"], observed=True).mean(),
            "weighted_rating": rating_sum / rating_weight.where(rating_weight > 0),
            "low_rating_share": (stars["stars_1"] + stars["stars_2"]) / star_total.where(star_total > 0),
            "price_p25": prices.quantile(0.25),
            "price_p50": prices.quantile(0.50),
            "price_p75": prices.quantile(0.75),
            "median_price_change_6m": by_category["price_change_6m"].median(),
            "collected_from": by_category["collected_at"].min().map(_date_text),
            "collected_to": by_category["collected_at"].max().map(_date_text),
        }
    )
    return table.fillna({"brand_count": 0}).astype({"product_count": int, "brand_count": int, "total_reviews": int})


def _date_text(value: Any) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _brand_concentration(numeric: pd.DataFrame, top_n: int) -> dict[str, dict[str, Any]]:
    """Per category: the top brands' review share, the HHI and the top brands (ties in brand order)."""
    by_brand = numeric.groupby(["category", "brand"], observed=True)["review_count"].sum()
    result: dict[str, dict[str, Any]] = {}
    for category, reviews in by_brand.groupby(level="category", observed=True, sort=False):
        reviews = reviews.droplevel("category").sort_values(ascending=False, kind="stable")
        total = float(reviews.sum())
        if total <= 0:
            result[str(category)] = {"top3_brand_share": float("nan"), "hhi": float("nan"), "top_brands": []}
            continue
        shares = reviews / total
        top = shares[shares > 0].head(top_n)
        result[str(category)] = {
            "top3_brand_share": float(top.sum()),
            "hhi": float((shares.pow(2).sum()) * 10_000),
            "top_brands": [{"name": str(name), "share": float(share)} for name, share in top.items()],
        }
    return result


def _scalar_rows(numeric: pd.DataFrame, top_n: int) -> dict[str, dict[str, Any]]:
    """Scalar metrics and brand concentration per category, as plain Python values."""
    table = _scalar_table(numeric)
    concentration = _brand_concentration(numeric, top_n)
    rows = {}
    for category, values in table.iterrows():
        record = {column: _plain(value) for column, value in values.items()}
        rows[str(category)] = {**record, **concentration[str(category)]}
    return rows


def _plain(value: Any) -> Any:
    """numpy scalars as Python int/float (NaN stays float NaN), text as it is."""
    if isinstance(value, str):
        return value
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _top_pairs(long: pd.DataFrame, categories: pd.Series, top_n: int) -> dict[str, list[dict[str, Any]]]:
    """Sum pair counts per (category, key); keep each category's top keys with count and share."""
    if long.empty:
        return {}
    frame = long.assign(category=categories.reindex(long["row"]).to_numpy())
    sums = frame.groupby(["category", "key"], sort=False, observed=True)["value"].sum().reset_index()
    sums = sums.astype({"category": str, "key": str})
    sums["share"] = sums["value"] / sums.groupby("category")["value"].transform("sum")
    sums = sums.sort_values(["category", "value", "key"], ascending=[True, False, True], kind="stable")
    result: dict[str, list[dict[str, Any]]] = {}
    for category, rows in sums.groupby("category", sort=False):
        result[str(category)] = [
            {"name": str(r.key), "count": int(r.value), "share": float(r.share)} for r in rows.head(top_n).itertuples()
        ]
    return result


def _segment_table(products: pd.DataFrame) -> pd.DataFrame:
    """One row per (category, spec key, spec value): product count, reviews, rating x reviews.

    Built from partial tables of `SEGMENT_CHUNK_ROWS` products at a time, so the long
    (product, key, value) table of a million-row catalogue never exists at once."""
    partials = [
        _segment_partial(products.iloc[start : start + SEGMENT_CHUNK_ROWS])
        for start in range(0, len(products), SEGMENT_CHUNK_ROWS)
    ]
    if len(partials) == 1:
        return partials[0]
    table = pd.concat(partials, ignore_index=True).groupby(["category", "key", "value"], sort=False).sum()
    return table.reset_index()


def _segment_partial(products: pd.DataFrame) -> pd.DataFrame:
    specs = parse_spec_column(products["specifications"])
    specs = specs[~specs["key"].isin(SEGMENT_EXCLUDED_KEYS)]
    positions = products.index.get_indexer(specs["row"].to_numpy())
    rating_x_reviews = (products["rating"].fillna(0) * products["review_count"]).to_numpy()
    frame = specs.assign(
        category=products["category"].iloc[positions].array,
        reviews=products["review_count"].to_numpy()[positions],
        rating_x_reviews=rating_x_reviews[positions],
    )
    table = frame.groupby(["category", "key", "value"], sort=False, observed=True).agg(
        products=("row", "size"), reviews=("reviews", "sum"), rating_x_reviews=("rating_x_reviews", "sum")
    )
    return table.reset_index().astype({"category": str, "key": str, "value": str})


def _qualifying_segments(table: pd.DataFrame, products: pd.DataFrame, settings: MetricsSettings) -> pd.DataFrame:
    totals = products.groupby("category", observed=True).agg(
        category_products=("product_id", "size"), category_reviews=("review_count", "sum")
    )
    table = table.join(totals.set_axis(totals.index.astype(str)), on="category")
    table["product_share"] = table["products"] / table["category_products"]
    table["review_share"] = table["reviews"] / table["category_reviews"].where(table["category_reviews"] > 0)
    table["demand_index"] = table["review_share"] / table["product_share"]
    table["weighted_rating"] = table["rating_x_reviews"] / table["reviews"].where(table["reviews"] > 0)
    large_enough = table["products"] >= np.maximum(
        settings.segment_min_products, settings.segment_min_share * table["category_products"]
    )
    not_everything = table["product_share"] <= settings.segment_max_share
    return table[large_enough & not_everything & table["demand_index"].notna()]


def _priced_rows_by_category(products: pd.DataFrame, categories: set[str]) -> dict[str, np.ndarray]:
    """Positions of the rows with a unit price in each of `categories` (one pass over the table, no copies)."""
    wanted = products["category"].isin(categories).to_numpy() & products["unit_price_value"].notna().to_numpy()
    positions = np.flatnonzero(wanted)
    category = products["category"].iloc[positions].reset_index(drop=True)
    groups = category.groupby(category, observed=True, sort=False).indices
    return {str(name): positions[indices] for name, indices in groups.items()}


def _rows_with_spec(specifications: pd.Series, key: str, value: str) -> np.ndarray:
    """Index labels of the rows whose parsed specifications hold exactly `key: value` (a substring test
    would put "용량: 2L x 6" in the "용량: 2L" segment)."""
    specs = parse_spec_column(specifications)
    matching = (specs["key"].astype(str) == key).to_numpy() & (specs["value"].astype(str) == value).to_numpy()
    return pd.unique(specs["row"].to_numpy()[matching])


def _segment_unit_price(products: pd.DataFrame, rows: np.ndarray | None, key: str, value: str) -> dict[str, Any]:
    """Median unit price of the segment and of its category (`rows`: the category's positions with a unit
    price), on the category's most common basis."""
    if rows is None or not len(rows):
        return {}
    columns = products.columns.get_indexer(["unit_basis", "unit_price_value", "specifications"])
    in_category = products.iloc[rows, columns]
    basis = in_category["unit_basis"].mode().iloc[0]
    same_basis = in_category[in_category["unit_basis"] == basis]
    in_segment = same_basis.loc[_rows_with_spec(same_basis["specifications"], key, value)]
    if in_segment.empty:
        return {}
    return {
        "unit_basis": str(basis),
        "segment_unit_price_p50": float(in_segment["unit_price_value"].median()),
        "category_unit_price_p50": float(same_basis["unit_price_value"].median()),
    }


def _promising_segments(
    products: pd.DataFrame, category_rating: pd.Series, settings: MetricsSettings
) -> dict[str, dict[str, Any]]:
    """Per category, the spec value whose reviews per product most exceed the category average,
    among segments rated no worse than the category (minus a small slack)."""
    table = _qualifying_segments(_segment_table(products), products, settings)
    floor = category_rating.reindex(table["category"]).to_numpy() - settings.segment_rating_slack
    table = table[(table["weighted_rating"] >= floor) | np.isnan(floor)]
    table = table.sort_values(
        ["category", "demand_index", "products", "key", "value"], ascending=[True, False, False, True, True]
    )
    best = table.groupby("category", sort=False).head(1)
    priced = _priced_rows_by_category(products, set(best["category"]))
    segments: dict[str, dict[str, Any]] = {}
    for row in best.itertuples():
        segments[str(row.category)] = {
            "key": str(row.key),
            "value": str(row.value),
            "product_count": int(row.products),
            "product_share": float(row.product_share),
            "review_share": float(row.review_share),
            "demand_index": float(row.demand_index),
            "weighted_rating": float(row.weighted_rating),
            **_segment_unit_price(products, priced.get(str(row.category)), str(row.key), str(row.value)),
        }
    return segments


def compute_category_metrics(
    products: pd.DataFrame,
    settings: MetricsSettings = MetricsSettings(),
    parsed_pairs: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per category (sorted by category name); see the module docstring for units.

    `parsed_pairs` (from `ProductsReadResult.parsed_pairs`) saves re-parsing the channel and tag
    columns when the caller still has them; otherwise they are parsed from `products`.
    """
    if products.empty:
        raise ValueError("no valid products to compute category metrics from")
    categories = products["category"]
    numeric = products[[column for column in products.columns if column in SCALAR_INPUTS]]  # no text copied per group
    rows = _scalar_rows(numeric, settings.top_brands)
    pairs = parsed_pairs or {}
    channel_pairs = pairs.get("review_channels", None)
    tag_pairs = pairs.get("review_tags", None)
    channel_pairs = parse_pair_column(products["review_channels"]).long if channel_pairs is None else channel_pairs
    tag_pairs = parse_pair_column(products["review_tags"]).long if tag_pairs is None else tag_pairs
    channels = _top_pairs(channel_pairs, categories, settings.top_channels)
    keywords = _top_pairs(tag_pairs, categories, settings.top_keywords)
    rating = pd.Series({cat: values["weighted_rating"] for cat, values in rows.items()})
    segments = _promising_segments(products, rating, settings)
    records = []
    for category, values in sorted(rows.items()):
        values["top_channels"] = channels.get(category, [])
        values["top_keywords"] = keywords.get(category, [])
        values["promising_segment"] = segments.get(category, {})
        records.append({"category": category, **values})
    return _encode_json_columns(pd.DataFrame.from_records(records))


def _encode_json_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for column in JSON_COLUMNS:
        frame[column] = frame[column].map(lambda value: json.dumps(value, ensure_ascii=False))
    return frame


def metrics_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Decode a metrics table into plain dicts (JSON columns parsed, NaN kept as float NaN)."""
    records = frame.to_dict(orient="records")
    for record in records:
        for column in JSON_COLUMNS:
            record[column] = json.loads(record[column]) if isinstance(record[column], str) else record[column]
    return records
