"""The API file only ever holds payloads that pass the blocking check's validation."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.catalog import assets as catalog_assets
from assets.catalog import student_bullets
from assets.catalog.bullets import payload_problems, render_template_bullets
from assets.catalog.metrics import compute_category_metrics, metrics_records
from assets.catalog.reading import read_products
from assets.config import ReportBulletsConfig
from resources.mlflow_resource import MlflowTracking
from resources.settings import ProjectPaths

OVERFLOWED = "누적 리뷰 -9,223,372,036,854,720,177건"


@pytest.fixture
def metrics(small_products_csv: Path):
    return compute_category_metrics(read_products(small_products_csv).products)


def _run(metrics, tmp_path: Path) -> dg.Output:
    paths = ProjectPaths(artifacts_dir=str(tmp_path / "artifacts"), data_dir=str(tmp_path))
    config = ReportBulletsConfig(model="template")
    return catalog_assets.report_bullets(
        dg.build_asset_context(), config=config, category_metrics=metrics, paths=paths, mlflow=MlflowTracking()
    )


def _api_file(tmp_path: Path) -> Path:
    return tmp_path / "artifacts" / "catalog" / "report_bullets.json"


def test_valid_payloads_are_written(metrics, tmp_path: Path) -> None:
    output = _run(metrics, tmp_path)
    document = json.loads(_api_file(tmp_path).read_text(encoding="utf-8"))
    assert document["count"] == len(output.value) == 2
    assert output.metadata["generated_by_template_share"].value == 1.0
    assert output.metadata["generator"].value == "template"
    assert output.metadata["bullets_model"].value == "template"


def test_unfaithful_payload_fails_the_asset_and_writes_nothing(
    metrics, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def overflowing(record: dict) -> dict:
        payload = render_template_bullets(record)
        payload["summaryBullets"][0] = payload["summaryBullets"][0].replace("누적 리뷰 100건", OVERFLOWED)
        return payload

    monkeypatch.setattr(student_bullets, "render_template_bullets", overflowing)
    with pytest.raises(
        dg.Failure, match=r"샴푸: bullet 1 states -9223372036854720177, which is not one of its metrics"
    ):
        _run(metrics, tmp_path)
    assert not _api_file(tmp_path).exists()


def test_the_check_and_the_asset_share_one_validation(metrics) -> None:
    records = metrics_records(metrics)
    payloads = [render_template_bullets(record) for record in records]
    assert payload_problems(payloads, records) == []
    payloads[1]["generatedBy"] = "gpt"
    problems = payload_problems(payloads[1:], records)
    assert problems == [
        f"{payloads[1]['category']}: generatedBy must be one of ['student', 'template'], got 'gpt'",
        f"{payloads[0]['category']}: no bullets",
    ]
