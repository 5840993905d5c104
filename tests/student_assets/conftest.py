"""Fixtures of the student-assets tests: one temporary MLflow store (SQLite + local artifacts) per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.mlflow_resource import MlflowTracking
from tests.catalog.conftest import small_products_csv  # noqa: F401 - the hand-made catalogue fixture


@pytest.fixture(scope="module")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> MlflowTracking:
    """A tracking resource on a fresh SQLite store (creating its tables takes a few seconds: once per module)."""
    root: Path = tmp_path_factory.mktemp("mlflow")
    tracking = MlflowTracking(tracking_uri=f"sqlite:///{root / 'mlflow.db'}", registered_model="test-student")
    tracking.experiment_id(tracking.client())
    return tracking
