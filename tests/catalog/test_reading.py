"""products_all.csv reading: encoding detection, typing, quarantine with reasons, fatal errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assets.catalog.reading import UNKNOWN_BRAND, read_products
from resources.errors import InputDataError

from .conftest import BAD_ROWS, HEADER, SMALL_ROWS, write_csv


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949")])
def test_encodings_are_detected_and_read_identically(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_csv(tmp_path / f"products_{encoding}.csv", SMALL_ROWS, encoding=encoding)
    result = read_products(path)
    assert result.encoding == detected
    assert list(result.products["category"].unique()) == ["샴푸", "생수"]
    assert result.products.loc[0, "product_name"] == "려 샴푸 500ml"
    assert list(result.products.columns)[:3] == ["line", "product_id", "category"]


def test_euc_kr_file_is_read_as_cp949(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "products_euckr.csv", SMALL_ROWS, encoding="euc-kr")
    assert read_products(path).products["brand"].tolist()[:2] == ["려", "려"]


def test_types_and_normalised_missing_values(small_products_csv: Path) -> None:
    result = read_products(small_products_csv)
    products = result.products.set_index("product_id")
    assert products.loc["P2", "price"] == 20000  # "20,000" parsed
    assert products.loc["P3", "review_count"] == 0
    assert products["rating"].isna()["P3"]
    assert products.loc["P6", "brand"] == UNKNOWN_BRAND
    assert result.normalized["brand_missing_to_unknown"] == 1
    assert products.loc["P1", "unit_basis"] == "100ml" and products.loc["P1", "unit_price_value"] == 2000
    assert products.loc["P1", "price_change_6m"] == pytest.approx((10000 - 11000) / 11000)
    assert products.loc["P2", "stars_5"] == 20 and products.loc["P2", "stars_1"] == 1
    assert result.quarantine.empty


def test_malformed_rows_are_quarantined_with_line_and_reason(dirty_products_csv: Path) -> None:
    result = read_products(dirty_products_csv)
    assert result.total_rows == len(SMALL_ROWS) + len(BAD_ROWS)
    assert len(result.products) == len(SMALL_ROWS)
    reasons = dict(zip(result.quarantine["product_name"], result.quarantine["reason"]))
    assert "price '만원'" in reasons["나쁜 가격"]
    assert "review_count must not be negative" in reasons["음수 리뷰"]
    assert "rating outside" in reasons["평점 초과"]
    assert "star_counts sum 2 != review_count 3" in reasons["별점 합 불일치"]
    assert "category is empty" in reasons["카테고리 없음"]
    assert "duplicate product_id (first seen on line 2)" in reasons["중복 아이디"]
    assert "review_channels" in reasons["깨진 채널"]
    first_bad_line = len(SMALL_ROWS) + 2
    assert result.quarantine["line"].tolist() == list(range(first_bad_line, first_bad_line + len(BAD_ROWS)))
    assert result.quarantine_ratio == pytest.approx(len(BAD_ROWS) / result.total_rows)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="nope.csv: file not found"):
        read_products(tmp_path / "nope.csv")


def test_missing_required_column_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "no_price.csv"
    path.write_text(HEADER.replace("price,unit_price", "unit_price") + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"no_price.csv: missing required column\(s\) price"):
        read_products(path)


def test_unparseable_csv_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(HEADER + '\nP1,"unterminated,샴푸\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"broken.csv: line 2: .*\(unclosed quote\)"):
        read_products(path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputDataError, match="empty.csv: file is empty"):
        read_products(path)


@pytest.mark.parametrize(
    "column, value, reason",
    [
        (
            "price",
            "99999999999999999999999",
            "price '99999999999999999999999' is out of range (at most 1,000,000,000,000)",
        ),
        ("price", "9223372036854775808", "price '9223372036854775808' is out of range"),
        ("review_count", "100000000000000000000", "review_count '100000000000000000000' is out of range"),
        ("review_count", "1e20", "review_count '1e20' is not a whole number"),
    ],
)
def test_huge_integers_are_quarantined_not_wrapped(tmp_path: Path, column: str, value: str, reason: str) -> None:
    row = SMALL_ROWS[0].split(",")
    row[HEADER.split(",").index(column)] = value
    result = read_products(write_csv(tmp_path / "huge.csv", [",".join(row), *SMALL_ROWS[1:]]))
    assert result.quarantine["line"].tolist() == [2]
    assert reason in result.quarantine["reason"].iloc[0]
    assert (result.products["price"] > 0).all() and (result.products["review_count"] >= 0).all()


def test_huge_count_inside_a_pair_cell_is_quarantined(tmp_path: Path) -> None:
    row = SMALL_ROWS[0].replace("네이버쇼핑:6|", "네이버쇼핑:99999999999999999999999|")
    result = read_products(write_csv(tmp_path / "huge_pair.csv", [row, *SMALL_ROWS[1:]]))
    assert result.quarantine["reason"].tolist() == ["review_channels is not 'channel:count|…'"]


def test_a_million_character_field_is_read(tmp_path: Path) -> None:
    long_spec = "특징: " + "가" * 1_000_000
    row = SMALL_ROWS[0].replace("용량: 500ml / 구성: 1개", f'"{long_spec}"')
    result = read_products(write_csv(tmp_path / "long.csv", [*SMALL_ROWS[1:], row]))
    assert result.quarantine.empty
    assert result.products.set_index("product_id").loc["P1", "specifications"] == long_spec


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    multiline = SMALL_ROWS[0].replace("려 샴푸 500ml", '"려 샴푸\n500ml\n대용량"')
    result = read_products(write_csv(tmp_path / "multi.csv", [multiline, "", BAD_ROWS[0]]))
    assert result.products.set_index("product_id").loc["P1", "product_name"] == "려 샴푸\n500ml\n대용량"
    assert result.products["line"].tolist() == [2]
    assert result.quarantine["line"].tolist() == [6]  # lines 2-4 hold P1, line 5 is blank


def test_directory_and_fifo_are_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="is a directory"):
        read_products(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputDataError, match="pipe.csv: is not a regular file"):
        read_products(fifo)


def test_header_only_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"header.csv: no data rows \(only a header\)"):
        read_products(write_csv(tmp_path / "header.csv", []))


def test_cells_are_trimmed_of_ascii_and_unicode_whitespace(tmp_path: Path) -> None:
    padded = SMALL_ROWS[0].replace("P1,샴푸,려 샴푸 500ml,려,", "P1, 샴푸,려 샴푸 500ml\u3000,\xa0려,", 1)
    blank_id = SMALL_ROWS[1].replace("P2,", "\u3000,", 1)
    result = read_products(write_csv(tmp_path / "padded.csv", [padded, blank_id, *SMALL_ROWS[2:]]))
    first = result.products.iloc[0]
    assert (first["category"], first["product_name"], first["brand"]) == ("샴푸", "려 샴푸 500ml", "려")
    assert result.quarantine["reason"].tolist() == ["product_id is empty"]
