#!/usr/bin/env bash
# Set everything up, then run the whole test suite (unit, asset, sensor and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DAGSTER_HOME="$PWD/.dagster_home"
.venv/bin/python -m pytest "$@"
