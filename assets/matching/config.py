"""Settings of the matching group's assets (Dagster `Config` classes, set in the launchpad)."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

# Accuracy@1 floors of the hybrid per noise type; "nickname" needs a taught selection log, so no floor.
DEFAULT_FLOORS = {
    "exact": 0.97,
    "typo": 0.9,
    "abbreviation": 0.9,
    "english": 0.95,
    "mixed": 0.95,
    "spacing_removed": 0.95,
    "spacing_added": 0.95,
    "quantity": 0.97,
    "compound": 0.85,
    "all": 0.97,
}


class ItemIndexConfig(dg.Config):
    """How the index calibrates the rule stage."""

    calibration_seed: int = Field(default=1012, description="Seed of the calibration queries (never the eval seed).")
    calibration_per_type: int = Field(default=120, ge=10, description="Calibration queries per noise type.")
    calibration_items: int = Field(default=2000, ge=50, description="At most this many items are sampled for them.")


class MatchingEvalConfig(dg.Config):
    """The generated evaluation set and the regression tolerance."""

    seed: int = Field(default=12, description="Seed of the noisy query set.")
    per_type: int = Field(default=150, ge=5, description="Queries per noise type.")
    max_regression: float = Field(default=0.02, ge=0, le=1, description="Largest accuracy@1 drop allowed per type.")
