"""Declarative automation end to end on a real (temporary) instance, one tick at a time.

Each tick does what the daemon does: the raw documents sensor keeps the partitions equal to the folder
(and launches what it requests), then the automation conditions are evaluated and what they request
is materialized. A new document reaches its questions and answers by itself; a removed one
disappears from search results and from the answers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.definitions import defs, raw_documents_sensor
from resources.paths import PROJECT_ROOT
from resources.retriever_resource import RetrieverStore
from tests.pipeline import Tick, automation_tick, run_assets


def _sensor_tick(instance: dg.DagsterInstance, cursor: str | None) -> str | None:
    """Evaluate the raw documents sensor, apply its partition requests and run what it requested."""
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    result = raw_documents_sensor(context)
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
    for run in result.run_requests or []:
        job = defs.resolve_job_def(run.job_name or "documents_job")
        keys = [run.partition_key] if run.partition_key else None
        assert run_assets(
            instance, assets=[a.to_user_string() for a in job.asset_layer.selected_asset_keys], partition_keys=keys
        ).success
    return result.cursor


def _tick(
    instance: dg.DagsterInstance, sensor_cursor: str | None, automation_cursor: object
) -> tuple[str | None, Tick]:
    sensor_cursor = _sensor_tick(instance, sensor_cursor)
    tick = automation_tick(instance, automation_cursor)
    assert tick.result is None or tick.result.success
    return sensor_cursor, tick


def _settle(
    instance: dg.DagsterInstance, sensor_cursor: str | None, automation_cursor: object
) -> tuple[str | None, object, set[str]]:
    """Ticks until nothing more is requested (at most five); returns the cursors and every asset run."""
    requested: set[str] = set()
    for _ in range(5):
        sensor_cursor, tick = _tick(instance, sensor_cursor, automation_cursor)
        automation_cursor = tick.cursor
        if not tick.requested:
            return sensor_cursor, automation_cursor, requested
        requested |= set(tick.requested)
    raise AssertionError(f"automation did not settle in five ticks: {requested}")


def _answers(root: Path, key: str) -> pd.DataFrame:
    return pd.read_parquet(root / "artifacts" / "assets" / "teacher_answers" / f"{key}.parquet")


def test_documents_flow_to_answers_and_removed_ones_disappear(small_data: Path) -> None:
    raw = small_data / "data" / "raw_docs"
    with dg.DagsterInstance.ephemeral() as instance:
        sensor_cursor = _sensor_tick(instance, None)  # the folder's documents become partitions
        assert run_assets(instance).success  # what `kodistill demo` runs once
        keys = instance.get_dynamic_partitions("documents")
        sensor_cursor, tick = _tick(instance, sensor_cursor, None)
        assert tick.requested == {}  # everything is fresh: nothing runs

        present = {path.name for path in raw.iterdir()}
        extra = sorted(p for p in (PROJECT_ROOT / "data" / "raw_docs").iterdir() if p.name not in present)[0]
        shutil.copy(extra, raw / extra.name)
        sensor_cursor, cursor, requested = _settle(instance, sensor_cursor, tick.cursor)
        (new_key,) = set(instance.get_dynamic_partitions("documents")) - set(keys)
        assert {"documents", "chunks", "bm25_index", "synthetic_questions", "teacher_answers"} <= requested
        new_answers = _answers(small_data, new_key)
        assert len(new_answers) > 0 and (new_answers["status"] == "answered").all()
        store = RetrieverStore()
        assert new_key in set(store.load().doc_ids)

        (raw / extra.name).unlink()
        sensor_cursor, cursor, requested = _settle(instance, sensor_cursor, cursor)
        assert new_key not in instance.get_dynamic_partitions("documents")
        assert {"synthetic_questions", "teacher_answers"} <= requested
        retriever = store.load()
        assert new_key not in set(retriever.doc_ids)
        hits = retriever.search(new_answers["question"].iloc[0], k=5)
        assert all(hit.doc_id != new_key for hit in hits)
        for key in instance.get_dynamic_partitions("documents"):
            used = {
                hit["doc_id"] for retrieved in _answers(small_data, key)["retrieved"] for hit in json.loads(retrieved)
            }
            assert new_key not in used, key


def test_chunks_leave_out_documents_not_materialized_yet(small_data: Path) -> None:
    """A partition added but not read yet does not fail the knowledge chain; it is listed as pending."""
    with dg.DagsterInstance.ephemeral() as instance:
        _sensor_tick(instance, None)  # adds the partitions (runs nothing for a first sight of the folder)
        keys = instance.get_dynamic_partitions("documents")
        assert run_assets(instance, assets=["documents"], partition_keys=keys[:2]).success
        result = run_assets(instance, assets=["chunks"])
    assert result.success
    metadata = result.asset_materializations_for_node("chunks")[0].metadata
    assert metadata["documents_pending"].value == sorted(keys[2:])
