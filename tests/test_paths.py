"""Path safety: `safe_child` keeps paths inside their folder, `validate_partition_key` keeps keys file-name safe,
and syncing document partitions removes a traversal key added by hand."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.knowledge.documents import document_id_for
from orchestration.partitions import sync_document_partitions
from resources.errors import InputDataError
from resources.paths import UnsafePathError, safe_child, validate_partition_key


def test_safe_child_accepts_plain_children(tmp_path: Path) -> None:
    assert safe_child(tmp_path, "documents", "faq-txt.parquet") == tmp_path.resolve() / "documents" / "faq-txt.parquet"
    assert safe_child(tmp_path, "a/b/../c.json") == tmp_path.resolve() / "a" / "c.json"


@pytest.mark.parametrize(
    "parts",
    [
        ("../../../../../tmp/x.parquet",),
        ("documents", "../../x.parquet"),
        ("/tmp/x.parquet",),
        ("..",),
        (".",),
        ("",),
        ("a\x00b",),
        (),
    ],
)
def test_safe_child_refuses_escapes(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(UnsafePathError) as error:
        safe_child(tmp_path / "artifacts", *parts)
    assert isinstance(error.value, ValueError) and isinstance(error.value, InputDataError)
    assert len(str(error.value).splitlines()) == 1


def test_safe_child_refuses_a_symlink_leading_outside(tmp_path: Path) -> None:
    root = tmp_path / "artifacts"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="outside"):
        safe_child(root, "link", "x.parquet")


@pytest.mark.parametrize("key", ["faq-txt", "규정__결제_보안-md-0123456789", "a", "x" * 200])
def test_valid_partition_keys(key: str) -> None:
    assert validate_partition_key(key) == key


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("../../../../../tmp/x", "'.', '/'"),
        ("a\\b", "'\\\\\\\\'"),
        ("..", "'.'"),
        ("a\x00b", "'\\\\x00'"),
        ("", "is empty"),
        ("x" * 201, "201 characters"),
        ("a b", "' '"),
    ],
)
def test_unsafe_partition_keys(key: str, message: str) -> None:
    with pytest.raises(UnsafePathError, match=message):
        validate_partition_key(key)


def test_every_scanner_id_is_a_valid_key(tmp_path: Path) -> None:
    names = ["결제 보안 (최종).md", "a.b.c.txt", "-x.html", "x" * 150 + ".pdf", "규정/하위/문서.MD"]
    for name in names:
        path = tmp_path / name
        validate_partition_key(document_id_for(path, tmp_path))


def test_sync_deletes_a_traversal_partition_and_adds_only_safe_keys(tmp_path: Path) -> None:
    raw = tmp_path / "raw_docs"
    raw.mkdir()
    (raw / "faq.txt").write_text("자주 묻는 질문", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("외부", encoding="utf-8")
    (raw / "outside.txt").symlink_to(tmp_path / "secret.txt")
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("documents", ["../../../../../tmp/x"])
        assert sync_document_partitions(instance, raw) == ["faq-txt"]
        assert instance.get_dynamic_partitions("documents") == ["faq-txt"]
        assert sync_document_partitions(instance, raw, follow_external_symlinks=True) == ["faq-txt", "outside-txt"]
