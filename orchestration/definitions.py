"""The one `Definitions` of the kodistill code location: assets, checks, jobs, resources, executor."""

from __future__ import annotations

import dagster as dg

from assets.catalog import assets as catalog_assets
from assets.catalog import checks as catalog_checks
from orchestration.demo import Stage
from orchestration.jobs import ALL_JOBS
from resources.io_managers import AtomicParquetIOManager
from resources.settings import ProjectPaths, QualityThresholds

# forkserver starts each step in about 0.9 s instead of about 2 s with spawn (measured on the 2-core box).
DEFAULT_EXECUTOR = dg.multiprocess_executor.configured({"start_method": {"forkserver": {}}, "max_concurrent": 2})


def build_resources() -> dict[str, object]:
    """Resources with their offline defaults; override fields per deployment in run config or here."""
    return {
        "io_manager": AtomicParquetIOManager(),
        "paths": ProjectPaths(),
        "quality": QualityThresholds(),
    }


defs = dg.Definitions(
    assets=dg.load_assets_from_modules([catalog_assets]),
    asset_checks=dg.load_asset_checks_from_modules([catalog_checks]),
    jobs=ALL_JOBS,
    resources=build_resources(),
    executor=DEFAULT_EXECUTOR,
)

# The main job of the demo: every asset, in dependency order (partitioned stages once per partition).
DEMO_STAGES: list[Stage] = [Stage("catalog_job")]
