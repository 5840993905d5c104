"""The MLflow resource: runs carry the Dagster tags, end FINISHED or FAILED, and point at the right UI address."""

from __future__ import annotations

import pytest

from resources.mlflow_resource import MlflowTracking, default_tracking_uri


def test_run_ends_finished_with_tags_metrics_and_params(mlflow_store: MlflowTracking) -> None:
    with mlflow_store.start_run("r", {"dagster.run_id": "abc", "dagster.asset_key": "student_model"}) as run:
        run.log_params({"steps": 3, "base": "builtin:tiny"})
        for step, loss in enumerate([3.0, 2.0, float("nan")]):
            run.log_metric("train_loss", loss, step)
        run.log_json({"a": 1}, "sample.json")
    stored = mlflow_store.client().get_run(run.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.tags["dagster.run_id"] == "abc" and stored.data.tags["dagster.asset_key"] == "student_model"
    assert stored.data.params == {"steps": "3", "base": "builtin:tiny"}
    history = mlflow_store.client().get_metric_history(run.run_id, "train_loss")
    assert [m.value for m in history] == [3.0, 2.0]
    assert stored.data.tags["non_finite.train_loss"] == "nan"
    assert run.url.endswith(f"/runs/{run.run_id}") and "mlflow ui --backend-store-uri sqlite:///" in (
        mlflow_store.ui_command()
    )


def test_run_ends_failed_when_the_step_raises(mlflow_store: MlflowTracking) -> None:
    with pytest.raises(RuntimeError), mlflow_store.start_run("boom") as run:
        raise RuntimeError("training diverged")
    assert mlflow_store.client().get_run(run.run_id).info.status == "FAILED"


def test_tracking_uri_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/m.db")
    assert default_tracking_uri() == "sqlite:////elsewhere/m.db"
    assert MlflowTracking().uri() == "sqlite:////elsewhere/m.db"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert default_tracking_uri().endswith(".mlflow/mlflow.db")
