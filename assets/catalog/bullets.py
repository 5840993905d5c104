"""Category report bullets: the deterministic Korean template, the API schema, and the checkers.

A payload is `{"category", "summaryBullets": [6–8 strings in BULLET_ORDER], "generatedBy", "basis"}`.
`render_template_bullets(metrics)` is the deterministic fallback that model-written bullets fall back
to. `schema_problems(payload)` (JSON schema `PAYLOAD_SCHEMA` via `jsonschema`, plus the bullet order)
and `faithfulness_problems(payload, metrics)` (each bullet's numbers must be its own slot's metric
values, its categorical reading — 상승세, 고집중 시장 … — the one its metrics imply) return human-readable
problems (empty list = valid); they judge any payload, template- or model-written, the same way.
`payload_problems(payloads, records)` runs both over a whole report: the blocking check, the asset (before it
writes the API file) and `kodistill bullets` (before it writes) all call it. The categorical readings are
functions of one metric each (`saturation_reading`, `satisfaction_reading`, `price_trend`,
`concentration_reading`), shared with the student's prompt.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

GENERATED_BY_VALUES: frozenset[str] = frozenset({"student", "template"})
MIN_BULLETS, MAX_BULLETS = 6, 8


@dataclass(frozen=True)
class BulletKind:
    """One slot of the fixed bullet order: its key, a marker every bullet of that slot contains, its basis."""

    key: str
    marker: str
    basis: str
    required: bool = True


BULLET_ORDER: tuple[BulletKind, ...] = (
    BulletKind("market_size", r"상품 [\d,]+개", "수집 상품 기준"),
    BulletKind("saturation", r"리뷰가 (1건도 )?없는 상품", "리뷰 수 기준"),
    BulletKind("satisfaction", r"평점", "리뷰 분포 기준"),
    BulletKind("price", r"가격", "판매가·가격 이력 기준"),
    BulletKind("competition", r"브랜드", "리뷰 수 기준"),
    BulletKind("channels", r"채널", "리뷰 분포 기준"),
    BulletKind("keywords", r"키워드", "리뷰 태그 기준"),
    BulletKind("segment", r"세그먼트", "사양·리뷰 기준", required=False),
)

# Fixed phrases of the template whose digits are definitions, not measurements.
STRUCTURAL_LITERALS: tuple[str, ...] = (r"P(?:25|50|75)", r"1~2점", r"6개월", r"1건도")
NUMBER_PATTERN = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


# ---------------------------------------------------------------- formatting


def format_count(value: float) -> str:
    return f"{int(round(value)):,}"


def format_percent(share: float) -> str:
    return f"{share * 100:.1f}"


def format_won(value: float) -> str:
    return f"{int(round(value)):,}"


def format_signed_percent(share: float) -> str:
    text = f"{share * 100:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------- the template


def _market_size(m: dict[str, Any]) -> str:
    return (
        f"{m['category']} 카테고리는 상품 {format_count(m['product_count'])}개, "
        f"브랜드 {format_count(m['brand_count'])}개, "
        f"누적 리뷰 {format_count(m['total_reviews'])}건 규모입니다(수집 상품 기준)."
    )


def _level_reading(value: float, levels: tuple[tuple[float, str], ...], otherwise: str) -> str:
    """The phrase of the first (floor, phrase) level whose floor `value` reaches, else `otherwise`."""
    return next((phrase for floor, phrase in levels if value >= floor), otherwise)


# Each reading's levels: (floor, phrase) from the highest floor down, then the phrase below every floor.
SATURATION_LEVELS = (
    (0.30, "구매 검증 전인 신규 상품이 많아 후발 진입 여지가 있습니다"),
    (0.15, "검증된 상품과 신규 상품이 섞여 있는 시장입니다"),
)
SATURATION_OTHERWISE = "대부분 상품이 후기로 검증된 포화 시장입니다"
SATISFACTION_LEVELS = ((0.10, "불만 리스크가 큰 편입니다"), (0.05, "불만 리스크는 보통 수준입니다"))
SATISFACTION_OTHERWISE = "만족도가 높은 편입니다"
PRICE_TRENDS = ("하락세", "상승세", "보합세")
CONCENTRATION_LEVELS = ((2500, "소수 브랜드가 주도하는 고집중 시장"), (1500, "중간 수준으로 집중된 시장"))
CONCENTRATION_OTHERWISE = "경쟁이 분산된 시장"


def saturation_reading(zero_review_share: float) -> str:
    """What the share of products without reviews says about the market (the saturation bullet's reading)."""
    return _level_reading(zero_review_share, SATURATION_LEVELS, SATURATION_OTHERWISE)


def _saturation(m: dict[str, Any]) -> str:
    share = m["zero_review_share"]
    return f"리뷰가 1건도 없는 상품이 {format_percent(share)}%로, {saturation_reading(share)}(리뷰 수 기준)."


def satisfaction_reading(low_rating_share: float) -> str:
    """What the share of 1–2 star reviews says about satisfaction (the satisfaction bullet's reading)."""
    return _level_reading(low_rating_share, SATISFACTION_LEVELS, SATISFACTION_OTHERWISE)


def _satisfaction(m: dict[str, Any]) -> str:
    if _missing(m["weighted_rating"]):
        return "아직 리뷰가 없어 평점과 불만 비중을 판단할 수 없습니다(리뷰 분포 기준)."
    low = m["low_rating_share"]
    if _missing(low):
        return f"리뷰 가중 평균 평점은 {m['weighted_rating']:.2f}점입니다(리뷰 분포 기준)."
    return (
        f"리뷰 가중 평균 평점은 {m['weighted_rating']:.2f}점이고 1~2점 리뷰 비중은 {format_percent(low)}%로, "
        f"{satisfaction_reading(low)}(리뷰 분포 기준)."
    )


def price_trend(median_change: float) -> str:
    """The price bullet's reading of the median 6-month price change (±3% is flat)."""
    falling, rising, flat = PRICE_TRENDS
    return falling if median_change <= -0.03 else rising if median_change >= 0.03 else flat


def _price(m: dict[str, Any]) -> str:
    text = (
        f"가격은 P25 {format_won(m['price_p25'])}원, P50 {format_won(m['price_p50'])}원, "
        f"P75 {format_won(m['price_p75'])}원 구간에 분포하며"
    )
    change = m["median_price_change_6m"]
    if _missing(change):
        return text + ", 가격 이력이 없어 추이는 판단할 수 없습니다(판매가·가격 이력 기준)."
    return (
        text
        + f", 최근 6개월 가격 변화는 상품별 중앙값 {format_signed_percent(change)}%로 "
        + f"{price_trend(change)}입니다(판매가·가격 이력 기준)."
    )


def concentration_reading(hhi: float) -> str:
    """The competition bullet's reading of the brand concentration index (HHI)."""
    return _level_reading(hhi, CONCENTRATION_LEVELS, CONCENTRATION_OTHERWISE)


def _competition(m: dict[str, Any]) -> str:
    brands = m["top_brands"]
    if not brands:
        return "리뷰가 있는 브랜드가 없어 브랜드 경쟁 구도를 판단할 수 없습니다(리뷰 수 기준)."
    names = "·".join(brand["name"] for brand in brands)
    return (
        f"리뷰 기준 상위 {len(brands)}개 브랜드({names})가 리뷰의 {format_percent(m['top3_brand_share'])}%를 차지하며, "
        f"집중도 지수(HHI) {format_count(m['hhi'])} 기준 {concentration_reading(m['hhi'])}입니다(리뷰 수 기준)."
    )


def _channels(m: dict[str, Any]) -> str:
    channels = m["top_channels"]
    if not channels:
        return "리뷰 작성 채널 정보가 없어 채널 분포를 집계할 수 없습니다(리뷰 분포 기준)."
    listed = ", ".join(f"{c['name']} {format_percent(c['share'])}%" for c in channels)
    if len(channels) == 1:
        return f"리뷰 작성 채널은 {listed}로 한 채널에 모여 있습니다(리뷰 분포 기준)."
    return f"리뷰 작성 채널은 {listed} 순으로 많습니다(리뷰 분포 기준)."


def _keywords(m: dict[str, Any]) -> str:
    keywords = m["top_keywords"][:3]
    if not keywords:
        return "리뷰 태그가 없어 주요 키워드를 집계할 수 없습니다(리뷰 태그 기준)."
    listed = ", ".join(f"'{k['name']}'({format_count(k['count'])}건)" for k in keywords)
    return f"리뷰에서 자주 언급된 키워드는 {listed}입니다(리뷰 태그 기준)."


def _segment(m: dict[str, Any]) -> str | None:
    seg = m["promising_segment"]
    if not seg:
        return None
    text = (
        f"'{seg['key']}: {seg['value']}' 제품군은 상품 비중 {format_percent(seg['product_share'])}%에 "
        f"리뷰 비중 {format_percent(seg['review_share'])}%를 차지해 공급 대비 수요가 큰 유망 세그먼트"
    )
    if "segment_unit_price_p50" in seg:
        text += (
            f"이며, 단위가격 중앙값은 {seg['unit_basis']}당 {format_won(seg['segment_unit_price_p50'])}원"
            f"(카테고리 {format_won(seg['category_unit_price_p50'])}원)"
        )
    text += "입니다"
    return text + "(사양·리뷰 기준)."


_RENDERERS = {
    "market_size": _market_size,
    "saturation": _saturation,
    "satisfaction": _satisfaction,
    "price": _price,
    "competition": _competition,
    "channels": _channels,
    "keywords": _keywords,
    "segment": _segment,
}


def render_template_bullets(metrics: dict[str, Any]) -> dict[str, Any]:
    """The deterministic report for one category's metrics record (see `metrics_records`)."""
    bullets, kinds = [], []
    for kind in BULLET_ORDER:
        text = _RENDERERS[kind.key](metrics)
        if text is not None:
            bullets.append(text)
            kinds.append(kind.key)
    return {
        "category": metrics["category"],
        "summaryBullets": bullets,
        "generatedBy": "template",
        "basis": {
            "bulletKinds": kinds,
            "sources": {kind.key: kind.basis for kind in BULLET_ORDER if kind.key in kinds},
            "period": {"from": metrics.get("collected_from", ""), "to": metrics.get("collected_to", "")},
            "productCount": int(metrics["product_count"]),
        },
    }


# ---------------------------------------------------------------- checkers


PAYLOAD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Category report bullets payload",
    "description": "a JSON object",
    "type": "object",
    "required": ["category", "summaryBullets", "generatedBy", "basis"],
    "properties": {
        "category": {"description": "a non-empty string", "type": "string", "minLength": 1},
        "summaryBullets": {
            "description": f"a list of {MIN_BULLETS}–{MAX_BULLETS} non-empty strings",
            "type": "array",
            "minItems": MIN_BULLETS,
            "maxItems": MAX_BULLETS,
            "items": {"description": "a non-empty string", "type": "string", "pattern": r"\S"},
        },
        "generatedBy": {"description": f"one of {sorted(GENERATED_BY_VALUES)}", "enum": sorted(GENERATED_BY_VALUES)},
        "basis": {"description": "an object", "type": "object"},
    },
}
_PAYLOAD_VALIDATOR = jsonschema.Draft202012Validator(PAYLOAD_SCHEMA)


