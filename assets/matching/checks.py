"""Asset checks of the matching group: accuracy floors per noise type, and no regression against the previous run.

`matching_accuracy_floor` compares the hybrid's accuracy@1 per noise type (and overall) with
`DEFAULT_FLOORS`; `matching_no_regression` compares it with the previous materialization of
`matching_eval` (its `hybrid_by_type` metadata) and fails when a type drops by more than
`max_regression`. Both name the offending noise types.
"""

import dagster as dg
import pandas as pd

from assets.matching.assets import matching_eval
from assets.matching.config import DEFAULT_FLOORS, MatchingEvalConfig
from assets.metadata import readable


def floor_failures(frame: pd.DataFrame, floors: dict[str, float]) -> dict[str, str]:
    """Noise type → "accuracy < floor" for every hybrid row below its floor (a missing type fails too)."""
    hybrid = frame[frame["mode"] == "hybrid"].set_index("noise")["accuracy_at_1"]
    failures = {}
    for noise, floor in floors.items():
        if noise not in hybrid.index:
            failures[noise] = "missing from the evaluation"
        elif hybrid[noise] < floor:
            failures[noise] = f"{readable(float(hybrid[noise]))} < {floor}"
    return failures


def regressions(current: dict[str, float], previous: dict[str, float], tolerance: float) -> dict[str, str]:
    """Noise type → "previous → current" for every type whose accuracy dropped by more than `tolerance`."""
    return {
        noise: f"{previous[noise]} → {value}"
        for noise, value in current.items()
        if noise in previous and previous[noise] - value > tolerance
    }


@dg.asset_check(asset=matching_eval, description="Hybrid accuracy@1 per noise type is at or above its floor.")
def matching_accuracy_floor(matching_eval: pd.DataFrame) -> dg.AssetCheckResult:
    """Hybrid accuracy@1 per noise type meets `DEFAULT_FLOORS` (nickname has none: it needs a taught log)."""
    failures = floor_failures(matching_eval, DEFAULT_FLOORS)
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"below_floor": dg.MetadataValue.json(failures), "floors": dg.MetadataValue.json(DEFAULT_FLOORS)},
    )


def _hybrid_by_type(frame: pd.DataFrame) -> dict[str, float]:
    hybrid = frame[frame["mode"] == "hybrid"]
    return {row.noise: readable(float(row.accuracy_at_1)) for row in hybrid.itertuples()}


def _previous_by_type(instance: dg.DagsterInstance, current_run: str) -> dict[str, float] | None:
    records = instance.fetch_materializations(matching_eval.key, limit=5).records
    for record in records:
        if record.run_id != current_run and record.asset_materialization is not None:
            value = record.asset_materialization.metadata.get("hybrid_by_type")
            return dict(value.value) if value is not None else None
    return None


@dg.asset_check(asset=matching_eval, description="No noise type lost more than max_regression accuracy@1.")
def matching_no_regression(context: dg.AssetCheckExecutionContext, matching_eval: pd.DataFrame) -> dg.AssetCheckResult:
    """Hybrid accuracy@1 per noise type has not dropped below the previous materialization's by more than the
    tolerance (`MatchingEvalConfig.max_regression`, 0.02); the first materialization passes with nothing to compare."""
    tolerance = MatchingEvalConfig().max_regression
    current = _hybrid_by_type(matching_eval)
    previous = _previous_by_type(context.instance, context.run.run_id)
    dropped = regressions(current, previous or {}, tolerance)
    return dg.AssetCheckResult(
        passed=not dropped,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "previous": dg.MetadataValue.json(previous or {}),
            "current": dg.MetadataValue.json(current),
            "regressions": dg.MetadataValue.json(dropped),
            "tolerance": tolerance,
        },
    )
