"""Materializing the matching group in process with its checks, a selection log that teaches nicknames, and a
degraded second run that the floor and no-regression checks catch; the selection sensor's run requests."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.matching.assets import item_index, item_master, learned_aliases, matching_eval
from assets.matching.checks import floor_failures, matching_accuracy_floor, matching_no_regression, regressions
from orchestration.jobs import matching_job
from resources.feedback.records import SelectionLog
from resources.matching.queries import nickname_history
from resources.matching_resource import ItemIndexStore, SelectionLogResource
from resources.settings import ProjectPaths
from sensors.matching import build_selection_sensor, evaluate_selection_log
from tests.matching.conftest import copy_items
from tests.matching.memory_log import MemorySelectionLog

LOGS: dict[str, MemorySelectionLog] = {}


class MemorySelectionLogResource(SelectionLogResource):
    """The selection-log resource backed by an in-memory log (tests only)."""

    name: str = "default"

    def source(self) -> MemorySelectionLog:
        return LOGS[self.name]


RUN_CONFIG = {
    "ops": {
        "matching_eval": {"config": {"per_type": 20}},
        "item_index": {"config": {"calibration_per_type": 30}},
    }
}


def _materialize(instance: dg.DagsterInstance, root: Path, store: ItemIndexStore) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [item_master, learned_aliases, item_index, matching_eval, matching_accuracy_floor, matching_no_regression],
        instance=instance,
        resources={
            "paths": ProjectPaths(data_dir=str(root / "data"), artifacts_dir=str(root / "artifacts")),
            "index_store": store,
            "selection_log": MemorySelectionLogResource(name="group"),
        },
        run_config=RUN_CONFIG,
        raise_on_error=False,
    )


@pytest.mark.slow
def test_materialize_group_with_checks(tmp_path: Path, items) -> None:
    copy_items(tmp_path)
    LOGS["group"] = MemorySelectionLog()
    LOGS["group"].add_selections(nickname_history(items, seed=12))
    folder = tmp_path / "artifacts" / "matching" / "item_index"
    instance = dg.DagsterInstance.ephemeral()

    good = _materialize(instance, tmp_path, ItemIndexStore(directory=str(folder)))
    assert good.success
    checks = {e.check_name: e for e in good.get_asset_check_evaluations()}
    assert checks["matching_accuracy_floor"].passed and checks["matching_no_regression"].passed
    eval_metadata = good.asset_materializations_for_node("matching_eval")[0].metadata
    by_type = eval_metadata["hybrid_by_type"].value
    assert by_type["all"] >= 0.97 and by_type["nickname"] >= 0.9  # nicknames taught by the log
    assert "accuracy_plot" in eval_metadata and "accuracy_table" in eval_metadata
    learned_metadata = good.asset_materializations_for_node("learned_aliases")[0].metadata
    assert learned_metadata["selections"].value == 60 and learned_metadata["client_aliases"].value == 20
    assert (folder / "manifest.json").is_file()

    # Forcing every answer through the semantic stage degrades accuracy: both checks fail, naming the types.
    semantic_only = ItemIndexStore(directory=str(folder), threshold=1.0, semantic_min=0.0)
    worse = _materialize(instance, tmp_path, semantic_only)
    checks = {e.check_name: e for e in worse.get_asset_check_evaluations()}
    assert not checks["matching_no_regression"].passed
    assert "mixed" in checks["matching_no_regression"].metadata["regressions"].value
    index_metadata = worse.asset_materializations_for_node("item_index")[0].metadata
    assert index_metadata["embeddings_reused"].value is True  # same items and aliases: cached embeddings


def test_floor_and_regression_helpers() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        [
            {"mode": "hybrid", "noise": "typo", "accuracy_at_1": 0.5},
            {"mode": "rule", "noise": "typo", "accuracy_at_1": 1},
        ]
    )
    assert floor_failures(frame, {"typo": 0.9, "exact": 0.9}) == {
        "typo": "0.5 < 0.9",
        "exact": "missing from the evaluation",
    }
    assert regressions({"typo": 0.9, "exact": 1.0}, {"typo": 0.95, "exact": 1.0}, 0.02) == {"typo": "0.95 → 0.9"}


def test_selection_sensor_requests_a_run_per_batch_of_new_selections(items) -> None:
    log = MemorySelectionLog()
    log.add_selections([SelectionLog("lc 말보로", items[0].item_no)] * 3)
    skip, cursor = evaluate_selection_log(log, 0, min_new=5)
    assert isinstance(skip, dg.SkipReason) and cursor == 0
    log.add_selections([SelectionLog("lc 말보로", items[0].item_no)] * 3)
    request, cursor = evaluate_selection_log(log, 0, min_new=5)
    assert isinstance(request, dg.RunRequest) and request.run_key == "selections:5" and cursor == 5
    again, cursor_after = evaluate_selection_log(log, cursor, min_new=5)
    assert isinstance(again, dg.SkipReason) and cursor_after == 5

    LOGS["sensor"] = log
    sensor = build_selection_sensor(matching_job, min_new=5)
    context = dg.build_sensor_context(
        cursor="0", resources={"selection_log": MemorySelectionLogResource(name="sensor")}
    )
    result = sensor(context)
    assert isinstance(result, dg.RunRequest) and result.run_key == "selections:5"
    assert context.cursor == "5"
