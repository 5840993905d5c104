"""Jobs: one per asset group plus the job that materializes everything (the demo's main job)."""

from __future__ import annotations

import dagster as dg

catalog_job = dg.define_asset_job(
    name="catalog_job",
    selection=dg.AssetSelection.groups("catalog"),
    description="products_all.csv → products → category_metrics → report_bullets, with their checks.",
)

ALL_JOBS = [catalog_job]