def _location(path: Any) -> str:
    location = "payload"
    for part in path:
        location = f"{location}[{part}]" if isinstance(part, int) else str(part)
    return location


def _shown(value: Any) -> str:
    return type(value).__name__ if isinstance(value, (dict, list)) else repr(value)[:80]


def _schema_message(error: jsonschema.ValidationError) -> str:
    """One clear sentence for a JSON-schema violation, naming the key and what was expected."""
    location = _location(error.absolute_path)
    if error.validator == "required":
        return "missing key " + error.message.removesuffix(" is a required property")
    if error.validator in ("minItems", "maxItems"):
        return f"{location} has {len(error.instance)} bullets, expected {MIN_BULLETS}–{MAX_BULLETS}"
    return f"{location} must be {error.schema.get('description', error.message)}, got {_shown(error.instance)}"


def schema_problems(payload: Any) -> list[str]:
    """Problems with a payload's shape (JSON schema `PAYLOAD_SCHEMA`) and bullet order; empty when valid."""
    errors = list(_PAYLOAD_VALIDATOR.iter_errors(payload))
    problems = [_schema_message(error) for error in errors]
    bullets_broken = any(error.absolute_path and error.absolute_path[0] == "summaryBullets" for error in errors)
    if not isinstance(payload, dict) or "summaryBullets" not in payload or bullets_broken:
        return problems
    return problems + order_problems(payload["summaryBullets"])


