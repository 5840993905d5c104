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
echo "==> installing dependencies with uv (torch CPU build, kodistill[dev])"
# uv installs the same packages in about half pip's time (docs/benchmarks.md). It does not read pip's
# configuration, so scripts/uv_pip_args.py passes on the indexes, find-links, constraints and CA bundle pip
# would use. torch==2.13.0 is named: the range in pyproject.toml is satisfied and no multi-GB CUDA build is pulled.
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.9,<1"
UV_ARGS=()
while IFS= read -r line; do
  case "$line" in
    SSL_CERT_FILE=*) export SSL_CERT_FILE="${line#SSL_CERT_FILE=}" ;;
    ?*) UV_ARGS+=("$line") ;;
  esac
done < <(.venv/bin/python scripts/uv_pip_args.py)
if ! .venv/bin/uv pip install --quiet --python .venv/bin/python --compile-bytecode \
    --index-strategy unsafe-best-match ${UV_ARGS[@]+"${UV_ARGS[@]}"} "torch==2.13.0" -e ".[dev]"; then
  echo "==> uv could not install the dependencies (above); installing them with pip instead"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
fi

export DAGSTER_HOME="$PWD/.dagster_home"
mkdir -p "$DAGSTER_HOME"
cp deploy/local/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
.venv/bin/dagster instance concurrency set gpu 1 >/dev/null
# MLflow tracking + registry: project-local SQLite store and artifacts in .mlflow/ (MLFLOW_TRACKING_URI overrides).
.venv/bin/python -c "from resources.mlflow_resource import MlflowTracking as M; m = M(); m.experiment_id(m.client())" \
    2>/dev/null
echo "==> environment ready: .venv, DAGSTER_HOME=$DAGSTER_HOME, MLflow: ${MLFLOW_TRACKING_URI:-sqlite:///$PWD/.mlflow/mlflow.db}"
