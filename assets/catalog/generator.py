"""Synthetic Danawa-style product catalogue (`products_all.csv`) for the catalog asset group.

`generate_products` builds a deterministic, realistic-looking price-comparison catalogue: 16 Korean
shopping categories of different sizes, Zipf-skewed brands, log-normal prices tied to pack sizes,
Danawa unit prices ("100ml당 1,250원"), "key: value / ..." specifications, heavy-tailed review counts
whose star, channel and keyword breakdowns add up, and six months of price history whose trend,
volatility and promotions differ by category.

Every column of the returned frame is text, exactly as it is written to the CSV (empty string for
"no value"), so writing and reading back is lossless. `inject_defects` adds a documented handful of
dirty rows for reader tests; it is never applied by default. Pure numpy/pandas, no Dagster.
The 16 category profiles (brands, product lines, attributes, packaging, price and review shapes)
are data, in `categories.json` beside this module, loaded once into `CATEGORIES`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resources.atomic import atomic_path

PRODUCT_COLUMNS: tuple[str, ...] = (
    "product_id",
    "category",
    "product_name",
    "brand",
    "price",
    "unit_price",
    "specifications",
    "rating",
    "review_count",
    "star_counts",
    "review_channels",
    "review_tags",
    "price_history",
    "collected_at",
)

SUPPORTED_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp949")
HISTORY_MONTHS: tuple[str, ...] = ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
CRAWL_DATES: tuple[str, ...] = tuple(f"2026-11-{day:02d}" for day in range(1, 21))
CHANNELS: tuple[str, ...] = ("네이버쇼핑", "쿠팡", "11번가", "G마켓", "옥션", "SSG닷컴", "롯데ON", "올리브영")
STARS = np.arange(5, 0, -1)  # star_counts are written 5 -> 1
MAX_TAGS = 6
BRAND_LISTING_EXPONENT = 0.6  # listings per brand ~ rank ** -exponent
BRAND_POPULARITY_EXPONENT = 0.7  # review volume per listing ~ rank ** -exponent
MIN_TAGS = 3

DEFECT_KINDS: tuple[str, ...] = (
    "non_numeric_price",
    "negative_review_count",
    "rating_out_of_range",
    "star_counts_mismatch",
    "empty_category",
    "duplicated_product_id",
)


@dataclass(frozen=True)
class Attribute:
    """One specification key with its values, draw weights and optional price multipliers.

    `linked` names a second key whose value is tied to the same draw (단계 -> 대상 연령).
    `in_name` puts the value into the product name.
    """

    key: str
    values: tuple[str, ...]
    weights: tuple[float, ...]
    price_factors: tuple[float, ...] | None = None
    in_name: bool = False
    linked: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Packaging:
    """Pack size of a consumable: size per item x number of items, and how Danawa prices a unit."""

    size_key: str
    sizes: tuple[int, ...]
    size_weights: tuple[float, ...]
    measure: str  # "ml", "g" or "매"
    packs: tuple[int, ...]
    pack_weights: tuple[float, ...]
    pack_word: str  # "개", "팩", "병"
    unit_label: str  # "100ml", "10g", "1매", "1개"
    unit_amount: int  # 100, 10, 1
    per_pack_only: bool = False  # unit price counts packs only (라면: "1개당")
    size_elasticity: float = -0.1  # unit price ~ (size / median size) ** elasticity (bigger is cheaper)


@dataclass(frozen=True)
class PriceDynamics:
    """How a category's prices moved over the six months of history (all rates per month, in log price).

    Each product draws its own drift around the category `trend` (spread `trend_spread`); in a month
    its price changes with probability `change_rate` (lowest prices are sticky), by its drift scaled
    to the months that change plus `volatility` noise. `promotion_share` of the products have one
    month with a 10-25 % promotion dip before the current month.
    """

    trend: float = 0.0
    trend_spread: float = 0.004
    volatility: float = 0.02
    change_rate: float = 0.4
    promotion_share: float = 0.08


@dataclass(frozen=True)
class CategoryProfile:
    """Everything that makes one category look like itself."""

    name: str
    weight: float
    noun: str
    brands: tuple[str, ...]
    lines: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    packaging: Packaging | None
    price_median: float  # KRW per unit_label for packaged goods (a mid-size pack), per item otherwise
    price_sigma: float
    round_unit: int
    price_range: tuple[int, int]  # plausible shelf prices; extreme draws are clipped into it
    rating_mean: float
    review_median: float
    zero_review_share: float
    channel_weights: tuple[float, ...]  # aligned with CHANNELS
    positive_tags: tuple[str, ...]
    negative_tags: tuple[str, ...]
    model_suffixes: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()  # order of the in_name attributes in the product name, if not declaration order
    price_dynamics: PriceDynamics = PriceDynamics()


CATEGORIES_FILE = Path(__file__).with_name("categories.json")


def _attribute(spec: dict[str, Any]) -> Attribute:
    """An `Attribute` from its JSON form, its aligned lists checked."""
    values, weights = tuple(spec["values"]), tuple(spec["weights"])
    factors = tuple(spec["price_factors"]) if "price_factors" in spec else None
    linked = (spec["linked"][0], tuple(spec["linked"][1])) if "linked" in spec else None
    if len(values) != len(weights) or (factors is not None and len(factors) != len(values)):
        raise ValueError(
            f"{CATEGORIES_FILE}: attribute {spec['key']!r}: values, weights and price factors differ in length"
        )
    if linked is not None and len(linked[1]) != len(values):
        raise ValueError(f"{CATEGORIES_FILE}: attribute {spec['key']!r}: linked values differ in length")
    return Attribute(spec["key"], values, weights, factors, spec.get("in_name", False), linked)


def _packaging(spec: dict[str, Any] | None) -> Packaging | None:
    if spec is None:
        return None
    return Packaging(**{key: tuple(value) if isinstance(value, list) else value for key, value in spec.items()})


def _profile(spec: dict[str, Any]) -> CategoryProfile:
    fields = {key: tuple(value) if isinstance(value, list) else value for key, value in spec.items()}
    fields["attributes"] = tuple(_attribute(attribute) for attribute in spec["attributes"])
    fields["packaging"] = _packaging(spec.get("packaging"))
    if "price_dynamics" in spec:
        fields["price_dynamics"] = PriceDynamics(**spec["price_dynamics"])
    return CategoryProfile(**fields)


def load_categories(path: Path = CATEGORIES_FILE) -> tuple[CategoryProfile, ...]:
    """The category profiles from the JSON data file beside this module (shipped as package data)."""
    return tuple(_profile(spec) for spec in json.loads(path.read_text(encoding="utf-8"))["categories"])


CATEGORIES: tuple[CategoryProfile, ...] = load_categories()


def generate_products(n_products: int = 1800, seed: int = 20260126) -> pd.DataFrame:
    """Return `n_products` synthetic catalogue rows, all columns text, in `PRODUCT_COLUMNS` order.

    The result depends only on (`n_products`, `seed`); each category draws from its own child seed.
    """
    if n_products < 1:
        raise ValueError(f"n_products must be >= 1, got {n_products}")
    sizes = category_sizes(n_products)
    children = np.random.SeedSequence(seed).spawn(len(CATEGORIES))
    frames = [
        _generate_category(profile, size, np.random.default_rng(child))
        for profile, size, child in zip(CATEGORIES, sizes, children)
        if size > 0
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "product_id", [f"P{index:07d}" for index in range(1, len(frame) + 1)])
    return frame.loc[:, list(PRODUCT_COLUMNS)]


def write_products_csv(frame: pd.DataFrame, path: str | Path, encoding: str = "utf-8") -> Path:
    """Write `frame` atomically as CSV (no index, `\\n` line ends) in utf-8, utf-8-sig or cp949."""
    if encoding not in SUPPORTED_ENCODINGS:
        raise ValueError(f"encoding must be one of {SUPPORTED_ENCODINGS}, got {encoding!r}")
    target = Path(path)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding=encoding, lineterminator="\n")
    return target


def inject_defects(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Return a copy of `frame` with one row per kind in `DEFECT_KINDS` made dirty.

    - non_numeric_price: `price` becomes "가격문의"
    - negative_review_count: `review_count` becomes a negative integer
    - rating_out_of_range: `rating` becomes "7.5" (on a reviewed product)
    - star_counts_mismatch: the 5-star count grows by 3, so the stars no longer sum to review_count
    - empty_category: `category` becomes ""
    - duplicated_product_id: an exact copy of one row is appended at the end

    The five edited rows are distinct. `result.attrs["injected_defects"]` maps each kind to the
    affected product_id.
    """
    dirty = frame.reset_index(drop=True).copy()
    rng = np.random.default_rng(seed)
    reviewed = np.flatnonzero(dirty["review_count"].ne("0").to_numpy() & dirty["star_counts"].ne("").to_numpy())
    if len(dirty) < 6 or len(reviewed) < 2:
        raise ValueError("inject_defects needs at least 6 rows, 2 of them with reviews")
    on_reviewed = rng.choice(reviewed, size=2, replace=False)
    others = np.setdiff1d(np.arange(len(dirty)), on_reviewed)
    rest = rng.choice(others, size=4, replace=False)
    rating_row, stars_row = (int(row) for row in on_reviewed)
    price_row, count_row, category_row, duplicate_row = (int(row) for row in rest)

    dirty.loc[price_row, "price"] = "가격문의"
    dirty.loc[count_row, "review_count"] = f"-{int(rng.integers(1, 50))}"
    dirty.loc[rating_row, "rating"] = "7.5"
    dirty.loc[stars_row, "star_counts"] = _inflate_five_stars(dirty.loc[stars_row, "star_counts"], 3)
    dirty.loc[category_row, "category"] = ""
    dirty = pd.concat([dirty, dirty.iloc[[duplicate_row]]], ignore_index=True)

    rows = (price_row, count_row, rating_row, stars_row, category_row, duplicate_row)
    dirty.attrs["injected_defects"] = {
        kind: str(frame.iloc[row]["product_id"]) for kind, row in zip(DEFECT_KINDS, rows)
    }
    return dirty


