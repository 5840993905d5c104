"""What the demo prints about the student after its run: training, the evaluation scores, the champion
decision and which categories the student wrote (read from the run's materialization metadata)."""

from __future__ import annotations

from typing import Any

import dagster as dg

STUDENT_ASSETS = ("student_model", "student_evaluation", "champion_model", "report_bullets")


def _materializations(instance: dg.DagsterInstance, run_id: str) -> dict[str, dict[str, Any]]:
    """Asset name → its metadata values (plain Python) for the student chain's materializations in the run."""
    found: dict[str, dict[str, Any]] = {}
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=1000)
    for record in records.records:
        materialization = record.event_log_entry.dagster_event.step_materialization_data.materialization
        name = materialization.asset_key.to_user_string()
        if name in STUDENT_ASSETS:
            found[name] = {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}
    return found


def student_lines(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Lines for the demo's printout (empty when the run did not reach the student)."""
    meta = _materializations(instance, run_id)
    lines = []
    if "student_model" in meta:
        m = meta["student_model"]
        lines.append(
            f"Student v{m['model_version']}: trained in {m['wall_seconds']} s ({m['tokens_per_second']} tokens/s), "
            f"validation loss {m['validation_loss']} vs untrained {m['untrained_validation_loss']}"
        )
    if "student_evaluation" in meta:
        lines += ["Test-split evaluation (score = mean of QA span containment, QA morpheme F1, bullets pass rate):"]
        lines += ["  " + row for row in str(meta["student_evaluation"]["summary"]).splitlines()]
    if "champion_model" in meta:
        c = meta["champion_model"]
        champion = "none" if c["champion_version"] == "none" else f"v{c['champion_version']}"
        lines.append(f"Champion gate: {c['decision']} — {c['reason']} (champion now: {champion})")
        lines.append(f"MLflow UI: {c['mlflow_ui_command']}")
    if "report_bullets" in meta:
        b = meta["report_bullets"]
        wrote = b.get("student_categories") or []
        templated = b.get("generated_by", {}).get("template", 0)
        lines.append(
            f"Report bullets by {b.get('bullets_model', 'template')}: student wrote {len(wrote)} categories"
            + (f" ({', '.join(wrote)})" if wrote else "")
            + (f", {templated} from the template" if templated else ", none from the template")
        )
    return lines
