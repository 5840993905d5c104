"""Hand-made product fixtures whose category metrics are computed by hand in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

HEADER = (
    "product_id,category,product_name,brand,price,unit_price,specifications,rating,review_count,"
    "star_counts,review_channels,review_tags,price_history,collected_at"
)
FLAT = "2026-06:{p}|2026-07:{p}|2026-08:{p}|2026-09:{p}|2026-10:{p}|2026-11:{p}"

SMALL_ROWS = [
    "P1,샴푸,려 샴푸 500ml,려,10000,100ml당 2000원,용량: 500ml / 구성: 1개,4.4,10,5:6|4:3|3:0|2:1|1:0,"
    "네이버쇼핑:6|쿠팡:4,가성비:5|향좋음:3,2026-06:11000|2026-07:11000|2026-08:10500|2026-09:10500|2026-10:10000|2026-11:10000,2026-11-02",
    'P2,샴푸,려 샴푸 1000ml,려,"20,000",100ml당 2000원,용량: 1000ml / 구성: 1개,4.4,30,5:20|4:5|3:3|2:1|1:1,'
    "네이버쇼핑:10|쿠팡:20,가성비:10|세정력:8," + FLAT.format(p=20000) + ",2026-11-03",
    "P3,샴푸,엘라스틴 샴푸 2개,엘라스틴,30000,100ml당 3000원,용량: 500ml / 구성: 2개,,0,,,,"
    "2026-06:27000|2026-07:27000|2026-08:28000|2026-09:29000|2026-10:30000|2026-11:30000,2026-11-04",
    "P4,샴푸,케라시스 샴푸 대용량,케라시스,40000,,용량: 1000ml / 구성: 2개,4.2,60,5:30|4:20|3:5|2:3|1:2,"
    "쿠팡:60,가성비:20|대용량:15," + FLAT.format(p=40000) + ",2026-11-05",
    "P5,생수,삼다수 2L 6개,삼다수,5000,1L당 417원,용량: 2L / 구성: 6개,5.0,5,5:5,쿠팡:5,시원함:2,"
    + FLAT.format(p=5000)
    + ",2026-11-06",
    "P6,생수,무명 생수 500ml,,7000,,용량: 500ml,,0,,,," + FLAT.format(p=7000) + ",2026-11-07",
]

BAD_ROWS = [
    "B1,샴푸,나쁜 가격,려,만원,,,4.0,1,4:1,쿠팡:1,가성비:1," + FLAT.format(p=1) + ",2026-11-01",
    "B2,샴푸,음수 리뷰,려,1000,,,4.0,-3,,,," + FLAT.format(p=1000) + ",2026-11-01",
    "B3,샴푸,평점 초과,려,1000,,,7.5,1,5:1,쿠팡:1,," + FLAT.format(p=1000) + ",2026-11-01",
    "B4,샴푸,별점 합 불일치,려,1000,,,5.0,3,5:2,쿠팡:3,," + FLAT.format(p=1000) + ",2026-11-01",
    "B5,,카테고리 없음,려,1000,,,,0,,,," + FLAT.format(p=1000) + ",2026-11-01",
    "P1,샴푸,중복 아이디,려,1000,,,,0,,,," + FLAT.format(p=1000) + ",2026-11-01",
    "B6,샴푸,깨진 채널,려,1000,,,5.0,1,5:1,쿠팡,," + FLAT.format(p=1000) + ",2026-11-01",
]


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding=encoding)
    return path


@pytest.fixture
def small_products_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "products_small.csv", SMALL_ROWS)


@pytest.fixture
def dirty_products_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "products_dirty.csv", SMALL_ROWS + BAD_ROWS)
