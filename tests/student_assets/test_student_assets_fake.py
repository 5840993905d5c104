"""The student chain's assets with a stand-in trainer/generator (`fake_student`): MLflow runs and tags, the
registered version, the evaluation table, the gate both ways and report_bullets asking the champion."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.partitions import sync_document_partitions
from orchestration.student_summary import student_lines
from resources.mlflow_resource import DAGSTER_ASSET_TAG, DAGSTER_RUN_TAG, MlflowTracking
from resources.model_registry import alias_version, champion_version
from tests.pipeline import checks_of, run_assets
from tests.student_assets import fake_student

CHAIN = ["sft_dataset", "student_model", "student_evaluation", "champion_model", "report_bullets"]
UPSTREAM = [
    "documents",
    "chunks",
    "bm25_index",
    "dense_index",
    "synthetic_questions",
    "teacher_answers",
    "feedback_examples",
]
CONFIG = {
    "sft_dataset": {"config": {"bullets_seeds": 3}},
    "student_model": {"config": {"sft_steps": 5}},
    "student_evaluation": {"config": {"max_qa_examples": 6, "max_bullets_examples": 2, "copy_from_prompt": True}},
}


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return event.materialization.metadata


def _run(instance: dg.DagsterInstance, assets: list[str], champion: dict) -> dg.ExecuteInProcessResult:
    return run_assets(instance, assets=assets, run_config={"ops": {**CONFIG, "champion_model": {"config": champion}}})


@pytest.mark.slow
def test_chain_registers_evaluates_and_gates(small_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_student.install(monkeypatch)
    tracking = MlflowTracking()
    with dg.DagsterInstance.ephemeral() as instance:
        sync_document_partitions(instance, small_data / "data" / "raw_docs")
        # A floor above any reachable score: nothing is promoted, report_bullets stays templated.
        refused = _run(
            instance, [*UPSTREAM, *CHAIN, "category_metrics", "products", "products_quarantine"], {"floor": 1.0}
        )
        assert refused.success, [e.event_specific_data for e in refused.all_events if e.is_step_failure]
        checks = checks_of(refused)
        assert checks["champion_model:margin_rule"] and checks["student_model:validation_loss_below_untrained"]
        assert _metadata(refused, "champion_model")["decision"].value == "kept current champion"
        client = tracking.client()
        assert champion_version(client, tracking.registered_model) is None
        assert _metadata(refused, "report_bullets")["bullets_model"].value == "template"

        table = refused.output_for_node("student_evaluation").set_index("system")
        assert table.loc["student", "qa_span_containment"] == table.loc["trivial baseline", "qa_span_containment"]
        assert table.loc["untrained student", "qa_morpheme_f1"] == 0.0
        assert table.loc["student", "bullets_fallback_rate"] == 1.0 and table.loc["teacher", "bullets_pass_rate"] == 1
        assert table.loc["student", "tokens_per_second"] == 123.0
        # the fake never writes valid bullets: the new student used every attempt, the untrained one its first only
        assert table.loc["student", "bullets_mean_attempts"] == 4.0
        assert table.loc["untrained student", "bullets_mean_attempts"] == 1.0
        assert table.loc["student", "bullets_first_attempt_pass_rate"] == 0.0
        free = table.loc["student, free decoding"]  # with copying from the prompt on, free decoding is shown too
        assert free.bullets_fallback_rate == 1.0 and free.qa_span_containment != free.qa_span_containment  # no QA
        assert (
            "student_free_decoding.bullets_pass_rate"
            in client.get_run(_metadata(refused, "student_evaluation")["mlflow_run_id"].value).data.metrics
        )
        run_id = _metadata(refused, "student_model")["mlflow_run_id"].value
        run = client.get_run(run_id)
        assert run.data.tags[DAGSTER_RUN_TAG] == refused.run_id and run.data.tags[DAGSTER_ASSET_TAG] == "student_model"
        assert [m.value for m in client.get_metric_history(run_id, "train_loss")] == [4.0, 3.5, 3.0, 2.5, 2.0]
        assert client.get_model_version(tracking.registered_model, "1").run_id == run_id

        # Floor 0: version 2 becomes the first champion and writes (falls back for) the bullets.
        promoted = _run(instance, CHAIN, {"floor": 0.0})
        assert promoted.success and checks_of(promoted)["champion_model:margin_rule"]
        assert champion_version(client, tracking.registered_model).version == "2"
        bullets = _metadata(promoted, "report_bullets")
        assert bullets["bullets_model"].value == "champion v2" and bullets["student_categories"].value == []
        assert len(bullets["fallback_reasons"].value) == len(promoted.output_for_node("report_bullets"))
        printed = "\n".join(student_lines(instance, promoted.run_id))
        assert "Champion gate: promoted" in printed and "champion now: v2" in printed
        templated = len(promoted.output_for_node("report_bullets"))
        assert f"Report bullets by champion v2: student wrote 0 categories, {templated} from the template" in printed
        assert "trivial baseline" in printed and "mlflow ui --backend-store-uri" in printed

        # Same fake model again: not 5% better than the champion it is compared with → kept.
        kept = _run(instance, CHAIN, {"floor": 0.0})
        assert "champion" in set(kept.output_for_node("student_evaluation").system)
        assert _metadata(kept, "champion_model")["decision"].value == "kept current champion"
        assert champion_version(client, tracking.registered_model).version == "2"
        assert alias_version(client, tracking.registered_model, "previous") is None
