"""Tests of the raw documents sensor: partitions follow the folder (new ones are left to automation),
runs follow content changes, and a removal runs the removal job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    AddDynamicPartitionsRequest,
    AssetKey,
    DagsterInstance,
    DeleteDynamicPartitionsRequest,
    DynamicPartitionsDefinition,
    SensorResult,
    asset,
    build_sensor_context,
    define_asset_job,
)

from assets.knowledge.documents import fingerprint, scan_documents
from sensors.documents import (
    DocumentCursor,
    build_document_sensor,
    diff_documents,
    plan_document_updates,
    run_key_for,
)

PARTITIONS = DynamicPartitionsDefinition(name="test_documents")


@asset(partitions_def=PARTITIONS)
def documents() -> None:
    """Stand-in for the real partitioned `documents` asset."""


@asset(deps=[documents])
def chunks() -> None:
    """Stand-in for the unpartitioned asset a removal must refresh."""


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


@pytest.fixture
def raw_docs(tmp_path: Path) -> Path:
    folder = tmp_path / "raw_docs"
    folder.mkdir()
    (folder / "payment_security_regulation.md").write_text("# 결제 보안 규정\n본문", encoding="utf-8")
    (folder / "faq.txt").write_text("자주 묻는 질문", encoding="utf-8")
    return folder


def make_sensor(folder: Path | None, **kwargs):
    return build_document_sensor(
        PARTITIONS,
        asset_selection=[AssetKey("documents")],
        raw_docs_dir=str(folder) if folder else None,
        scan_documents=scan_documents,
        fingerprint=fingerprint,
        **kwargs,
    )


def tick(sensor, instance: DagsterInstance, cursor: str | None) -> SensorResult:
    """Evaluate once and apply the partition requests to the instance, as the daemon would."""
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
    return result


def fingerprints_in(cursor: str | None) -> dict[str, str]:
    return DocumentCursor.from_json(cursor).fingerprints


def requests_of(result: SensorResult, kind: type) -> list[str]:
    return [key for r in result.dynamic_partitions_requests or [] if isinstance(r, kind) for key in r.partition_keys]


# -------------------------------------------------------------------------------------- pure


def test_diff_documents() -> None:
    changes = diff_documents({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert (changes.new, changes.changed, changes.removed) == (("d",), ("b",), ("c",))
    assert changes.to_run == ("b", "d")
    assert diff_documents({}, {}) == diff_documents({"a": "1"}, {"a": "1"})


def test_plan_reconciles_with_existing_partitions() -> None:
    plan = plan_document_updates(
        previous=DocumentCursor({"a": "f1", "gone": "f2"}, {"a": 0, "gone": 3}),
        current={"a": "f1", "b": "f3", "lost": "f4"},
        existing_partitions=["a", "gone", "stray"],
    )
    assert plan.add_partitions == ["b", "lost"]
    assert plan.delete_partitions == ["gone", "stray"]
    assert plan.reasons == {"b": "new", "lost": "new"}
    assert plan.cursor.fingerprints == {"a": "f1", "b": "f3", "lost": "f4"}
    assert plan.cursor.revisions == {"a": 0, "b": 0, "gone": 3, "lost": 0}  # "gone" keeps its count
    restored = plan_document_updates(DocumentCursor({"a": "f1"}), {"a": "f1"}, existing_partitions=[])
    assert restored.add_partitions == ["a"] and restored.reasons == {"a": "restored"}


def test_revisions_make_reverted_content_run_again() -> None:
    first = plan_document_updates(DocumentCursor(), {"doc": "A" * 64}, existing_partitions=[])
    assert first.add_partitions == ["doc"] and first.run_keys == {}  # new: materialized by automation
    cursor, keys = first.cursor, []
    for content in ["B" * 64, "A" * 64, "B" * 64]:
        plan = plan_document_updates(cursor, {"doc": content}, existing_partitions=["doc"])
        keys.append(plan.run_keys["doc"])
        cursor = plan.cursor
    assert keys[0] == run_key_for("doc", "B" * 64, 1) == "doc:" + "B" * 16 + ":r1"
    assert len(set(keys)) == 3
    gone = plan_document_updates(cursor, {}, existing_partitions=["doc"])
    back = plan_document_updates(gone.cursor, {"doc": "A" * 64}, existing_partitions=[])
    assert back.add_partitions == ["doc"] and back.run_keys == {}
    changed = plan_document_updates(back.cursor, {"doc": "B" * 64}, existing_partitions=["doc"])
    assert changed.run_keys["doc"] not in keys


def test_cursor_round_trip() -> None:
    cursor = DocumentCursor({"b-md": "f" * 64, "가-txt": "0" * 64}, {"b-md": 2, "가-txt": 0, "old-md": 5})
    assert DocumentCursor.from_json(cursor.to_json()) == cursor
    assert DocumentCursor.from_json(None) == DocumentCursor() == DocumentCursor.from_json("")
    flat = DocumentCursor.from_json(json.dumps({"a-md": "f" * 64}))  # plain {doc_id: fingerprint}
    assert flat == DocumentCursor({"a-md": "f" * 64}, {"a-md": 0})
    for bad in ['["not", "a", "map"]', '{"a": 1}', '{"fingerprints": {"a": "f"}, "revisions": {"a": "x"}}']:
        with pytest.raises(ValueError):
            DocumentCursor.from_json(bad)


# ---------------------------------------------------------------------------------- sensor


def test_new_files_add_partitions_left_to_automation(raw_docs: Path, instance: DagsterInstance) -> None:
    result = tick(make_sensor(raw_docs), instance, cursor=None)
    expected = ["faq-txt", "payment_security_regulation-md"]
    assert requests_of(result, AddDynamicPartitionsRequest) == expected
    assert not result.run_requests
    assert "added 2 partition(s), materialized by automation" in result.skip_reason.skip_message
    assert fingerprints_in(result.cursor) == {key: fingerprint(p) for key, p in scan_documents(raw_docs).found.items()}
    assert sorted(instance.get_dynamic_partitions("test_documents")) == expected


def test_unchanged_files_request_nothing(raw_docs: Path, instance: DagsterInstance) -> None:
    sensor = make_sensor(raw_docs)
    first = tick(sensor, instance, cursor=None)
    second = tick(sensor, instance, cursor=first.cursor)
    assert not second.run_requests
    assert not second.dynamic_partitions_requests
    assert second.skip_reason is not None and "No changed documents" in second.skip_reason.skip_message
    assert second.cursor == first.cursor


def test_changed_file_gets_a_new_run_key(raw_docs: Path, instance: DagsterInstance) -> None:
    sensor = make_sensor(raw_docs)
    first = tick(sensor, instance, cursor=None)
    (raw_docs / "faq.txt").write_text("자주 묻는 질문 (개정판)", encoding="utf-8")
    second = tick(sensor, instance, cursor=first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["faq-txt"]
    old_key = run_key_for("faq-txt", fingerprints_in(first.cursor)["faq-txt"])
    assert second.run_requests[0].run_key != old_key
    assert second.run_requests[0].tags["kodistill/document_change"] == "changed"
    assert not second.dynamic_partitions_requests
    assert fingerprints_in(second.cursor)["faq-txt"] == fingerprint(raw_docs / "faq.txt")
    (raw_docs / "faq.txt").write_text("자주 묻는 질문", encoding="utf-8")  # reverted to the first content
    third = tick(sensor, instance, cursor=second.cursor)
    assert [r.partition_key for r in third.run_requests] == ["faq-txt"]
    assert third.run_requests[0].run_key not in {old_key, second.run_requests[0].run_key}


def test_removed_file_deletes_its_partition_without_runs(raw_docs: Path, instance: DagsterInstance) -> None:
    sensor = make_sensor(raw_docs)
    first = tick(sensor, instance, cursor=None)
    (raw_docs / "faq.txt").unlink()
    second = tick(sensor, instance, cursor=first.cursor)
    assert requests_of(second, DeleteDynamicPartitionsRequest) == ["faq-txt"]
    assert not second.run_requests
    assert "faq-txt" in second.skip_reason.skip_message
    assert "faq-txt" not in fingerprints_in(second.cursor)
    assert instance.get_dynamic_partitions("test_documents") == ["payment_security_regulation-md"]


def test_removed_files_run_the_removal_job_once(raw_docs: Path, instance: DagsterInstance) -> None:
    documents_job = define_asset_job("documents_job", selection=[documents], partitions_def=PARTITIONS)
    removal = define_asset_job("knowledge_job", selection=[chunks])
    sensor = build_document_sensor(
        PARTITIONS,
        job=documents_job,
        removal_job=removal,
        raw_docs_dir=str(raw_docs),
        scan_documents=scan_documents,
        fingerprint=fingerprint,
    )
    first = tick(sensor, instance, cursor=None)
    (raw_docs / "faq.txt").unlink()
    second = tick(sensor, instance, cursor=first.cursor)
    (request,) = second.run_requests
    assert request.job_name == "knowledge_job" and request.partition_key is None
    assert request.run_key.startswith("removed:") and request.tags["kodistill/document_removed"] == "faq-txt"
    (raw_docs / "payment_security_regulation.md").write_text("# 결제 보안 규정\n개정 본문", encoding="utf-8")
    third = tick(sensor, instance, cursor=second.cursor)
    assert [(r.job_name, r.partition_key) for r in third.run_requests] == [
        ("documents_job", "payment_security_regulation-md")
    ]
    with pytest.raises(ValueError, match="removal_job needs job"):
        build_document_sensor(
            PARTITIONS,
            asset_selection=[AssetKey("documents")],
            removal_job=removal,
            scan_documents=scan_documents,
            fingerprint=fingerprint,
        )


def test_existing_partitions_with_cursor_are_not_requested_again(raw_docs: Path, instance: DagsterInstance) -> None:
    current = {key: fingerprint(path) for key, path in scan_documents(raw_docs).found.items()}
    instance.add_dynamic_partitions("test_documents", sorted(current))
    result = tick(make_sensor(raw_docs), instance, cursor=json.dumps(current))  # flat cursor accepted
    assert not result.run_requests and not result.dynamic_partitions_requests


def test_existing_partitions_without_cursor_rerun_nothing(raw_docs: Path, instance: DagsterInstance) -> None:
    sensor = make_sensor(raw_docs)
    tick(sensor, instance, cursor=None)
    again = tick(sensor, instance, cursor=None)  # cursor lost (or a fresh daemon over a materialized folder)
    assert not again.dynamic_partitions_requests and not again.run_requests


def test_unsupported_files_are_logged_not_fatal(raw_docs: Path, instance: DagsterInstance, capfd) -> None:
    (raw_docs / "slides.pptx").write_bytes(b"PK\x03\x04")
    (raw_docs / ".DS_Store").write_bytes(b"\x00")
    result = tick(make_sensor(raw_docs), instance, cursor=None)
    assert "slides-pptx" not in requests_of(result, AddDynamicPartitionsRequest)
    assert len(requests_of(result, AddDynamicPartitionsRequest)) == 2
    logged = capfd.readouterr().err
    assert "slides.pptx" in logged and "unsupported extension" in logged
    assert ".DS_Store" not in logged


def test_missing_folder_skips_and_keeps_cursor(tmp_path: Path, instance: DagsterInstance) -> None:
    cursor = DocumentCursor({"a-md": "f" * 64}, {"a-md": 0}).to_json()
    instance.add_dynamic_partitions("test_documents", ["a-md"])
    result = tick(make_sensor(tmp_path / "nowhere"), instance, cursor=cursor)
    assert result.skip_reason is not None and not result.dynamic_partitions_requests
    assert result.cursor == cursor


def test_malformed_cursor_treats_everything_as_new(raw_docs: Path, instance: DagsterInstance) -> None:
    result = tick(make_sensor(raw_docs), instance, cursor="{not json")
    assert len(requests_of(result, AddDynamicPartitionsRequest)) == 2 and not result.run_requests


def test_default_folder_follows_data_dir_env(raw_docs: Path, instance: DagsterInstance, monkeypatch) -> None:
    sensor = make_sensor(None)
    monkeypatch.setenv("KODISTILL_DATA_DIR", str(raw_docs.parent))
    result = tick(sensor, instance, cursor=None)
    assert len(requests_of(result, AddDynamicPartitionsRequest)) == 2


def test_job_target_and_argument_checks(raw_docs: Path, instance: DagsterInstance) -> None:
    job = define_asset_job("documents_job", selection=[documents], partitions_def=PARTITIONS)
    sensor = build_document_sensor(
        PARTITIONS, job=job, raw_docs_dir=str(raw_docs), scan_documents=scan_documents, fingerprint=fingerprint
    )
    assert sensor.name == "raw_documents_sensor" and sensor.minimum_interval_seconds == 30
    assert len(requests_of(tick(sensor, instance, cursor=None), AddDynamicPartitionsRequest)) == 2
    with pytest.raises(ValueError, match="exactly one"):
        build_document_sensor(PARTITIONS, scan_documents=scan_documents, fingerprint=fingerprint)
    with pytest.raises(ValueError, match="name"):
        build_document_sensor(
            DynamicPartitionsDefinition(lambda _: []),  # type: ignore[arg-type]
            job=job,
            scan_documents=scan_documents,
            fingerprint=fingerprint,
        )


def test_sensor_in_definitions_resolves_run_requests(raw_docs: Path) -> None:
    """As the daemon does: run requests resolve against partitions the same tick adds.

    Resolution needs a persistent instance (one with an instance ref), hence `instance_for_test`.
    """
    from dagster import Definitions, instance_for_test

    sensor = make_sensor(raw_docs, name="docs_sensor")
    defs = Definitions(assets=[documents], sensors=[sensor])
    with instance_for_test() as instance:
        first = tick(sensor, instance, cursor=None)
        for path in raw_docs.iterdir():
            path.write_text(path.read_text(encoding="utf-8") + " (개정)", encoding="utf-8")
        context = build_sensor_context(
            instance=instance, instance_ref=instance.get_ref(), cursor=first.cursor, definitions=defs
        )
        result = sensor.evaluate_tick(context)
    assert sorted(r.partition_key for r in result.run_requests) == ["faq-txt", "payment_security_regulation-md"]
    assert all(r.asset_selection == [AssetKey("documents")] for r in result.run_requests)
    assert all(r.tags["dagster/partition"] == r.partition_key for r in result.run_requests)
    assert json.loads(result.cursor)


def test_unsafe_ids_are_never_added_and_unsafe_partitions_are_deleted(
    raw_docs: Path, instance: DagsterInstance, capfd
) -> None:
    traversal = "../../../../../tmp/x"
    instance.add_dynamic_partitions("test_documents", [traversal])  # added by hand

    def scanner(folder: Path):
        scan = scan_documents(folder)
        scan.found[traversal] = folder / "faq.txt"  # a scanner bug must not reach the instance
        return scan

    sensor = build_document_sensor(
        PARTITIONS,
        asset_selection=[AssetKey("documents")],
        raw_docs_dir=str(raw_docs),
        scan_documents=scanner,
        fingerprint=fingerprint,
    )
    result = tick(sensor, instance, cursor=None)
    assert traversal not in requests_of(result, AddDynamicPartitionsRequest)
    assert requests_of(result, DeleteDynamicPartitionsRequest) == [traversal]
    assert sorted(instance.get_dynamic_partitions("test_documents")) == ["faq-txt", "payment_security_regulation-md"]
    assert traversal not in fingerprints_in(result.cursor)
    assert all(r.partition_key != traversal for r in result.run_requests)
    assert "only letters, digits" in capfd.readouterr().err


def test_symlink_problems_are_logged(raw_docs: Path, instance: DagsterInstance, tmp_path: Path, capfd) -> None:
    (tmp_path / "secret.txt").write_text("외부 문서", encoding="utf-8")
    (raw_docs / "outside.txt").symlink_to(tmp_path / "secret.txt")
    (raw_docs / "loop.md").symlink_to(raw_docs / "loop.md")
    result = tick(make_sensor(raw_docs), instance, cursor=None)
    assert len(requests_of(result, AddDynamicPartitionsRequest)) == 2
    logged = capfd.readouterr().err
    assert "outside.txt: symlink points outside raw_docs" in logged and "loop.md: symlink loop" in logged
