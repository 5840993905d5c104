"""Test helpers that run the code location in process: the whole graph over every document, a subset,
and one automation tick (evaluate every automation condition, then materialize what it requested)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs
from orchestration.demo import partition_range_tags
from orchestration.partitions import sync_document_partitions

MAIN_JOB = "all_assets_job"


def checks_of(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """Every check evaluation of a run: "asset:check" -> passed."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed for e in result.get_asset_check_evaluations()}


def with_resources(definitions: dg.Definitions, resources: Mapping[str, object]) -> dg.Definitions:
    """The same definitions with some resources replaced (fakes in tests)."""
    return dg.Definitions(
        assets=definitions.assets,
        asset_checks=definitions.asset_checks,
        jobs=definitions.jobs,
        sensors=definitions.sensors,
        resources={**definitions.resources, **resources},
        executor=definitions.executor,
    )


def run_assets(
    instance: dg.DagsterInstance,
    assets: Sequence[str] | None = None,
    partition_keys: Sequence[str] | None = None,
    resources: Mapping[str, object] | None = None,
    run_config: Mapping[str, object] | None = None,
    definitions: dg.Definitions = defs,
) -> dg.ExecuteInProcessResult:
    """One in-process run of the main job (or the selected assets) over `partition_keys` (default: all)."""
    known = instance.get_dynamic_partitions("documents")
    wanted = set(known if partition_keys is None else partition_keys)
    ordered = [key for key in known if key in wanted]
    if resources:
        definitions = with_resources(definitions, resources)
    job = definitions.resolve_job_def(MAIN_JOB)
    selection = [dg.AssetKey(name) for name in assets] if assets else None
    return job.execute_in_process(
        instance=instance,
        tags=partition_range_tags(ordered),
        asset_selection=selection,
        run_config=dict(run_config or {}),
        raise_on_error=False,
    )


def materialize_folder(instance: dg.DagsterInstance, root: Path, **options: object) -> dg.ExecuteInProcessResult:
    """Sync the document partitions with root/data/raw_docs, then run every asset over all of them."""
    sync_document_partitions(instance, root / "data" / "raw_docs")
    return run_assets(instance, **options)


@dataclass
class Tick:
    """What one automation tick requested (asset -> partitions) and the run that materialized it."""

    requested: dict[str, set[str | None]]
    result: dg.ExecuteInProcessResult | None
    cursor: object


def automation_tick(instance: dg.DagsterInstance, cursor: object = None) -> Tick:
    """Evaluate the automation conditions like the automation sensor does, then run what was requested."""
    evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    graph = defs.resolve_asset_graph()
    requested = {
        key.to_user_string(): set(evaluation.get_requested_partitions(key))
        for key in graph.get_all_asset_keys()
        if evaluation.get_requested_partitions(key)
    }
    if not requested:
        return Tick({}, None, evaluation.cursor)
    partitions = {p for keys in requested.values() for p in keys if p is not None}
    result = run_assets(instance, assets=sorted(requested), partition_keys=sorted(partitions) or None)
    return Tick(requested, result, evaluation.cursor)
