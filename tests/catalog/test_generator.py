"""Tests for the synthetic Danawa-style catalogue generator (assets/catalog/generator.py)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assets.catalog import generator as generator_module
from assets.catalog.generator import (
    CATEGORIES,
    CATEGORIES_FILE,
    DEFECT_KINDS,
    HISTORY_MONTHS,
    PRODUCT_COLUMNS,
    format_amount,
    generate_products,
    inject_defects,
    load_categories,
    write_products_csv,
)
from resources.paths import PROJECT_ROOT

UNIT_PRICE_PATTERN = re.compile(r"^(\d+)(ml|g|매|개)당 ([\d,]+)원$")
PACKAGED_CATEGORIES = {profile.name: profile.packaging for profile in CATEGORIES if profile.packaging is not None}


@pytest.fixture(scope="module")
def products() -> pd.DataFrame:
    return generate_products()


@pytest.fixture(scope="module")
def large_products() -> pd.DataFrame:
    return generate_products(n_products=20_000, seed=7)


@pytest.fixture(scope="module")
def reviewed(products: pd.DataFrame) -> pd.DataFrame:
    return products[products["review_count"] != "0"]


def parse_counts(text: str) -> dict[str, int]:
    """ "a:3|b:2" -> {"a": 3, "b": 2}."""
    return {label: int(count) for label, count in (part.rsplit(":", 1) for part in text.split("|"))}


def parse_specifications(text: str) -> dict[str, str]:
    return dict(part.split(": ", 1) for part in text.split(" / "))


def parse_amount(text: str) -> tuple[float, str]:
    """ "1.5L" -> (1500, "ml"), "2.27kg" -> (2270, "g"), "52매" -> (52, "매")."""
    match = re.fullmatch(r"([\d.]+)(ml|L|kg|g|매)", text)
    assert match, text
    value, unit = float(match.group(1)), match.group(2)
    if unit in ("L", "kg"):
        return value * 1000, "ml" if unit == "L" else "g"
    return value, unit


def brand_review_share(frame: pd.DataFrame) -> pd.Series:
    counts = frame.assign(reviews=frame["review_count"].astype(int))
    return counts.groupby("brand")["reviews"].sum().sort_values(ascending=False) / counts["reviews"].sum()


# --- determinism and shape --------------------------------------------------------------------------


def test_same_seed_gives_identical_frame(products: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(products, generate_products())


def test_different_seed_gives_different_frame(products: pd.DataFrame) -> None:
    other = generate_products(seed=1)
    assert not other.equals(products)
    assert (other["price"] != products["price"]).mean() > 0.5


def test_columns_are_text_in_documented_order(products: pd.DataFrame) -> None:
    assert tuple(products.columns) == PRODUCT_COLUMNS
    for column in PRODUCT_COLUMNS:
        assert products[column].map(type).eq(str).all(), column


def test_default_sample_size_ids_and_categories(products: pd.DataFrame) -> None:
    assert len(products) == 1800
    assert products["product_id"].is_unique
    assert products["product_id"].str.fullmatch(r"P\d{7}").all()
    sizes = products["category"].value_counts()
    assert len(sizes) >= 12
    assert sizes.max() >= 2.5 * sizes.min()


def test_every_category_has_8_to_30_brands(products: pd.DataFrame) -> None:
    brand_counts = products.groupby("category")["brand"].nunique()
    assert brand_counts.between(8, 30).all(), brand_counts.to_dict()
    assert all(8 <= len(profile.brands) <= 30 for profile in CATEGORIES)


def test_small_requests_still_spread_over_categories() -> None:
    assert len(generate_products(n_products=16)["category"].unique()) == 16
    assert len(generate_products(n_products=5)) == 5
    with pytest.raises(ValueError):
        generate_products(n_products=0)


# --- review counts, stars, channels, tags -----------------------------------------------------------


def test_review_fields_are_empty_exactly_without_reviews(products: pd.DataFrame) -> None:
    review_count = products["review_count"].astype(int)
    assert (review_count >= 0).all()
    no_reviews = review_count == 0
    for column in ("rating", "star_counts", "review_channels", "review_tags"):
        assert products[column].eq("").eq(no_reviews).all(), column


def test_star_counts_and_channels_sum_to_review_count(reviewed: pd.DataFrame) -> None:
    for _, row in reviewed.iterrows():
        stars = parse_counts(row["star_counts"])
        assert list(stars) == ["5", "4", "3", "2", "1"]
        assert sum(stars.values()) == int(row["review_count"])
        channels = parse_counts(row["review_channels"])
        assert sum(channels.values()) == int(row["review_count"])
        assert all(count > 0 for count in channels.values())


def test_rating_is_weighted_star_mean(reviewed: pd.DataFrame) -> None:
    for _, row in reviewed.iterrows():
        stars = parse_counts(row["star_counts"])
        mean = sum(int(star) * count for star, count in stars.items()) / int(row["review_count"])
        assert re.fullmatch(r"[1-5]\.\d", row["rating"])
        assert 1.0 <= float(row["rating"]) <= 5.0
        assert abs(float(row["rating"]) - mean) <= 0.05 + 1e-9


def test_review_tags_have_three_to_six_bounded_counts(reviewed: pd.DataFrame) -> None:
    for _, row in reviewed.iterrows():
        tags = parse_counts(row["review_tags"])
        assert 3 <= len(tags) <= 6
        assert all(1 <= count <= int(row["review_count"]) for count in tags.values())
        assert list(tags.values()) == sorted(tags.values(), reverse=True)


@pytest.mark.parametrize("sample", ["products", "large_products"])
def test_zero_review_share_in_range(sample: str, request: pytest.FixtureRequest) -> None:
    frame = request.getfixturevalue(sample)
    assert 0.15 <= frame["review_count"].eq("0").mean() <= 0.35
    per_category = frame.groupby("category")["review_count"].apply(lambda counts: counts.eq("0").mean())
    assert per_category.between(0.15, 0.35).all(), per_category.to_dict()
    assert per_category.max() - per_category.min() > 0.08  # varies by category


def test_review_counts_are_heavy_tailed(large_products: pd.DataFrame) -> None:
    counts = large_products["review_count"].astype(int)
    positive = counts[counts > 0]
    assert positive.max() > 20 * positive.median()
    assert positive.quantile(0.99) > 10 * positive.median()


def test_top_brands_dominate_reviews(products: pd.DataFrame) -> None:
    for category, group in products.groupby("category"):
        brand_count = group["brand"].nunique()
        top3_share = brand_review_share(group).iloc[:3].sum()
        assert top3_share >= 1.5 * 3 / brand_count, category


# --- prices ----------------------------------------------------------------------------------------


def test_prices_are_rounded_integers_with_sensible_ranges(large_products: pd.DataFrame) -> None:
    price = large_products["price"].astype(int)
    assert (price > 0).all() and (price % 10 == 0).all()
    medians = large_products.assign(price=price).groupby("category")["price"].median()
    assert 2_000 <= medians["라면"] <= 15_000
    assert 300_000 <= medians["로봇청소기"] <= 1_500_000
    assert medians["로봇청소기"] > 20 * medians["라면"]


def test_unit_price_matches_price_and_specs(products: pd.DataFrame) -> None:
    for _, row in products.iterrows():
        packaging = PACKAGED_CATEGORIES.get(row["category"])
        if packaging is None:
            assert row["unit_price"] == ""
            continue
        match = UNIT_PRICE_PATTERN.fullmatch(row["unit_price"])
        assert match, row["unit_price"]
        base, unit, value = int(match.group(1)), match.group(2), int(match.group(3).replace(",", ""))
        specs = parse_specifications(row["specifications"])
        packs = int(re.match(r"\d+", specs["구성"]).group())
        if packaging.per_pack_only:
            units = packs
        else:
            amount, measure = parse_amount(specs[packaging.size_key])
            assert measure == unit
            units = amount * packs
            assert specs[packaging.size_key] in row["product_name"]
        assert value == int(np.floor(int(row["price"]) * base / units + 0.5))


def test_specifications_use_danawa_key_value_format(products: pd.DataFrame) -> None:
    for category, group in products.groupby("category"):
        keys = {tuple(parse_specifications(text)) for text in group["specifications"]}
        assert len(keys) == 1, category  # one key layout per category
        assert len(next(iter(keys))) >= 4


def test_specifications_lead_with_a_varied_type_key(products: pd.DataFrame) -> None:
    for category, group in products.groupby("category"):
        specs = [parse_specifications(text) for text in group["specifications"]]
        first_key = next(iter(specs[0]))
        assert first_key in ("종류", "타입"), category
        assert len({spec[first_key] for spec in specs}) >= 2, category
        if category in PACKAGED_CATEGORIES:
            assert "구성" in specs[0] and PACKAGED_CATEGORIES[category].size_key in specs[0]


def test_price_history_has_six_months_ending_at_price(products: pd.DataFrame) -> None:
    changed = 0
    for _, row in products.iterrows():
        history = parse_counts(row["price_history"])
        assert tuple(history) == HISTORY_MONTHS
        assert history[HISTORY_MONTHS[-1]] == int(row["price"])
        assert all(value > 0 for value in history.values())
        changed += len(set(history.values())) > 1
    assert 0.5 <= changed / len(products) <= 0.98  # lowest prices move often, but some stay put


def six_month_changes(frame: pd.DataFrame) -> pd.Series:
    """Relative change from the oldest to the newest month of each product's price history."""
    first = frame["price_history"].str.split("|").str[0].str.split(":").str[1].astype(float)
    return frame["price"].astype(float) / first - 1.0


