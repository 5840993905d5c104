"""`kodistill bullets` and `kodistill generate-products` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assets.catalog.bullets import faithfulness_problems, schema_problems
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from orchestration.cli import main
from resources.paths import data_dir

from .conftest import BAD_ROWS, SMALL_ROWS, write_csv


def test_generate_then_bullets_on_a_cp949_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "products_cp949.csv"
    assert (
        main(["generate-products", "--rows", "400", "--seed", "5", "--out", str(csv_path), "--encoding", "cp949"]) == 0
    )
    out_path = tmp_path / "bullets.json"
    assert main(["bullets", "--products", str(csv_path), "--out", str(out_path)]) == 0
    document = json.loads(out_path.read_text(encoding="utf-8"))
    records = {r["category"]: r for r in metrics_records(compute_category_metrics(read_products(csv_path).products))}
    assert document["count"] == len(records) >= 12
    for payload in document["items"]:
        assert schema_problems(payload) == [] and faithfulness_problems(payload, records[payload["category"]]) == []


def test_bullets_prints_json_to_stdout(small_products_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bullets", "--products", str(small_products_csv)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [item["category"] for item in document["items"]] == sorted(["샴푸", "생수"])


def test_shipped_csv_works(tmp_path: Path) -> None:
    shipped = data_dir() / "products_all.csv"
    assert main(["bullets", "--products", str(shipped), "--out", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["count"] >= 12


def test_invalid_rows_are_listed_and_too_many_fail_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "dirty.csv", SMALL_ROWS + BAD_ROWS)
    assert main(["bullets", "--products", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"kodistill bullets: warning: {path}: line 8: price '만원'")
    assert err[-1].startswith(f"kodistill bullets: error: {path}: 7 of 13 rows invalid")
    assert "first at line 8" in err[-1]
    assert main(["bullets", "--products", str(path), "--max-quarantine-ratio", "0.6"]) == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "file not found"),
        (b"", "file is empty"),
        (b"product_id,category\nP1,x\n", "missing required column(s) product_name, brand, price, review_count"),
    ],
)
def test_unusable_files_give_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["bullets", "--products", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"kodistill bullets: error: {path}: {message}"


def test_generate_rejects_zero_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate-products", "--rows", "0", "--out", str(tmp_path / "x.csv")]) == 2
    assert "argument --rows: must be at least 1, got 0" in capsys.readouterr().err
