"""`kodistill match` (one line, batch, bad input) on an index saved in a temporary artifacts folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.cli import main
from resources.matching.store import save_matcher
from tests.matching.conftest import number_of


@pytest.fixture
def index_dir(tmp_path: Path, matcher) -> Path:
    folder = tmp_path / "item_index"
    save_matcher(matcher, folder)
    return folder


def test_match_one_line(index_dir: Path, items, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "lc 말보로 24병", "--k", "2", "--index-dir", str(index_dir), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["results"][0]["item_no"] == number_of(items, "레이크 찰리스 말보로 소비뇽 블랑")
    assert len(body["results"]) == 2 and body["quantity"]["amount"] == 24
    assert main(["match", "글랜피딕 12년", "--index-dir", str(index_dir)]) == 0
    assert "글렌피딕 12년" in capsys.readouterr().out.splitlines()[1]


def test_match_batch(tmp_path: Path, index_dir: Path, items) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": 1, "query": "Lake Chalice 말보로 x12"}\n\n{"id": "b", "query": "발렌 17년", "client_code": "01025"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out" / "r.jsonl"
    assert main(["match", "--queries", str(queries), "--out", str(out), "--index-dir", str(index_dir)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, "b"]
    assert set(rows[0]) == {"id", "query", "results", "quantity", "timing_ms"}
    assert set(rows[0]["results"][0]) == {"item_no", "score", "stage"}
    assert rows[0]["quantity"] == {"amount": 12, "unit": "", "text": "x12"}
    assert rows[1]["results"][0]["item_no"] == number_of(items, "발렌타인 17년")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 1: not JSON"),
        ('{"query": "x"}', "line 1: field 'id' is missing"),
        ('{"id": 1, "query": ""}', "line 1: field 'query' must be a non-empty string"),
        ('{"id": 1, "query": "x", "client_code": 5}', "line 1: field 'client_code' must be a string"),
    ],
)
def test_bad_batch_line_is_one_line_exit_2(
    tmp_path: Path, index_dir: Path, line: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(line + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert main(["match", "--queries", str(queries), "--out", str(out), "--index-dir", str(index_dir)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_match_needs_a_query(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--index-dir", str(index_dir)]) == 2
    assert "give an order line" in capsys.readouterr().err


def test_altered_index_is_refused(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (index_dir / "settings.json").write_text("{}", encoding="utf-8")
    assert main(["match", "lc", "--index-dir", str(index_dir)]) == 2
    assert "integrity check" in capsys.readouterr().err
