"""Asset checks of the catalog group: quarantine bound, required columns, metric sanity, bullets (blocking).

Every check has a description (shown in the UI); ratios in metadata are rounded for reading. The
bullets check calls `payload_problems`, the same validation `report_bullets` runs before writing.
"""

import dagster as dg
import numpy as np
import pandas as pd

from assets.catalog.assets import category_metrics, payloads_from_frame, products, report_bullets
from assets.catalog.bullets import payload_problems
from assets.catalog.metrics import metrics_records
from assets.catalog.reading import REQUIRED_COLUMNS
from assets.metadata import readable
from resources.settings import QualityThresholds

SHARE_COLUMNS = ("zero_review_share", "low_rating_share", "top3_brand_share")


@dg.asset_check(
    asset=products.keys_by_output_name["products"],
    additional_ins={"products_quarantine": dg.AssetIn()},
    description="The share of CSV rows quarantined stays at or below QualityThresholds.max_quarantine_ratio.",
)
def products_quarantine_ratio(
    products: pd.DataFrame, products_quarantine: pd.DataFrame, quality: QualityThresholds
) -> dg.AssetCheckResult:
    """The share of CSV rows quarantined stays below `QualityThresholds.max_quarantine_ratio`."""
    total = len(products) + len(products_quarantine)
    ratio = len(products_quarantine) / total if total else 1.0
    return dg.AssetCheckResult(
        passed=ratio <= quality.max_quarantine_ratio,
        metadata={
            "quarantine_ratio": readable(ratio),
            "bound": quality.max_quarantine_ratio,
            "rows_quarantined": len(products_quarantine),
        },
    )


@dg.asset_check(
    asset=products.keys_by_output_name["products"],
    description="Every required column of products_all.csv is present and has no missing value.",
)
def products_required_columns(products: pd.DataFrame) -> dg.AssetCheckResult:
    """Every required column is present and has no missing value."""
    missing = [column for column in REQUIRED_COLUMNS if column not in products.columns]
    with_nulls = [column for column in REQUIRED_COLUMNS if column in products.columns and products[column].isna().any()]
    return dg.AssetCheckResult(
        passed=not missing and not with_nulls, metadata={"missing": missing, "with_nulls": with_nulls}
    )


def metrics_problems(metrics: pd.DataFrame, products: pd.DataFrame) -> list[str]:
    """Shares in [0,1], P25 ≤ P50 ≤ P75, and counts that add up to the products table."""
    problems = []
    for column in SHARE_COLUMNS:
        values = metrics[column].dropna()
        bad = metrics.loc[values.index[(values < 0) | (values > 1)], "category"].tolist()
        problems += [f"{column} outside [0,1] for {category}" for category in bad]
    for record in metrics_records(metrics):
        shares = [c["share"] for c in record["top_channels"]] + [b["share"] for b in record["top_brands"]]
        problems += [f"a top-list share outside [0,1] for {record['category']}" for s in shares if not 0 <= s <= 1]
    unordered = metrics[
        ~((metrics["price_p25"] <= metrics["price_p50"]) & (metrics["price_p50"] <= metrics["price_p75"]))
    ]
    problems += [f"price quantiles not ordered for {category}" for category in unordered["category"]]
    expected = products.groupby("category", observed=True).agg(
        product_count=("product_id", "size"), total_reviews=("review_count", "sum")
    )
    expected.index = expected.index.astype(str)
    actual = metrics.set_index("category")[["product_count", "total_reviews"]]
    if not actual.sort_index().equals(expected.sort_index().astype(actual.dtypes.to_dict())):
        problems.append("product_count/total_reviews per category differ from the products table")
    if (metrics["brand_count"] > metrics["product_count"]).any():
        problems.append("brand_count exceeds product_count")
    return problems


@dg.asset_check(
    asset=category_metrics,
    additional_ins={"products": dg.AssetIn()},
    description="Shares within [0,1], price P25 ≤ P50 ≤ P75, product and review counts equal to the products table.",
)
def category_metrics_consistent(category_metrics: pd.DataFrame, products: pd.DataFrame) -> dg.AssetCheckResult:
    """Shares within [0,1], price quantiles ordered, counts consistent with `products`."""
    problems = metrics_problems(category_metrics, products)
    return dg.AssetCheckResult(
        passed=not problems, metadata={"problems": problems[:20], "categories": len(category_metrics)}
    )


@dg.asset_check(
    asset=report_bullets,
    blocking=True,
    additional_ins={"category_metrics": dg.AssetIn()},
    description=(
        "Blocking: every payload matches the JSON schema and bullet order, and every number in a bullet is a "
        "metric value of its category."
    ),
)
def report_bullets_valid_and_faithful(
    report_bullets: pd.DataFrame, category_metrics: pd.DataFrame
) -> dg.AssetCheckResult:
    """Every payload matches the schema and order, and every number in it is a metric of its category."""
    problems = payload_problems(payloads_from_frame(report_bullets), metrics_records(category_metrics))
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "problems": problems[:20],
            "payloads": len(report_bullets),
            "bullets_checked": int(np.sum([len(b) for b in report_bullets["summaryBullets"]])),
        },
    )
