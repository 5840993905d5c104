"""The code location loads: every asset has a group, kinds and a description; jobs resolve."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs


def test_definitions_load_and_resolve_jobs() -> None:
    repository = defs.get_repository_def()
    assert "catalog_job" in {job.name for job in repository.get_all_jobs()}
    defs.resolve_all_job_defs()


def test_every_asset_is_documented_grouped_and_kinded() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_external:
            continue
        assert node.group_name and node.group_name != "default", key
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.kinds, f"{key.to_user_string()} has no kinds"


def test_catalog_asset_keys() -> None:
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"products", "products_quarantine", "category_metrics", "report_bullets"} <= keys


def test_every_check_has_a_description() -> None:
    graph = defs.resolve_asset_graph()
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        assert spec.description, f"{check_key.asset_key.to_user_string()}:{check_key.name} has no description"


def test_generation_steps_use_the_gpu_pool_and_assets_are_versioned_and_automated() -> None:
    graph = defs.resolve_asset_graph()
    for name in ("synthetic_questions", "teacher_answers"):
        assert defs.resolve_assets_def(name).op.pool == "gpu", name
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.automation_condition is not None, f"{key.to_user_string()} has no automation condition"
        if node.group_name in ("knowledge", "distillation"):
            assert node.code_version, f"{key.to_user_string()} has no code_version"


def test_per_document_assets_run_as_one_backfill_step() -> None:
    for name in ("documents", "synthetic_questions", "teacher_answers"):
        policy = defs.resolve_assets_def(name).backfill_policy
        assert policy is not None and policy.max_partitions_per_run is None, name


def test_sensors_and_automation_are_on_by_default() -> None:
    for name in ("raw_documents_sensor", "products_csv_sensor", "kodistill_automation"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING, name


def test_the_project_instance_monitors_runs(tmp_path, monkeypatch) -> None:
    """A run whose process died is marked failed by the daemon instead of staying STARTED forever."""
    import shutil

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # the file stores runs under $DAGSTER_HOME

    from resources.paths import PROJECT_ROOT

    shutil.copy(PROJECT_ROOT / "deploy" / "local" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["poll_interval_seconds"] <= 60
        assert instance.auto_materialize_use_sensors
