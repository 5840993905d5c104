"""End to end: simulated feedback → the retraining sensor fires once → the retraining run trains, evaluates
and gates a new student version on the feedback (ci preset), with the gate's decision and reason recorded."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.feedback.simulate import simulate_feedback
from orchestration.definitions import defs
from resources.feedback_resource import FeedbackStoreResource
from resources.machine_load import MachineLoad
from resources.mlflow_resource import MlflowTracking
from sensors.feedback import build_feedback_retraining_sensor
from tests.pipeline import materialize_folder


def _calm() -> MachineLoad:
    return MachineLoad(cpu_percent=5, memory_percent=10, gpu_percent=None)


def _materialized(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return event.materialization.metadata


@pytest.mark.slow
def test_simulated_feedback_triggers_one_retraining_that_evaluates_a_new_version(small_data: Path) -> None:
    store = FeedbackStoreResource()
    sensor = build_feedback_retraining_sensor(load_reader=_calm)
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_folder(instance, small_data).success  # the main job: student v1 (ci preset)
        store.get().add_feedback(simulate_feedback(60, small_data / "data", seed=3))
        approved = store.get().stats().approved
        assert approved >= 50, f"the simulation approved only {approved} of 60 rows"

        first = sensor(dg.build_sensor_context(instance=instance, resources={"feedback_store": store}))
        (request,) = first.run_requests
        again = sensor(dg.build_sensor_context(instance=instance, cursor=None, resources={"feedback_store": store}))
        assert [r.run_key for r in again.run_requests] == [request.run_key]  # same rows → same run_key

        run = defs.resolve_job_def("retraining_job").execute_in_process(
            instance=instance, tags=dict(request.tags), raise_on_error=False
        )
        assert run.success
        examples = run.output_for_node("feedback_examples")
        assert len(examples) > 0 and examples["feedback_id"].max() <= int(request.tags["kodistill/feedback_up_to_id"])
        sft = run.output_for_node("sft_dataset")
        assert (sft["task"] == "feedback").sum() == len(examples)
        evaluation = _materialized(run, "student_evaluation")
        assert "mlflow_run_id" in evaluation
        decision = _materialized(run, "champion_model")
        assert decision["decision"].value in {"promoted", "kept current champion"} and decision["reason"].value
        tracking = MlflowTracking()
        versions = tracking.client().search_model_versions(f"name='{tracking.registered_model}'")
        assert len(versions) == 2  # v1 from the main job, v2 from the retraining run (promoted or not)
