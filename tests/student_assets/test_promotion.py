"""The champion gate as a pure rule, and both ways against a temporary MLflow registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.distillation.promotion import decide_promotion
from resources.mlflow_resource import MlflowTracking
from resources.model_registry import (
    PRUNED_TAG,
    alias_version,
    champion_version,
    promote,
    prune_artifacts,
    register_version,
    set_score,
)


def test_first_model_needs_the_floor() -> None:
    assert decide_promotion(0.30, None, margin=0.05, floor=0.2).promote
    refused = decide_promotion(0.10, None, margin=0.05, floor=0.2)
    assert not refused.promote and "floor" in refused.reason


def test_margin_rule_is_relative_to_the_champion() -> None:
    assert decide_promotion(0.525, 0.50, margin=0.05, floor=0.0).promote  # exactly 5% better
    assert not decide_promotion(0.52, 0.50, margin=0.05, floor=0.0).promote  # 4% better
    assert decide_promotion(0.52, 0.50, margin=0.0, floor=0.0).promote
    assert not decide_promotion(float("nan"), None, margin=0.05, floor=0.0).promote
    with pytest.raises(ValueError, match="margin"):
        decide_promotion(0.5, 0.4, margin=-0.1, floor=0.0)


def _logged_version(store: MlflowTracking, tmp_path: Path, label: str, score: float) -> str:
    folder = tmp_path / label
    folder.mkdir()
    (folder / "weights.txt").write_text(label, encoding="utf-8")
    with store.start_run(label, {"dagster.asset_key": "student_model"}) as run:
        source = run.log_dir(folder, "model")
    client = store.client()
    version = register_version(client, store.registered_model, source, run.run_id)
    set_score(client, store.registered_model, version, score)
    return version


def _gate(store: MlflowTracking, version: str, score: float) -> bool:
    client = store.client()
    current = champion_version(client, store.registered_model)
    decision = decide_promotion(score, current.score if current else None, margin=0.05, floor=0.1)
    if decision.promote:
        promote(client, store.registered_model, version)
    return decision.promote


def test_gate_both_ways_against_a_temporary_registry(mlflow_store: MlflowTracking, tmp_path: Path) -> None:
    name, client = mlflow_store.registered_model, mlflow_store.client()
    first = _logged_version(mlflow_store, tmp_path, "first", 0.40)
    assert _gate(mlflow_store, first, 0.40)
    assert champion_version(client, name).version == first and alias_version(client, name, "previous") is None

    slightly = _logged_version(mlflow_store, tmp_path, "slightly", 0.41)  # +2.5%: not enough
    assert not _gate(mlflow_store, slightly, 0.41)
    assert champion_version(client, name).version == first

    clearly = _logged_version(mlflow_store, tmp_path, "clearly", 0.50)  # +25%
    assert _gate(mlflow_store, clearly, 0.50)
    assert champion_version(client, name).version == clearly
    assert alias_version(client, name, "previous").version == first
    assert champion_version(client, name).score == pytest.approx(0.50)

    # Keep one: the un-aliased 'slightly' loses its artifacts, champion and previous keep theirs.
    pruned = prune_artifacts(client, name, keep=1)
    assert pruned == [slightly]
    assert client.get_model_version(name, slightly).tags[PRUNED_TAG] == "true"
    for kept in (first, clearly):
        source = client.get_model_version(name, kept).source
        assert Path(source.removeprefix("file://")).joinpath("weights.txt").is_file()
    assert prune_artifacts(client, name, keep=1) == []