def _inflate_five_stars(star_counts: str, extra: int) -> str:
    """ "5:10|4:2|..." -> "5:13|4:2|..." (the first entry is always the 5-star count)."""
    first, _, rest = star_counts.partition("|")
    label, _, count = first.partition(":")
    return f"{label}:{int(count) + extra}|{rest}"


def category_sizes(n_products: int) -> list[int]:
    """Split `n_products` over `CATEGORIES` by weight (largest remainder, every category >= 1 if possible)."""
    weights = np.array([profile.weight for profile in CATEGORIES], dtype=float)
    count = len(CATEGORIES)
    if n_products < count:
        sizes = np.zeros(count, dtype=int)
        sizes[np.argsort(-weights, kind="stable")[:n_products]] = 1
        return sizes.tolist()
    share = weights / weights.sum() * (n_products - count)
    sizes = 1 + np.floor(share).astype(int)
    missing = n_products - int(sizes.sum())
    sizes[np.argsort(-(share - np.floor(share)), kind="stable")[:missing]] += 1
    return sizes.tolist()


# --------------------------------------------------------------------------------------------------
# One category
# --------------------------------------------------------------------------------------------------


def _generate_category(profile: CategoryProfile, size: int, rng: np.random.Generator) -> pd.DataFrame:
    brand_idx = _draw_brands(len(profile.brands), size, rng)
    line_idx = (brand_idx * 3 + rng.integers(0, 4, size)) % len(profile.lines)
    attribute_idx = [_draw(attribute.weights, size, rng) for attribute in profile.attributes]
    size_idx, pack_idx = _draw_packaging(profile.packaging, size, rng)

    price = _draw_prices(profile, brand_idx, attribute_idx, size_idx, pack_idx, rng)
    review_count = _draw_review_counts(profile, brand_idx, price, rng)
    target_mean = _draw_rating_targets(profile, brand_idx, rng)
    stars = rng.multinomial(review_count, _star_probabilities(target_mean))
    reviewed = review_count > 0

    return pd.DataFrame(
        {
            "category": profile.name,
            "product_name": _product_names(profile, brand_idx, line_idx, attribute_idx, size_idx, pack_idx, rng),
            "brand": np.asarray(profile.brands, dtype=object)[brand_idx],
            "price": price.astype(str),
            "unit_price": _unit_price_texts(profile.packaging, price, size_idx, pack_idx),
            "specifications": _specification_texts(profile, attribute_idx, size_idx, pack_idx),
            "rating": _rating_texts(stars, review_count),
            "review_count": review_count.astype(str),
            "star_counts": _star_count_texts(stars, reviewed),
            "review_channels": _channel_texts(profile, review_count, rng),
            "review_tags": _tag_texts(profile, review_count, target_mean, rng),
            "price_history": _price_history_texts(price, profile, rng),
            "collected_at": np.asarray(CRAWL_DATES, dtype=object)[rng.integers(0, len(CRAWL_DATES), size)],
        }
    )