def test_categories_differ_in_price_trend(large_products: pd.DataFrame) -> None:
    medians = six_month_changes(large_products).groupby(large_products["category"]).median()
    assert (medians <= -0.03).sum() >= 3, medians  # falling (the bullet says 하락세)
    assert (medians >= 0.03).sum() >= 3, medians  # rising (상승세)
    assert (medians.abs() < 0.01).sum() >= 2, medians  # flat-ish (보합세)
    assert medians.round(3).nunique() >= 10, medians
    for profile in CATEGORIES:
        trend = profile.price_dynamics.trend
        if abs(trend) >= 0.006:  # a clear profile trend shows up in the generated median, same sign
            assert np.sign(medians[profile.name]) == np.sign(trend), (profile.name, medians[profile.name])


def test_categories_differ_in_price_volatility(large_products: pd.DataFrame) -> None:
    changes = six_month_changes(large_products)
    spread = changes.groupby(large_products["category"]).quantile(0.9) - changes.groupby(
        large_products["category"]
    ).quantile(0.1)
    volatility = pd.Series({profile.name: profile.price_dynamics.volatility for profile in CATEGORIES})
    assert spread[volatility.idxmax()] > 2 * spread[volatility.idxmin()], spread


def test_some_products_have_a_promotion_dip(large_products: pd.DataFrame) -> None:
    values = large_products["price_history"].map(lambda text: list(parse_counts(text).values()))
    dips = values.map(lambda row: any(row[m] < 0.9 * min(row[m - 1], row[m + 1]) for m in range(1, 5)))
    assert 0.02 <= dips.mean() <= 0.15


