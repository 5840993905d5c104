"""Template bullets, the payload schema, the fixed order and the numeric faithfulness checker."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from assets.catalog.bullets import (
    BULLET_ORDER,
    SLOT_READINGS,
    faithfulness_problems,
    numbers_in_bullet,
    render_template_bullets,
    schema_problems,
)
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from resources.paths import PROJECT_ROOT


@pytest.fixture
def records(small_products_csv: Path) -> dict[str, dict]:
    return {
        r["category"]: r for r in metrics_records(compute_category_metrics(read_products(small_products_csv).products))
    }


def test_template_is_valid_faithful_and_deterministic(records: dict[str, dict]) -> None:
    for record in records.values():
        payload = render_template_bullets(record)
        assert schema_problems(payload) == []
        assert faithfulness_problems(payload, record) == []
        assert render_template_bullets(record) == payload
        json.dumps(payload, ensure_ascii=False)  # serialisable for the API


def test_template_states_the_metrics_in_korean(records: dict[str, dict]) -> None:
    bullets = render_template_bullets(records["샴푸"])["summaryBullets"]
    assert bullets[0] == "샴푸 카테고리는 상품 4개, 브랜드 3개, 누적 리뷰 100건 규모입니다(수집 상품 기준)."
    assert "4.28점" in bullets[2] and "8.0%" in bullets[2] and "리뷰 분포 기준" in bullets[2]
    assert "P25 17,500원, P50 25,000원, P75 32,500원" in bullets[3]
    assert "케라시스·려" in bullets[4] and "HHI) 5,200" in bullets[4]
    assert bullets[5].startswith("리뷰 작성 채널은 쿠팡 84.0%, 네이버쇼핑 16.0%")
    assert "'가성비'(35건)" in bullets[6]
    assert all(bullet.endswith("기준).") for bullet in bullets)


def test_bullets_follow_the_fixed_order(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    assert payload["basis"]["bulletKinds"] == [kind.key for kind in BULLET_ORDER][: len(payload["summaryBullets"])]
    swapped = copy.deepcopy(payload)
    swapped["summaryBullets"][2], swapped["summaryBullets"][3] = (
        swapped["summaryBullets"][3],
        swapped["summaryBullets"][2],
    )
    assert any("bullet 3 should be the 'satisfaction' bullet" in p for p in schema_problems(swapped))


def test_unfaithful_number_is_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    payload["summaryBullets"][0] = payload["summaryBullets"][0].replace("누적 리뷰 100건", "누적 리뷰 1,200건")
    problems = faithfulness_problems(payload, records["샴푸"])
    assert len(problems) == 1 and "states 1200" in problems[0]


def test_another_categorys_name_in_the_text_is_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    payload["summaryBullets"][0] = payload["summaryBullets"][0].replace("샴푸 카테고리는", "생수 카테고리는")
    problems = faithfulness_problems(payload, records["샴푸"])
    assert problems == [f"bullet 1 does not name its category '샴푸': {payload['summaryBullets'][0]!r}"]


def test_slightly_wrong_percentage_is_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    payload["summaryBullets"][1] = payload["summaryBullets"][1].replace("25.0%", "26.0%")
    assert faithfulness_problems(payload, records["샴푸"])


def test_numbers_from_another_category_are_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["생수"])
    payload["category"] = "샴푸"
    assert faithfulness_problems(payload, records["샴푸"])


def test_template_literals_are_not_numbers() -> None:
    assert numbers_in_bullet("가격은 P25 1,000원, 1~2점 리뷰 3.5%, 최근 6개월 +1.2%, 리뷰가 1건도 없는") == [
        "1000",
        "3.5",
        "1.2",
    ]
    assert numbers_in_bullet("누적 리뷰 100건") == ["100"]


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda p: p.pop("basis"), "missing key 'basis'"),
        (lambda p: p.update(generatedBy="gpt"), "generatedBy must be one of"),
        (lambda p: p.update(summaryBullets=p["summaryBullets"][:5]), "has 5 bullets, expected 6–8"),
        (lambda p: p.update(summaryBullets=p["summaryBullets"] + ["x 기준"] * 2), "has 9 bullets"),
        (lambda p: p.update(summaryBullets=[1, 2, 3, 4, 5, 6]), "summaryBullets[0] must be a non-empty string, got 1"),
        (lambda p: p["summaryBullets"].__setitem__(0, "샴푸 카테고리는 상품 4개입니다."), "does not state its basis"),
    ],
)
def test_schema_violations_are_reported(records: dict[str, dict], mutate, expected: str) -> None:
    payload = render_template_bullets(records["샴푸"])
    mutate(payload)
    assert any(expected in problem for problem in schema_problems(payload))


def test_non_object_payload() -> None:
    assert schema_problems([1, 2]) == ["payload must be a JSON object, got list"]


def test_shipped_sample_bullets_name_different_price_trends() -> None:
    records = metrics_records(
        compute_category_metrics(read_products(PROJECT_ROOT / "data" / "products_all.csv").products)
    )
    changes = [record["median_price_change_6m"] for record in records]
    assert len({round(change, 4) for change in changes}) >= 10, changes
    price_bullets = [render_template_bullets(record)["summaryBullets"][3] for record in records]
    for trend in ("상승세", "하락세", "보합세"):
        assert any(trend in bullet for bullet in price_bullets), trend


def test_a_metric_value_in_the_wrong_bullet_is_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    payload["summaryBullets"][3] = payload["summaryBullets"][3].replace("P25 17,500원", "P25 100원")
    problems = faithfulness_problems(payload, records["샴푸"])
    assert len(problems) == 1 and problems[0].startswith("bullet 4 states 100, which is not one of its metrics")


def test_a_reading_the_metrics_do_not_support_is_caught(records: dict[str, dict]) -> None:
    payload = render_template_bullets(records["샴푸"])
    bullet = payload["summaryBullets"][4]
    stated = next(reading for reading in SLOT_READINGS["competition"] if reading in bullet)
    other = next(reading for reading in SLOT_READINGS["competition"] if reading != stated)
    payload["summaryBullets"][4] = bullet.replace(stated, other)
    problems = faithfulness_problems(payload, records["샴푸"])
    assert problems == [f"bullet 5 reads '{other}', which its metrics do not support: {payload['summaryBullets'][4]!r}"]


def test_a_segment_bullet_for_metrics_without_a_segment_is_caught(records: dict[str, dict]) -> None:
    record = next(r for r in records.values() if not r["promising_segment"])
    payload = render_template_bullets(record)
    payload["summaryBullets"].append("'용량: 1L' 제품군은 유망 세그먼트입니다(사양·리뷰 기준).")
    assert any("bullet 8 is a 'segment' bullet" in problem for problem in faithfulness_problems(payload, record))
