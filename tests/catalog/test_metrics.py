"""Category metrics against values computed by hand from tests/catalog/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assets.catalog.metrics import MetricsSettings, compute_category_metrics, metrics_records
from assets.catalog.reading import read_products


@pytest.fixture
def shampoo(small_products_csv: Path) -> dict:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    return {record["category"]: record for record in records}["샴푸"]


def test_market_size(shampoo: dict) -> None:
    assert (shampoo["product_count"], shampoo["brand_count"], shampoo["total_reviews"]) == (4, 3, 100)


def test_unknown_brand_is_not_counted_as_a_brand(small_products_csv: Path) -> None:
    records = metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    water = {r["category"]: r for r in records}["생수"]
    assert water["brand_count"] == 1
    assert [b["name"] for b in water["top_brands"]] == ["삼다수"]  # zero-review brands are not "top"


def test_zero_review_share_and_ratings(shampoo: dict) -> None:
    assert shampoo["zero_review_share"] == pytest.approx(0.25)
    assert shampoo["weighted_rating"] == pytest.approx((4.4 * 10 + 4.4 * 30 + 4.2 * 60) / 100)
    assert shampoo["low_rating_share"] == pytest.approx((1 + 0 + 1 + 1 + 3 + 2) / 100)


def test_price_quantiles_and_change(shampoo: dict) -> None:
    assert (shampoo["price_p25"], shampoo["price_p50"], shampoo["price_p75"]) == (17500, 25000, 32500)
    # changes: -1000/11000, 0, +3000/27000, 0 -> median 0
    assert shampoo["median_price_change_6m"] == pytest.approx(0.0)


def test_brand_concentration(shampoo: dict) -> None:
    assert shampoo["top3_brand_share"] == pytest.approx(1.0)
    assert shampoo["hhi"] == pytest.approx((0.6**2 + 0.4**2) * 10_000)
    assert [b["name"] for b in shampoo["top_brands"]] == ["케라시스", "려"]


def test_channels_and_keywords(shampoo: dict) -> None:
    assert [(c["name"], c["count"]) for c in shampoo["top_channels"]] == [("쿠팡", 84), ("네이버쇼핑", 16)]
    assert shampoo["top_channels"][0]["share"] == pytest.approx(0.84)
    assert [(k["name"], k["count"]) for k in shampoo["top_keywords"]] == [
        ("가성비", 35),
        ("대용량", 15),
        ("세정력", 8),
        ("향좋음", 3),
    ]


def _segment_products() -> pd.DataFrame:
    """20 products: 5 of them '용량: 2L' with 10x the reviews per product of the rest."""
    rows = []
    for index in range(20):
        big = index < 5
        rows.append(
            {
                "product_id": f"S{index}",
                "category": "생수",
                "brand": f"B{index % 4}",
                "price": 1000 + index,
                "review_count": 100 if big else 10,
                "rating": 4.5,
                "price_change_6m": 0.0,
                "specifications": f"용량: {'2L' if big else '500ml'} / 구성: {'6개' if index % 2 else '12개'}",
                "unit_basis": "1L",
                "unit_price_value": 300.0 if big else 500.0,
                "collected_at": pd.Timestamp("2026-11-01"),
                "review_channels": "쿠팡:1",
                "review_tags": "시원함:1",
                **{f"stars_{s}": (100 if big else 10) if s == 5 else 0 for s in range(1, 6)},
            }
        )
    return pd.DataFrame(rows)


def test_promising_segment_is_the_most_demanded_spec_value() -> None:
    record = metrics_records(compute_category_metrics(_segment_products()))[0]
    segment = record["promising_segment"]
    assert (segment["key"], segment["value"], segment["product_count"]) == ("용량", "2L", 5)
    assert segment["product_share"] == pytest.approx(0.25)
    assert segment["review_share"] == pytest.approx(500 / 650)
    assert segment["segment_unit_price_p50"] == 300 and segment["category_unit_price_p50"] == 500


def test_segment_unit_price_counts_only_the_exact_spec_value() -> None:
    products = _segment_products()
    # "용량: 2L x 6" starts with the text "용량: 2L" but is another specification value.
    lookalikes = products.iloc[5:11].assign(
        specifications="용량: 2L x 6 / 구성: 6개", unit_price_value=900.0, review_count=0, stars_5=0
    )
    record = metrics_records(compute_category_metrics(pd.concat([products, lookalikes], ignore_index=True)))[0]
    segment = record["promising_segment"]
    assert segment["value"] == "2L" and segment["segment_unit_price_p50"] == 300


def test_segment_needs_enough_products() -> None:
    settings = MetricsSettings(segment_min_products=6)
    record = metrics_records(compute_category_metrics(_segment_products(), settings))[0]
    assert record["promising_segment"]["key"] == "구성"  # 2L (5 products) no longer qualifies


def test_empty_products_is_an_error() -> None:
    with pytest.raises(ValueError, match="no valid products"):
        compute_category_metrics(pd.DataFrame(columns=["category"]))


def test_reusing_the_readers_parsed_pairs_gives_identical_metrics(dirty_products_csv: Path) -> None:
    result = read_products(dirty_products_csv)
    reparsed = compute_category_metrics(result.products)
    reused = compute_category_metrics(result.products, parsed_pairs=result.parsed_pairs)
    pd.testing.assert_frame_equal(reparsed, reused)


def test_run_config_defaults_and_fields_match_the_pure_settings() -> None:
    from assets.config import CategoryMetricsConfig

    assert CategoryMetricsConfig().settings() == MetricsSettings()
    assert CategoryMetricsConfig(segment_min_products=9).settings().segment_min_products == 9
