#!/usr/bin/env bash
# Lint and format check (ruff, configured in pyproject.toml); needs the .venv made by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