def test_price_histories_are_deterministic_per_seed() -> None:
    first = generate_products(n_products=400, seed=11)["price_history"]
    assert first.equals(generate_products(n_products=400, seed=11)["price_history"])
    assert not first.equals(generate_products(n_products=400, seed=12)["price_history"])


def test_collected_at_within_crawl_window(products: pd.DataFrame) -> None:
    dates = pd.to_datetime(products["collected_at"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2026-11-01") and dates.max() <= pd.Timestamp("2026-11-20")


def test_format_amount() -> None:
    assert format_amount(550, "ml") == "550ml"
    assert format_amount(1500, "ml") == "1.5L"
    assert format_amount(2270, "g") == "2.27kg"
    assert format_amount(52, "매") == "52매"


# --- CSV round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_round_trip(products: pd.DataFrame, tmp_path: Path, encoding: str) -> None:
    target = write_products_csv(products, tmp_path / "products.csv", encoding=encoding)
    assert target == tmp_path / "products.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    back = pd.read_csv(target, dtype=str, keep_default_na=False, encoding=encoding)
    pd.testing.assert_frame_equal(back, products.reset_index(drop=True))
    assert not list(tmp_path.glob(".*.tmp"))


def test_csv_bytes_are_deterministic(products: pd.DataFrame, tmp_path: Path) -> None:
    first = write_products_csv(products, tmp_path / "a.csv").read_bytes()
    second = write_products_csv(generate_products(), tmp_path / "b.csv").read_bytes()
    assert first == second


def test_unsupported_encoding_is_rejected(products: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_products_csv(products, tmp_path / "x.csv", encoding="latin-1")
    assert not (tmp_path / "x.csv").exists()


def test_shipped_sample_matches_default_generation(products: pd.DataFrame, tmp_path: Path) -> None:
    shipped = PROJECT_ROOT / "data" / "products_all.csv"
    if not shipped.exists():
        pytest.skip("data/products_all.csv not generated yet")
    fresh = write_products_csv(products, tmp_path / "products_all.csv").read_bytes()
    assert shipped.read_bytes() == fresh, "regenerate data/products_all.csv with the default arguments"


# --- defects ---------------------------------------------------------------------------------------


def test_inject_defects_adds_each_documented_defect(products: pd.DataFrame) -> None:
    original = products.copy()
    dirty = inject_defects(products, seed=3)
    pd.testing.assert_frame_equal(products, original)  # input untouched
    defects = dirty.attrs["injected_defects"]
    assert tuple(defects) == DEFECT_KINDS
    assert len(dirty) == len(products) + 1

    def row_of(kind: str) -> pd.Series:
        return dirty[dirty["product_id"] == defects[kind]].iloc[0]

    assert not row_of("non_numeric_price")["price"].isdigit()
    assert int(row_of("negative_review_count")["review_count"]) < 0
    assert row_of("rating_out_of_range")["rating"] == "7.5"
    mismatch = row_of("star_counts_mismatch")
    assert sum(parse_counts(mismatch["star_counts"]).values()) != int(mismatch["review_count"])
    assert row_of("empty_category")["category"] == ""
    duplicated = dirty[dirty["product_id"] == defects["duplicated_product_id"]]
    assert len(duplicated) == 2 and duplicated.iloc[0].equals(duplicated.iloc[1])
    assert dirty["product_id"].duplicated().sum() == 1

    touched = set(defects.values())
    clean_rows = dirty.iloc[: len(products)][~dirty["product_id"].iloc[: len(products)].isin(touched)]
    pd.testing.assert_frame_equal(clean_rows, products[~products["product_id"].isin(touched)])


def test_inject_defects_is_deterministic(products: pd.DataFrame) -> None:
    first = inject_defects(products, seed=11)
    second = inject_defects(products, seed=11)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs


# sha256 of the CSVs written since the categories got their own price dynamics (issue 10); any change to the
# generator's output must be deliberate (and data/products_all.csv regenerated).
GOLDEN_SHA256 = {
    (1800, 20260126, "utf-8"): "c4bf96b8325d6fbc75ae249a531c5cba046b91ccc31c2b31c916e3e32ae28e37",
    (5000, 7, "cp949"): "9cf248025e5c5a78d17578493d30e9e7f2764726433857bea33588aba4f0a8f0",
}


@pytest.mark.parametrize("rows, seed, encoding", sorted(GOLDEN_SHA256))
def test_output_is_byte_identical_to_the_golden_csv(tmp_path: Path, rows: int, seed: int, encoding: str) -> None:
    path = write_products_csv(generate_products(n_products=rows, seed=seed), tmp_path / "p.csv", encoding=encoding)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == GOLDEN_SHA256[(rows, seed, encoding)]


def test_category_profiles_come_from_the_data_file() -> None:
    assert CATEGORIES_FILE.parent == Path(generator_module.__file__).parent
    assert load_categories(CATEGORIES_FILE) == CATEGORIES and len(CATEGORIES) == 16


def test_misaligned_attribute_in_the_data_file_is_refused(tmp_path: Path) -> None:
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    data["categories"][0]["attributes"][0]["weights"].append(1)
    broken = tmp_path / "categories.json"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="values, weights and price factors differ in length"):
        load_categories(broken)
