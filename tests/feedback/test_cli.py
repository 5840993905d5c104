"""`kodistill feedback`: mixed files store the good rows and name each bad line (exit 3), unreadable input
exits 2, stats and simulate work, and a command killed mid-ingest leaves no partial batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.cli import main
from resources.feedback.store import FeedbackStore
from resources.paths import PROJECT_ROOT

GOOD = {"task": "qa", "input": "환불은 언제 되나요?", "output": "영업일 3일 이내에 환불됩니다.", "rating": 5}


def write_jsonl(path: Path, rows: list[object]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_mixed_jsonl_stores_good_rows_and_reports_bad_lines(tmp_path, store_url, capsys) -> None:
    source = write_jsonl(
        tmp_path / "feedback.jsonl",
        [
            GOOD,
            {**GOOD, "rating": 0},
            "{broken json",
            "",
            {**GOOD, "task": "summary"},
            {**GOOD, "rating": 2, "correction": "영업일 5일 이내입니다.", "created_at": "2026-11-30T10:00:00+09:00"},
            {**GOOD, "colour": "blue"},
            {**GOOD, "created_at": "2026-11-30T10:00:00"},
        ],
    )
    report = tmp_path / "report.json"
    status = main(["feedback", "--url", store_url, "add", str(source), "--report", str(report)])
    err = capsys.readouterr().err
    assert status == 3
    for line, reason in [
        (2, "rating 0"),
        (3, "not valid JSON"),
        (5, "task 'summary'"),
        (7, "unknown field(s) 'colour'"),
        (8, "created_at has no time zone"),
    ]:
        assert f"feedback.jsonl:{line}: rejected: {reason}" in err
    written = json.loads(report.read_text(encoding="utf-8"))
    assert [r["line"] for r in written["rejected"]] == [2, 3, 5, 7, 8]
    assert written["stored"] == 2 and written["rows_read"] == 7
    rows = FeedbackStore(store_url).feedback()
    assert len(rows) == 2 and rows[1].correction == "영업일 5일 이내입니다."


def test_csv_line_numbers_count_multi_line_records(tmp_path, capsys) -> None:
    source = tmp_path / "feedback.csv"
    source.write_text(
        "task,input,output,rating,correction\n"
        'qa,"여러 줄\n질문",답변입니다,5,\n'
        "qa,질문,답변,다섯,\n"
        "bullets,요약,불릿,1,고친 불릿\n"
        "qa,너무,많은,4,칸,여기\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'f.db'}"
    assert main(["feedback", "--url", url, "add", str(source)]) == 3
    err = capsys.readouterr().err
    assert "feedback.csv:4: rejected: rating '다섯' is not a whole number" in err
    assert "feedback.csv:6: rejected: 6 fields, the header has 5" in err
    assert FeedbackStore(url).stats().total == 2


def test_nothing_readable_exits_2(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    all_bad = write_jsonl(tmp_path / "bad.jsonl", ["nope", {"task": "qa"}])
    assert main(["feedback", "--url", url, "add", str(all_bad)]) == 2
    assert main(["feedback", "--url", url, "add", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err
    (tmp_path / "latin1.csv").write_bytes("task,input,output,rating\nqa,caf\xe9,x,5\n".encode("latin-1"))
    assert main(["feedback", "--url", url, "add", str(tmp_path / "latin1.csv")]) == 2
    assert main(["feedback", "--url", url, "add", str(tmp_path / "data.txt")]) == 2
    assert FeedbackStore(url).stats().total == 0


def test_all_good_exits_0_and_stats_json(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    source = write_jsonl(tmp_path / "good.jsonl", [GOOD, {**GOOD, "task": "bullets", "rating": 3}])
    assert main(["feedback", "--url", url, "add", str(source)]) == 0
    capsys.readouterr()
    assert main(["feedback", "--url", url, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["total"] == 2 and stats["approved"] == 1
    assert stats["by_task"] == {"bullets": {"total": 1, "approved": 0}, "qa": {"total": 1, "approved": 1}}


def test_simulate_stores_n_rows(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KODISTILL_FEEDBACK_URL", f"sqlite:///{tmp_path / 'f.db'}")
    assert main(["feedback", "simulate", "--n", "60", "--seed", "1"]) == 0
    assert main(["feedback", "stats"]) == 0
    assert "total 60" in capsys.readouterr().out
    assert main(["feedback", "simulate", "--n", "0"]) == 2


def test_a_command_killed_mid_ingest_leaves_no_partial_batch(tmp_path) -> None:
    """SIGKILL while the one transaction is being written: no row of the batch is stored; a rerun stores all."""
    rows = 150_000
    source = tmp_path / "big.jsonl"
    line = json.dumps(GOOD, ensure_ascii=False)
    source.write_text((line + "\n") * rows, encoding="utf-8")
    database = tmp_path / "f.db"
    url = f"sqlite:///{database}"
    FeedbackStore(url).stats()  # schema in place, so the kill lands in the insert, not in a migration
    command = [sys.executable, "-m", "orchestration.cli", "feedback", "--url", url, "add", str(source)]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    assert "storing 150,000 rows in one transaction" in process.stderr.readline()
    wal = Path(f"{database}-wal")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 1_000_000):
        time.sleep(0.005)  # wait until the transaction has written a good part of the batch
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    store = FeedbackStore(url)
    assert store.stats().total == 0
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert store.stats().total == rows


@pytest.mark.parametrize("bad", ["--n", "-1"])
def test_simulate_option_errors(bad: str, capsys) -> None:
    assert main(["feedback", "simulate", bad]) == 2
