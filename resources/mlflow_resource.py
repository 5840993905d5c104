"""MLflow tracking and registry as a typed Dagster resource (`MlflowTracking`), one MLflow run per asset step.

Why not `dagster-mlflow`: its `mlflow_tracking` is a function-style `@resource` with a config
schema (not a `ConfigurableResource`), it keeps one MLflow run for the whole Dagster run in MLflow's
process-global state, and its `end_mlflow_on_run_finished` hook ends that run when the op that is
*last in topological order* succeeds — in an asset job with several branches that op may finish
before others (their logging then lands on a finished run), and in a subset run it may never run.
Here every training / evaluation step opens its own run through `MlflowClient` (no global state),
tagged with the Dagster run id and asset key, and ends it FINISHED or FAILED when the step ends.

Default store: `sqlite:///<project>/.mlflow/mlflow.db` with artifacts in `<project>/.mlflow/artifacts`
(git-ignored, created by `scripts/setup.sh`); `MLFLOW_TRACKING_URI` or the `tracking_uri` field
override it. `ui_command()` is the `mlflow ui` line that shows the same store.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from resources.paths import PROJECT_ROOT

DAGSTER_RUN_TAG = "dagster.run_id"
DAGSTER_ASSET_TAG = "dagster.asset_key"
DEFAULT_HOME = PROJECT_ROOT / ".mlflow"
REGISTERED_MODEL = "kodistill-student"


def default_tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI` when set, else the project-local SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{DEFAULT_HOME / 'mlflow.db'}"


@dataclass
class TrackedRun:
    """One open MLflow run: log through it; `run_id` and `url` go into the asset's metadata."""

    client: Any
    run_id: str
    experiment_id: str
    url: str

    def log_params(self, params: Mapping[str, Any]) -> None:
        for key, value in params.items():
            self.client.log_param(self.run_id, key, "" if value is None else str(value)[:6000])

    def log_metric(self, name: str, value: float, step: int = 0) -> None:
        """One metric value; NaN/inf are skipped (MLflow's SQL store rejects them) and logged as a tag."""
        if value is None or not math.isfinite(float(value)):
            self.client.set_tag(self.run_id, f"non_finite.{name}", str(value))
            return
        self.client.log_metric(self.run_id, name, float(value), step=step)

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0) -> None:
        for name, value in metrics.items():
            self.log_metric(name, value, step)

    def log_dir(self, local_dir: str | Path, artifact_path: str) -> str:
        """Upload a folder; returns its artifact URI (what a registered model version points at)."""
        self.client.log_artifacts(self.run_id, str(local_dir), artifact_path)
        return f"{self.client.get_run(self.run_id).info.artifact_uri}/{artifact_path}"

    def log_file(self, local_path: str | Path, artifact_path: str | None = None) -> None:
        self.client.log_artifact(self.run_id, str(local_path), artifact_path)

    def log_json(self, obj: Any, file_name: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / file_name
            path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            self.client.log_artifact(self.run_id, str(path))

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        for key, value in tags.items():
            self.client.set_tag(self.run_id, key, str(value))


class MlflowTracking(dg.ConfigurableResource):
    """MLflow tracking + model registry (SQLite and local artifacts by default)."""

    tracking_uri: str = Field(
        default="",
        description="MLflow tracking/registry URI; empty: MLFLOW_TRACKING_URI "
        "or sqlite:///<project>/.mlflow/mlflow.db.",
    )
    artifact_root: str = Field(
        default="",
        description="Artifact folder of a newly created experiment; empty: "
        "<folder of the SQLite file>/artifacts (or the server's default).",
    )
    experiment: str = Field(default="kodistill", description="MLflow experiment that holds the runs.")
    registered_model: str = Field(default=REGISTERED_MODEL, description="Registered model name of the student.")
    ui_port: int = Field(default=5000, description="Port used in the `mlflow ui` address written to metadata.")

    def uri(self) -> str:
        return self.tracking_uri or default_tracking_uri()

    def _artifact_location(self) -> str | None:
        if self.artifact_root:
            return Path(self.artifact_root).resolve().as_uri()
        uri = self.uri()
        if uri.startswith("sqlite:///"):
            return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").resolve().as_uri()
        return None

    def store_exists(self) -> bool:
        """False only for a SQLite store whose file does not exist yet (nothing was ever tracked there)."""
        uri = self.uri()
        return not uri.startswith("sqlite:///") or Path(uri.removeprefix("sqlite:///")).is_file()

    def client(self) -> Any:
        """An `MlflowClient` on this store (the SQLite file's folder is created when missing)."""
        from mlflow import MlflowClient

        uri = self.uri()
        if uri.startswith("sqlite:///"):
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return MlflowClient(tracking_uri=uri, registry_uri=uri)

    def experiment_id(self, client: Any) -> str:
        found = client.get_experiment_by_name(self.experiment)
        if found is not None:
            return found.experiment_id
        return client.create_experiment(self.experiment, artifact_location=self._artifact_location())

    def ui_command(self) -> str:
        return f"mlflow ui --backend-store-uri {self.uri()} --port {self.ui_port}"

    def run_url(self, experiment_id: str, run_id: str) -> str:
        return f"http://127.0.0.1:{self.ui_port}/#/experiments/{experiment_id}/runs/{run_id}"

    @contextmanager
    def start_run(self, run_name: str, tags: Mapping[str, str] | None = None) -> Iterator[TrackedRun]:
        """Open a run; it ends FINISHED when the block ends, FAILED when it raises."""
        client = self.client()
        experiment_id = self.experiment_id(client)
        run = client.create_run(experiment_id, run_name=run_name, tags=dict(tags or {}))
        tracked = TrackedRun(client, run.info.run_id, experiment_id, self.run_url(experiment_id, run.info.run_id))
        try:
            yield tracked
        except BaseException:
            client.set_terminated(tracked.run_id, status="FAILED")
            raise
        client.set_terminated(tracked.run_id, status="FINISHED")

    @contextmanager
    def asset_run(self, context: dg.AssetExecutionContext) -> Iterator[TrackedRun]:
        """`start_run` tagged with the Dagster run id and the asset key, named after the asset."""
        asset_key = context.asset_key.to_user_string()
        tags = {DAGSTER_RUN_TAG: context.run_id, DAGSTER_ASSET_TAG: asset_key}
        with self.start_run(f"{asset_key}-{context.run_id[:8]}", tags) as run:
            yield run

    def link_metadata(self, run: TrackedRun) -> dict[str, Any]:
        """What an asset records so the UI user finds its MLflow run."""
        return {
            "mlflow_run_id": run.run_id,
            "mlflow_run_url": dg.MetadataValue.url(run.url),
            "mlflow_ui_command": self.ui_command(),
        }