def _draw(weights: tuple[float, ...], size: int, rng: np.random.Generator) -> np.ndarray:
    probabilities = np.asarray(weights, dtype=float)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def _draw_brands(brand_count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Brand index per product; index 0 is the market leader (Zipf-like listing counts)."""
    listing_weights = (np.arange(brand_count) + 1.0) ** -BRAND_LISTING_EXPONENT
    return _draw(tuple(listing_weights), size, rng)


def _draw_packaging(packaging: Packaging | None, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if packaging is None:
        zeros = np.zeros(size, dtype=int)
        return zeros, zeros
    return _draw(packaging.size_weights, size, rng), _draw(packaging.pack_weights, size, rng)


def _unit_counts(packaging: Packaging, size_idx: np.ndarray, pack_idx: np.ndarray) -> np.ndarray:
    """How many units (ml, g, 매 or 개) the listing contains, as used for the unit price."""
    packs = np.asarray(packaging.packs)[pack_idx]
    if packaging.per_pack_only:
        return packs
    return np.asarray(packaging.sizes)[size_idx] * packs


# --------------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------------


def _draw_prices(
    profile: CategoryProfile,
    brand_idx: np.ndarray,
    attribute_idx: list[np.ndarray],
    size_idx: np.ndarray,
    pack_idx: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    size = len(brand_idx)
    brand_premium = rng.lognormal(0.0, 0.18, len(profile.brands))[brand_idx]
    noise = np.exp(profile.price_sigma * np.clip(rng.standard_normal(size), -2.2, 2.2))
    factor = brand_premium * noise
    for attribute, idx in zip(profile.attributes, attribute_idx):
        if attribute.price_factors is not None:
            factor = factor * np.asarray(attribute.price_factors)[idx]
    packaging = profile.packaging
    if packaging is None:
        raw = profile.price_median * factor
    else:
        sizes = np.asarray(packaging.sizes, dtype=float)
        packs = np.asarray(packaging.packs, dtype=float)[pack_idx]
        bulk = (sizes[size_idx] / np.median(sizes)) ** packaging.size_elasticity * packs**-0.05
        units = _unit_counts(packaging, size_idx, pack_idx)
        raw = profile.price_median * factor * bulk * units / packaging.unit_amount
    return _round_shelf_prices(np.clip(raw, *profile.price_range), profile.round_unit, rng)


def _round_shelf_prices(raw: np.ndarray, round_unit: int, rng: np.random.Generator) -> np.ndarray:
    """Round to the category unit; about a third of prices >= 10,000 get a x,900 / xx9,000 ending."""
    price = np.maximum(np.round(raw / round_unit) * round_unit, 10 * round_unit)
    tier = np.where(price >= 100_000, 10_000, 1_000)
    charmed = np.round(price / tier) * tier - tier // 10
    use_charm = (rng.random(len(price)) < 0.35) & (price >= 10_000)
    return np.where(use_charm, charmed, price).astype(np.int64)


def _history_step(price: np.ndarray, round_unit: int) -> np.ndarray:
    return np.where(price < 10_000, round_unit, np.where(price < 100_000, 100, 1_000))


def _price_history_matrix(
    price: np.ndarray, dynamics: PriceDynamics, round_unit: int, rng: np.random.Generator
) -> np.ndarray:
    """Six monthly prices (oldest first) ending at `price`, moving as the category's `dynamics` say."""
    size = len(price)
    months = len(HISTORY_MONTHS) - 1
    drift = dynamics.trend + dynamics.trend_spread * rng.standard_normal(size)
    changes = rng.random((size, months)) < dynamics.change_rate
    noise = dynamics.volatility * rng.standard_normal((size, months))
    step_when_changed = drift[:, None] / dynamics.change_rate + noise
    log_steps = np.where(changes, step_when_changed, 0.0)  # log(price[m + 1] / price[m])
    remaining = np.cumsum(log_steps[:, ::-1], axis=1)[:, ::-1]
    history = price[:, None] * np.exp(-remaining)

    promoted = np.flatnonzero(rng.random(size) < dynamics.promotion_share)
    promo_month = rng.integers(0, months, len(promoted))
    history[promoted, promo_month] *= rng.uniform(0.75, 0.9, len(promoted))
    unchanged = remaining == 0.0
    unchanged[promoted, promo_month] = False

    step = _history_step(price, round_unit)[:, None]
    rounded = np.maximum(np.round(history / step) * step, step).astype(np.int64)
    history = np.where(unchanged, price[:, None], rounded)
    return np.column_stack([history, price])


def _price_history_texts(price: np.ndarray, profile: CategoryProfile, rng: np.random.Generator) -> list[str]:
    matrix = _price_history_matrix(price, profile.price_dynamics, profile.round_unit, rng)
    return ["|".join(f"{month}:{value}" for month, value in zip(HISTORY_MONTHS, row)) for row in matrix.tolist()]


def _unit_price_texts(
    packaging: Packaging | None, price: np.ndarray, size_idx: np.ndarray, pack_idx: np.ndarray
) -> list[str]:
    """Danawa unit price "100ml당 1,250원" = price / units x unit_amount, rounded half up; "" for items."""
    if packaging is None:
        return [""] * len(price)
    per_unit = np.floor(price * packaging.unit_amount / _unit_counts(packaging, size_idx, pack_idx) + 0.5)
    return [f"{packaging.unit_label}당 {value:,}원" for value in per_unit.astype(np.int64).tolist()]


# --------------------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------------------


def _draw_review_counts(
    profile: CategoryProfile, brand_idx: np.ndarray, price: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Heavy-tailed counts: log-normal around a brand-popularity-scaled median, with zero-review listings."""
    brand_count = len(profile.brands)
    popularity = ((np.arange(brand_count) + 1.0) ** -BRAND_POPULARITY_EXPONENT)[brand_idx]
    relative_popularity = popularity / np.exp(np.mean(np.log(popularity)))
    relative_price = price / np.median(price)
    log_median = np.log(profile.review_median) + np.log(relative_popularity) - 0.25 * np.log(relative_price)
    counts = np.ceil(np.exp(log_median + 1.2 * rng.standard_normal(len(price))))
    counts = np.clip(counts, 1, 300_000).astype(np.int64)

    counts[_pick_zero_review_listings(profile.zero_review_share, brand_idx, brand_count, rng)] = 0
    return counts


def _pick_zero_review_listings(
    share: float, brand_idx: np.ndarray, brand_count: int, rng: np.random.Generator
) -> np.ndarray:
    """Exactly round(share x n) listings without reviews, drawn more often from small brands.

    Weighted sampling without replacement (Efraimidis-Spirakis keys), so the category share is exact
    at every sample size.
    """
    obscurity = 0.5 + brand_idx / max(brand_count - 1, 1)
    keys = np.log(rng.random(len(brand_idx))) / obscurity
    zero_count = int(round(share * len(brand_idx)))
    return np.argsort(-keys, kind="stable")[:zero_count]


def _draw_rating_targets(profile: CategoryProfile, brand_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Expected star mean per product: category level + brand quality + product noise."""
    brand_quality = rng.normal(0.0, 0.12, len(profile.brands))[brand_idx]
    product_noise = rng.normal(0.0, 0.25, len(brand_idx))
    return np.clip(profile.rating_mean + brand_quality + product_noise, 2.0, 4.83)


def _star_table(one_star_bump: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """J-shaped star distributions (5 -> 1) indexed by their mean, for interpolation."""
    betas = np.linspace(-2.5, 4.5, 701)
    logits = betas[:, None] * STARS[None, :]
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    probabilities = (1.0 - one_star_bump) * softmax
    probabilities[:, -1] += one_star_bump
    return probabilities @ STARS, probabilities


_STAR_MEANS, _STAR_PROBABILITIES = _star_table()


def _star_probabilities(target_mean: np.ndarray) -> np.ndarray:
    """Probabilities of 5..1 stars whose mean is `target_mean` (row-wise, interpolated)."""
    position = np.interp(target_mean, _STAR_MEANS, np.arange(len(_STAR_MEANS)))
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(_STAR_MEANS) - 1)
    weight = (position - lower)[:, None]
    probabilities = (1.0 - weight) * _STAR_PROBABILITIES[lower] + weight * _STAR_PROBABILITIES[upper]
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def _rating_texts(stars: np.ndarray, review_count: np.ndarray) -> list[str]:
    """Weighted star mean rounded half up to one decimal (exact integer arithmetic); "" without reviews."""
    star_total = stars @ STARS
    safe_count = np.maximum(review_count, 1)
    tenths = (20 * star_total + safe_count) // (2 * safe_count)
    return [
        f"{value // 10}.{value % 10}" if count > 0 else ""
        for value, count in zip(tenths.tolist(), review_count.tolist())
    ]


def _star_count_texts(stars: np.ndarray, reviewed: np.ndarray) -> list[str]:
    labels = [f"{star}:" for star in STARS.tolist()]
    return [
        "|".join(label + str(count) for label, count in zip(labels, row)) if has_reviews else ""
        for row, has_reviews in zip(stars.tolist(), reviewed.tolist())
    ]


def _channel_texts(profile: CategoryProfile, review_count: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Reviews split over shopping channels: category mix, per-product Dirichlet jitter, largest first."""
    base = np.asarray(profile.channel_weights, dtype=float)
    active = np.flatnonzero(base > 0)
    shares = base[active] / base[active].sum()
    draws = rng.gamma(8.0 * shares, size=(len(review_count), len(active)))
    probabilities = draws / draws.sum(axis=1, keepdims=True)
    counts = rng.multinomial(review_count, probabilities)
    names = np.asarray(CHANNELS, dtype=object)[active]
    return _format_ranked_counts(names, counts, counts > 0)


def _tag_texts(
    profile: CategoryProfile, review_count: np.ndarray, target_mean: np.ndarray, rng: np.random.Generator
) -> list[str]:
    """3-6 review keywords with mention counts (each <= review_count); complaints surface on low ratings."""
    size = len(review_count)
    positive = len(profile.positive_tags)
    negative = len(profile.negative_tags)
    names = np.asarray(profile.positive_tags + profile.negative_tags, dtype=object)

    positive_weight = (np.arange(positive) + 1.0) ** -0.6
    complaint_level = 0.25 * ((5.0 - target_mean) / 0.6) ** 2
    log_weights = np.concatenate(
        [
            np.broadcast_to(np.log(positive_weight), (size, positive)),
            np.broadcast_to(np.log(complaint_level)[:, None] - 0.3 * np.arange(negative), (size, negative)),
        ],
        axis=1,
    )
    ranked = np.argsort(-(log_weights + rng.gumbel(size=log_weights.shape)), axis=1, kind="stable")[:, :MAX_TAGS]

    base_rate = np.concatenate([0.45 * positive_weight, np.full(negative, 0.06)])
    rates = base_rate[ranked] * rng.lognormal(0.0, 0.35, ranked.shape)
    rates = np.where(ranked >= positive, rates * np.sqrt(complaint_level)[:, None] * 2.0, rates)
    mentions = rng.binomial(review_count[:, None], np.clip(rates, 0.005, 0.95))
    mentions = np.minimum(np.maximum(mentions, 1), review_count[:, None])

    tag_count = np.clip(2 + np.ceil(1.2 * np.log10(review_count + 1.0)), MIN_TAGS, MAX_TAGS).astype(int)
    keep = (np.arange(MAX_TAGS)[None, :] < tag_count[:, None]) & (review_count[:, None] > 0)
    return _format_ranked_counts(names[ranked], mentions, keep, per_row_labels=True)


def _format_ranked_counts(
    labels: np.ndarray, counts: np.ndarray, keep: np.ndarray, per_row_labels: bool = False
) -> list[str]:
    """ "a:3|b:2" per row: kept entries, largest count first (ties keep column order); "" if none kept."""
    order = np.argsort(np.where(keep, -counts, 1), axis=1, kind="stable")
    sorted_counts = np.take_along_axis(counts, order, axis=1).tolist()
    sorted_keep = np.take_along_axis(keep, order, axis=1).tolist()
    sorted_labels = np.take_along_axis(labels, order, axis=1).tolist() if per_row_labels else labels[order].tolist()
    return [
        "|".join(f"{label}:{count}" for label, count, kept in zip(row_labels, row_counts, row_keep) if kept)
        for row_labels, row_counts, row_keep in zip(sorted_labels, sorted_counts, sorted_keep)
    ]


# --------------------------------------------------------------------------------------------------
# Names and specifications
# --------------------------------------------------------------------------------------------------


def format_amount(value: int, measure: str) -> str:
    """550 ml -> "550ml", 1500 ml -> "1.5L", 2270 g -> "2.27kg", 52 매 -> "52매"."""
    if measure in ("ml", "g") and value >= 1000:
        big_unit = "L" if measure == "ml" else "kg"
        return f"{value / 1000:.2f}".rstrip("0").rstrip(".") + big_unit
    return f"{value}{measure}"


def _packaging_texts(packaging: Packaging, size_idx: np.ndarray, pack_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.asarray([format_amount(value, packaging.measure) for value in packaging.sizes], dtype=object)
    packs = np.asarray([f"{value}{packaging.pack_word}" for value in packaging.packs], dtype=object)
    return sizes[size_idx], packs[pack_idx]


def _product_names(
    profile: CategoryProfile,
    brand_idx: np.ndarray,
    line_idx: np.ndarray,
    attribute_idx: list[np.ndarray],
    size_idx: np.ndarray,
    pack_idx: np.ndarray,
    rng: np.random.Generator,
) -> list[str]:
    """brand + line (+ model) + name-worthy specs + noun + size + pack count when more than one."""
    size = len(brand_idx)
    empty = np.full(size, "", dtype=object)
    parts = [np.asarray(profile.brands, dtype=object)[brand_idx], np.asarray(profile.lines, dtype=object)[line_idx]]
    if profile.model_suffixes:
        suffix_idx = rng.integers(0, len(profile.model_suffixes), size)
        parts.append(np.asarray(profile.model_suffixes, dtype=object)[suffix_idx])
    named = [(attribute, idx) for attribute, idx in zip(profile.attributes, attribute_idx) if attribute.in_name]
    if profile.name_keys:
        named.sort(key=lambda pair: profile.name_keys.index(pair[0].key))
    parts += [np.asarray(attribute.values, dtype=object)[idx] for attribute, idx in named]
    parts.append(np.full(size, profile.noun, dtype=object))
    if profile.packaging is not None:
        size_text, pack_text = _packaging_texts(profile.packaging, size_idx, pack_idx)
        packs = np.asarray(profile.packaging.packs)[pack_idx]
        parts += [size_text, np.where(packs > 1, pack_text, empty)]
    return [" ".join(part for part in row if part) for row in zip(*parts)]


def _specification_texts(
    profile: CategoryProfile, attribute_idx: list[np.ndarray], size_idx: np.ndarray, pack_idx: np.ndarray
) -> list[str]:
    """ "key: value / key: value": first attribute, then size and pack count, then the other attributes."""
    fields = [_key_values(attribute, idx) for attribute, idx in zip(profile.attributes, attribute_idx)]
    flat = [column for group in fields for column in group]
    if profile.packaging is not None:
        size_text, pack_text = _packaging_texts(profile.packaging, size_idx, pack_idx)
        packaging_fields = [profile.packaging.size_key + ": " + size_text, "구성: " + pack_text]
        flat = fields[0] + packaging_fields + [column for group in fields[1:] for column in group]
    return [" / ".join(row) for row in zip(*flat)]


def _key_values(attribute: Attribute, idx: np.ndarray) -> list[np.ndarray]:
    columns = [np.asarray([f"{attribute.key}: {value}" for value in attribute.values], dtype=object)[idx]]
    if attribute.linked is not None:
        linked_key, linked_values = attribute.linked
        columns.append(np.asarray([f"{linked_key}: {value}" for value in linked_values], dtype=object)[idx])
    return columns
