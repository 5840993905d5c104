#!/usr/bin/env bash
# Set everything up, then materialize every asset on the shipped data and print where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DAGSTER_HOME="$PWD/.dagster_home"
.venv/bin/kodistill demo