def order_problems(bullets: list[str]) -> list[str]:
    """Bullets must follow BULLET_ORDER: slot i carries slot i's marker and a '… 기준' basis."""
    problems = []
    for position, (bullet, kind) in enumerate(zip(bullets, BULLET_ORDER), start=1):
        if not re.search(kind.marker, bullet):
            problems.append(f"bullet {position} should be the '{kind.key}' bullet (no /{kind.marker}/): {bullet!r}")
        if "기준" not in bullet:
            problems.append(f"bullet {position} does not state its basis ('… 기준'): {bullet!r}")
    return problems


def _canonical_number(text: str) -> str:
    text = text.replace(",", "").lstrip("+")
    return "0" if re.fullmatch(r"-?0(\.0+)?", text) else text


def numbers_in_bullet(bullet: str) -> list[str]:
    """Numbers stated in a bullet, template literals (P25, 1~2점, 6개월 …) excluded."""
    stripped = re.sub(rf"(?<![\d.,])(?:{'|'.join(STRUCTURAL_LITERALS)})", " ", bullet)
    return [_canonical_number(n.rstrip(",")) for n in NUMBER_PATTERN.findall(stripped)]


# The categorical readings the template derives from thresholds, per slot: a bullet may state only the
# reading its own metrics imply (checked by `reading_problems`).
SLOT_READINGS: dict[str, tuple[str, ...]] = {
    "saturation": ("후발 진입 여지가 있습니다", "섞여 있는 시장입니다", "포화 시장입니다"),
    "satisfaction": ("불만 리스크가 큰 편입니다", "불만 리스크는 보통 수준입니다", "만족도가 높은 편입니다"),
    "price": ("하락세", "상승세", "보합세"),
    "competition": ("고집중 시장", "중간 수준으로 집중된 시장", "경쟁이 분산된 시장"),
    "channels": ("한 채널에 모여 있습니다", "순으로 많습니다"),
}


