#!/usr/bin/env bash
# Create .venv (Python >= 3.11), install kodistill with its dev extras, and prepare the
# project-local Dagster instance in .dagster_home. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kodistill needs Python >= 3.11")'

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing dependencies (torch CPU build first, then kodistill[dev])"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# torch==2.13.0 first: the range in pyproject.toml is then satisfied and no multi-GB CUDA build is pulled.
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

export DAGSTER_HOME="$PWD/.dagster_home"
mkdir -p "$DAGSTER_HOME"
cp deploy/local/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
.venv/bin/dagster instance concurrency set gpu 1 >/dev/null
# MLflow tracking + registry: project-local SQLite store and artifacts in .mlflow/ (MLFLOW_TRACKING_URI overrides).
.venv/bin/python -c "from resources.mlflow_resource import MlflowTracking as M; m = M(); m.experiment_id(m.client())" \
    2>/dev/null
echo "==> environment ready: .venv, DAGSTER_HOME=$DAGSTER_HOME, MLflow: ${MLFLOW_TRACKING_URI:-sqlite:///$PWD/.mlflow/mlflow.db}"
