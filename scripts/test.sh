#!/usr/bin/env bash
# Set everything up, then run the whole test suite (unit, asset, sensor, automation and end-to-end tests).
# KODISTILL_SKIP_SETUP=1 skips the set-up when the caller has just run it (as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KODISTILL_SKIP_SETUP:-0}" != "1" ]; then
  bash scripts/setup.sh
fi
export DAGSTER_HOME="$PWD/.dagster_home"
# A throwaway PostgreSQL on 127.0.0.1 for the feedback store and Dagster-on-PostgreSQL tests (installed
# from the distribution's packages when missing; stopped on exit). If none can start, those tests skip.
source scripts/postgres.sh
kodistill_postgres_start || true
.venv/bin/python -m pytest "$@"