def _phrases(levels: tuple[tuple[float, str], ...], otherwise: str) -> tuple[str, ...]:
    return (*(phrase for _, phrase in levels), otherwise)


# Every phrase a categorical reading can be (the readings' whole wording, as the template writes it).
READING_PHRASES: tuple[str, ...] = (
    *_phrases(SATURATION_LEVELS, SATURATION_OTHERWISE),
    *_phrases(SATISFACTION_LEVELS, SATISFACTION_OTHERWISE),
    *PRICE_TRENDS,
    *_phrases(CONCENTRATION_LEVELS, CONCENTRATION_OTHERWISE),
)


def _template_by_slot(metrics: dict[str, Any]) -> dict[str, str]:
    template = render_template_bullets(metrics)
    return dict(zip(template["basis"]["bulletKinds"], template["summaryBullets"], strict=True))


def slot_number_problems(position: int, bullet: str, expected: str | None, kind: str) -> list[str]:
    """Numbers of bullet `position` (slot `kind`) that are not among the numbers its slot states for these
    metrics (`expected`: the template's bullet of that slot; None when the metrics have no such bullet)."""
    if expected is None:
        return [f"bullet {position} is a '{kind}' bullet, which these metrics do not have: {bullet!r}"]
    allowed = set(numbers_in_bullet(expected))
    shown = ", ".join(sorted(allowed)) or "none"
    return [
        f"bullet {position} states {number}, which is not one of its metrics ({shown}): {bullet!r}"
        for number in numbers_in_bullet(bullet)
        if number not in allowed
    ]


def reading_problems(position: int, bullet: str, expected: str | None, kind: str) -> list[str]:
    """A reading of slot `kind` (e.g. "상승세") that the metrics do not imply (the template's bullet states another)."""
    if expected is None:
        return []
    return [
        f"bullet {position} reads '{reading}', which its metrics do not support: {bullet!r}"
        for reading in SLOT_READINGS.get(kind, ())
        if reading in bullet and reading not in expected
    ]


def faithfulness_problems(payload: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """Every number in a bullet must be one of the metric values its own slot states (a P25 bullet cannot
    state the brand count), every categorical reading (상승세, 고집중 시장 …) the one the metrics imply, and
    the market-size bullet must name the payload's own category (not another one's)."""
    if payload.get("category") != metrics.get("category"):
        return [f"payload category {payload.get('category')!r} != metrics category {metrics.get('category')!r}"]
    expected = _template_by_slot(metrics)
    problems = []
    for position, (bullet, kind) in enumerate(zip(payload.get("summaryBullets", []), BULLET_ORDER), start=1):
        reference = expected.get(kind.key)
        problems += slot_number_problems(position, bullet, reference, kind.key)
        problems += reading_problems(position, bullet, reference, kind.key)
        if kind.key == "market_size" and str(metrics["category"]) not in bullet:
            problems.append(f"bullet {position} does not name its category {metrics['category']!r}: {bullet!r}")
    return problems


def payload_problems(payloads: list[dict[str, Any]], metrics_records: list[dict[str, Any]]) -> list[str]:
    """Every schema, order and faithfulness problem of a set of payloads, as "category: problem"; also
    categories with metrics but no payload. The one validation used by the check, the asset and the CLI."""
    by_category = {record["category"]: record for record in metrics_records}
    problems: list[str] = []
    for payload in payloads:
        found = schema_problems(payload)
        category = payload.get("category") if isinstance(payload, dict) else None
        record = by_category.get(category)
        if not found:
            found = ["no metrics for this category"] if record is None else faithfulness_problems(payload, record)
        problems += [f"{category}: {problem}" for problem in found]
    seen = {payload.get("category") for payload in payloads if isinstance(payload, dict)}
    problems += [f"{category}: no bullets" for category in sorted(set(by_category) - seen)]
    return problems


def report_document(payloads: list[dict[str, Any]], generated_at: str) -> dict[str, Any]:
    """The JSON document an API serves: generation time and one payload per category."""
    return {"generatedAt": generated_at, "count": len(payloads), "items": payloads}
