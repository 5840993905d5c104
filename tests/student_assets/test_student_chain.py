"""`materialize` of the distillation group on the `ci` preset: train, evaluate, gate, bullets by the champion.

The first run's champion floor is 0 so the miniature model is promoted and then asked to write the report
bullets (its output is not valid bullets JSON, so every category falls back to the template, recorded);
the second run evaluates a new version against that champion and the gate's decision is re-verified.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.distillation.student_presets import STUDENT_CI
from orchestration.partitions import sync_document_partitions
from resources.mlflow_resource import DAGSTER_ASSET_TAG, DAGSTER_RUN_TAG, MlflowTracking
from resources.model_registry import alias_version, champion_version
from tests.pipeline import checks_of, run_assets

STUDENT_CHAIN = ["sft_dataset", "student_model", "student_evaluation", "champion_model", "report_bullets"]
EXPECTED_CHECKS = [
    "sft_dataset:sft_splits_valid",
    "student_model:finite_loss",
    "student_model:validation_loss_below_untrained",
    "champion_model:margin_rule",
]


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return event.materialization.metadata


@pytest.mark.slow
def test_distillation_group_on_the_ci_preset(small_data: Path) -> None:
    tracking = MlflowTracking()
    with dg.DagsterInstance.ephemeral() as instance:
        sync_document_partitions(instance, small_data / "data" / "raw_docs")
        # A run config replaces the job's default `ops` as a whole: the ci preset plus the floor.
        ops = {**STUDENT_CI["ops"], "champion_model": {"config": {"floor": 0.0}}}
        first = run_assets(instance, run_config={"ops": ops})
        assert first.success
        checks = checks_of(first)
        assert all(checks[name] for name in EXPECTED_CHECKS), checks
        assert checks["report_bullets:report_bullets_valid_and_faithful"]

        client = tracking.client()
        assert champion_version(client, tracking.registered_model).version == "1"
        table = first.output_for_node("student_evaluation")
        assert {"student", "untrained student", "teacher", "trivial baseline"} <= set(table.system)
        teacher = table[table.system == "teacher"].iloc[0]
        assert teacher.bullets_pass_rate == 1.0 and teacher.qa_morpheme_f1 == 1.0
        assert json.loads(table[table.system == "student"].iloc[0].by_type)  # per question type
        decision = _metadata(first, "champion_model")
        assert decision["decision"].value == "promoted"
        bullets = _metadata(first, "report_bullets")
        assert bullets["bullets_model"].value == "champion v1"
        payloads = first.output_for_node("report_bullets")
        written = set(bullets["student_categories"].value)
        assert {row.category for row in payloads.itertuples() if row.generatedBy == "student"} == written
        for name in ("student_model", "student_evaluation"):
            run_id = _metadata(first, name)["mlflow_run_id"].value
            tags = client.get_run(run_id).data.tags
            assert tags[DAGSTER_RUN_TAG] == first.run_id and tags[DAGSTER_ASSET_TAG] == name

        second = run_assets(instance, assets=STUDENT_CHAIN)
        assert second.success
        assert all(checks_of(second)[name] for name in EXPECTED_CHECKS)
        table = second.output_for_node("student_evaluation")
        assert "champion" in set(table.system)
        decision = _metadata(second, "champion_model")
        champion = champion_version(client, tracking.registered_model)
        if decision["decision"].value == "promoted":
            assert (
                champion.version == "2" and alias_version(client, tracking.registered_model, "previous").version == "1"
            )
        else:
            assert champion.version == "1"
