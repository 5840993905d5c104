"""End to end: materialize the catalog group with its checks on real data and on dirty data."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.catalog import assets as catalog_assets
from assets.catalog import checks as catalog_checks
from assets.catalog.generator import generate_products, inject_defects, write_products_csv
from resources.io_managers import AtomicParquetIOManager
from resources.mlflow_resource import MlflowTracking
from resources.settings import ProjectPaths, QualityThresholds

CATALOG_ASSETS = dg.load_assets_from_modules([catalog_assets])
CATALOG_CHECKS = dg.load_asset_checks_from_modules([catalog_checks])


def _materialize(tmp_path: Path, csv_path: Path, max_quarantine_ratio: float = 0.02) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*CATALOG_ASSETS, *CATALOG_CHECKS],
        resources={
            "io_manager": AtomicParquetIOManager(base_dir=str(tmp_path / "assets")),
            "paths": ProjectPaths(data_dir=str(tmp_path), artifacts_dir=str(tmp_path / "artifacts")),
            "quality": QualityThresholds(max_quarantine_ratio=max_quarantine_ratio),
            "mlflow": MlflowTracking(),  # the test's own empty store: no champion, templated bullets
        },
        run_config={"ops": {"products": {"config": {"csv_path": str(csv_path)}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def generated_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_products_csv(
        generate_products(n_products=600, seed=7), tmp_path_factory.mktemp("csv") / "products_all.csv", encoding="cp949"
    )


def test_catalog_group_materializes_with_every_check_passing(tmp_path: Path, generated_csv: Path) -> None:
    result = _materialize(tmp_path, generated_csv)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "products_quarantine_ratio",
        "products_required_columns",
        "category_metrics_consistent",
        "report_bullets_valid_and_faithful",
    }
    assert all(e.passed for e in evaluations), [(e.check_name, e.metadata) for e in evaluations if not e.passed]
    document = json.loads((tmp_path / "artifacts" / "catalog" / "report_bullets.json").read_text(encoding="utf-8"))
    assert document["count"] == len(document["items"]) >= 12
    assert (tmp_path / "artifacts" / "catalog" / "price_distribution.png").read_bytes()[:4] == b"\x89PNG"
    metrics_event = result.asset_materializations_for_node("category_metrics")[0]
    assert "data:image/png;base64," in metrics_event.metadata["price_distribution"].value
    products_event = next(
        m for m in result.asset_materializations_for_node("products") if m.asset_key.path == ["products"]
    )
    assert products_event.metadata["encoding"].value == "cp949"
    schema = products_event.metadata["dagster/column_schema"].value
    assert {column.name for column in schema.columns} >= {"product_id", "category", "price", "review_count"}
    assert (tmp_path / "assets" / "report_bullets.parquet").is_file()


def test_dirty_catalogue_fails_the_quarantine_check_but_keeps_every_row(tmp_path: Path) -> None:
    frame = inject_defects(generate_products(n_products=200, seed=3), seed=1)
    csv_path = write_products_csv(frame, tmp_path / "dirty.csv")
    result = _materialize(tmp_path, csv_path, max_quarantine_ratio=0.001)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["products_quarantine_ratio"].passed
    events = {tuple(m.asset_key.path): m for m in result.asset_materializations_for_node("products")}
    valid = events[("products",)].metadata["dagster/row_count"].value
    quarantined = events[("products_quarantine",)].metadata["dagster/row_count"].value
    assert quarantined > 0 and valid + quarantined == len(frame)
    assert evaluations["report_bullets_valid_and_faithful"].passed


def test_every_catalog_check_has_a_description() -> None:
    from assets.catalog import checks

    specs = [
        spec
        for check in (
            checks.products_quarantine_ratio,
            checks.products_required_columns,
            checks.category_metrics_consistent,
            checks.report_bullets_valid_and_faithful,
        )
        for spec in check.check_specs
    ]
    assert len(specs) == 4 and all(spec.description and len(spec.description) > 20 for spec in specs)
