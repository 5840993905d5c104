"""`kodistill chunk` end to end: corpus lines as eval-retrieval reads them, the same chunk ids as the
chunks asset, unusable documents listed on stderr, bad --docs as one error line with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.knowledge.evaluation import read_corpus
from orchestration.cli import main
from tests.pipeline import materialize_folder


@pytest.fixture
def folder(small_data: Path) -> Path:
    """Three shipped documents, an empty file and an unsupported one."""
    raw = small_data / "data" / "raw_docs"
    (raw / "slides.pptx").write_bytes(b"PK\x03\x04")
    return raw


def test_chunk_matches_the_chunks_asset(
    folder: Path, small_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(["chunk", "--docs", str(folder), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines and all(set(line) == {"id", "text", "doc_id"} and line["text"].strip() for line in lines)
    assert [r.id for r in read_corpus(out)] == [line["id"] for line in lines]
    skipped = [line for line in captured.err.splitlines() if line.startswith("kodistill chunk: skipped")]
    assert (
        len(skipped) == 2 and any("empty_notes.txt" in s for s in skipped) and any("slides.pptx" in s for s in skipped)
    )
    assert json.loads(captured.out)["documents"] == 3
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_folder(instance, small_data, assets=["documents", "chunks"]).success
    asset = pd.read_parquet(small_data / "artifacts" / "assets" / "chunks.parquet")
    assert asset["chunk_id"].tolist() == [line["id"] for line in lines]
    assert asset["text"].tolist() == [line["text"] for line in lines]


@pytest.mark.parametrize("kind", ["missing", "file", "no-documents"])
def test_bad_docs_is_one_line_and_exit_2(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    if kind == "file":
        docs.write_text("not a folder", encoding="utf-8")
    elif kind == "no-documents":
        docs.mkdir()
        (docs / "empty.txt").write_text("", encoding="utf-8")
        (docs / "data.csv").write_text("a,b\n", encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    assert main(["chunk", "--docs", str(docs), "--out", str(out)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("kodistill chunk: error")]
    assert len(errors) == 1 and str(docs) in errors[0]
    assert not out.exists()


def test_output_path_that_is_a_folder(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chunk", "--docs", str(folder), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().endswith("is a directory, expected a file path")
