"""The code location loads: every asset has a group, kinds and a description; jobs resolve."""

from __future__ import annotations

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
