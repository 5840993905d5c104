"""`kodistill answer` and `kodistill questions` through `orchestration.cli.main` on a small corpus."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assets.distillation.checkpoint import Failure, JsonlCheckpoint, hash_input
from orchestration.cli import main
from orchestration.commands import answer as answer_command
from orchestration.commands.answer import answer_fingerprint

CORPUS = [
    (
        "returns#0",
        "returns",
        "단순 변심 반품은 상품을 받은 날부터 7일 이내에 신청해야 한다. 반품 배송비는 구매자가 부담한다.",
    ),
    (
        "returns#1",
        "returns",
        "판매자는 반품 신청 다음 영업일부터 2영업일 이내에 승인하거나 거절해야 한다. 기한 안에 처리하지 않으면 자동으로 승인된다.",
    ),
    (
        "returns#2",
        "returns",
        "환불은 검수가 끝난 날부터 3영업일 이내에 결제수단으로 돌아간다. ‘구매 확정’이란 구매자가 상품 수령을 확인하는 것을 말한다.",
    ),
    (
        "security#0",
        "security",
        "관리자 계정의 비밀번호는 12자 이상이어야 하며 90일마다 변경한다. 5회 연속 실패하면 계정이 30분 동안 잠긴다.",
    ),
    (
        "security#1",
        "security",
        "1회 결제금액이 30만 원 이상이면 3D Secure 추가 인증이 필요하다. 카드번호는 토큰으로 바꾸어 보관한다.",
    ),
    (
        "fds#0",
        "fds",
        "위험 점수가 80점 이상이면 결제가 자동으로 보류된다. 60점부터 79점까지는 리스크관리팀이 4시간 이내에 검토한다.",
    ),
    (
        "privacy#0",
        "privacy",
        "개인정보 유출을 인지하면 72시간 이내에 개인정보보호위원회에 신고하고 이용자에게 통지한다.",
    ),
    (
        "seller#0",
        "seller",
        "출고 지연은 1점, 허위 정보 등록은 5점의 페널티가 부과된다. 누적 10점 이상이면 7일 동안 판매가 정지된다.",
    ),
]
QUERIES = [
    ("q1", "단순 변심 반품은 언제까지 신청해야 하나요?", "7일 이내"),
    ("q2", "관리자 비밀번호를 5회 연속 틀리면 어떻게 되나요?", "30분 동안 잠긴다"),
    ("q3", "위험 점수가 80점 이상이면 결제는 어떻게 되나요?", "자동으로 보류"),
    ("q4", "개인정보 유출은 몇 시간 안에 신고해야 하나요?", "72시간 이내"),
    ("q5", "페널티 점수가 10점 이상이면 어떻게 되나요?", "판매가 정지"),
]


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    corpus = _write_jsonl(tmp_path / "corpus.jsonl", [{"id": c, "doc_id": d, "text": t} for c, d, t in CORPUS])
    queries = _write_jsonl(tmp_path / "queries.jsonl", [{"id": i, "query": q} for i, q, _ in QUERIES])
    return {"corpus": corpus, "queries": queries, "out": tmp_path / "answers.jsonl"}


def _answer(files: dict[str, Path], *extra: str) -> int:
    args = ["answer", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]), "--out", str(files["out"])]
    return main([*args, "--no-progress", *extra])


def test_answer_writes_one_grounded_line_per_query(files):
    assert _answer(files, "--k", "3") == 0
    rows = _read_jsonl(files["out"])
    assert [r["id"] for r in rows] == [q[0] for q in QUERIES]
    texts = {c: t for c, _, t in CORPUS}
    for row, (_, _, expected) in zip(rows, QUERIES):
        assert expected in row["answer"], row
        retrieved = [hit["chunk_id"] for hit in row["retrieved"]]
        assert len(retrieved) == 3 and [hit["rank"] for hit in row["retrieved"]] == [1, 2, 3]
        assert row["cited_ids"] and set(row["cited_ids"]) <= set(retrieved)
        assert all(line in " ".join(texts[c] for c in row["cited_ids"]) for line in row["answer"].splitlines())
        assert set(row["timing_ms"]) == {"retrieval", "answer"} and row["teacher"] == "extractive"
        assert set(row["retrieved"][0]["ranks"]) == {"bm25", "dense"}
    assert not files["out"].with_name("answers.jsonl.partial").exists()


def _fingerprint(files: dict[str, Path], k: int = 3) -> dict[str, object]:
    args = argparse.Namespace(k=k, fusion=None, max_new_tokens=256, index=None, corpus=files["corpus"], embedder="lsa")
    return answer_fingerprint(args, "extractive")


def _write_checkpoint(files: dict[str, Path], answered: dict[str, tuple[str, dict]], k: int = 3) -> Path:
    """A checkpoint as a killed `answer --k k` run leaves it: {id: (question it answered, value)}."""
    checkpoint = JsonlCheckpoint(files["out"].with_name("answers.jsonl.partial"), fingerprint=_fingerprint(files, k))
    checkpoint.append(
        [(i, value) for i, (_, value) in answered.items()],
        inputs={i: hash_input(question) for i, (question, _) in answered.items()},
    )
    return checkpoint.path


def test_answer_resumes_from_a_checkpoint_with_a_torn_line(files):
    partial = files["out"].with_name("answers.jsonl.partial")
    done = {
        "id": "q2",
        "query": QUERIES[1][1],
        "answer": "이전 실행의 답",
        "cited_ids": ["security#0"],
        "retrieved": [],
    }
    _write_checkpoint(files, {"q2": (QUERIES[1][1], done)})
    with open(partial, "ab") as handle:
        handle.write(b'{"id": "q3", "status": "o')
    assert _answer(files, "--batch-size", "2") == 0
    rows = _read_jsonl(files["out"])
    assert [r["id"] for r in rows] == [q[0] for q in QUERIES]
    assert rows[1]["answer"] == "이전 실행의 답"  # not recomputed
    assert "자동으로 보류" in rows[2]["answer"]  # the torn item was answered afresh
    assert not partial.exists()


def test_answer_with_the_tiny_hf_teacher(files, tiny_model_dir):
    assert _answer(files, "--teacher", f"hf:{tiny_model_dir}", "--batch-size", "2", "--max-new-tokens", "6") == 0
    rows = _read_jsonl(files["out"])
    assert len(rows) == len(QUERIES) and all(isinstance(r["answer"], str) for r in rows)
    assert rows[0]["teacher"] == f"hf:{tiny_model_dir}"


def test_answer_reports_unusable_teachers_as_input_errors(files, tiny_model_dir, tmp_path, capsys):
    missing = tmp_path / "no-model"
    assert _answer(files, "--teacher", f"hf:{missing}") == 2
    assert f"model directory not found: {missing}" in capsys.readouterr().err
    assert _answer(files, "--teacher", "gpt") == 2
    assert _answer(files, "--teacher", f"hf:{tiny_model_dir}", "--quantization", "8bit") == 2
    assert "CUDA" in capsys.readouterr().err
    assert (
        _answer(files, "--teacher", f"hf:{tiny_model_dir}", "--quantization", "8bit", "--fallback", "extractive") == 0
    )
    assert _read_jsonl(files["out"])[0]["teacher"] == "extractive"
    files["queries"].write_text('{"id": "x"}\n', encoding="utf-8")
    assert _answer(files) == 2
    assert '"query" missing' in capsys.readouterr().err


def test_questions_command_is_balanced_and_tied_to_chunks(files, tmp_path, capsys):
    out = tmp_path / "questions.jsonl"
    assert (
        main(["questions", "--corpus", str(files["corpus"]), "--out", str(out), "--per-type", "2", "--per-chunk", "3"])
        == 0
    )
    rows = _read_jsonl(out)
    summary = json.loads(capsys.readouterr().out)
    assert summary["per_type"] == {t: 2 for t in ("정의", "프로세스", "규정", "예시", "비교", "적용")}
    chunk_ids = {c for c, _, _ in CORPUS}
    assert len(rows) == 12 and all(r["chunk_id"] in chunk_ids and r["question"].endswith("?") for r in rows)
    assert all(r["answer"] and r["answer"] in r["evidence"] and r["answer"] not in r["question"] for r in rows)
    assert main(["questions", "--corpus", str(files["corpus"]), "--out", str(out), "--per-chunk", "0"]) == 2


def _stale_answer(query_id: str) -> dict:
    return {"id": query_id, "query": "다른 질문", "answer": "이전 실행의 답", "cited_ids": [], "retrieved": []}


def test_answer_refuses_a_checkpoint_made_with_other_settings(files, capsys):
    partial = _write_checkpoint(files, {"q1": (QUERIES[0][1], _stale_answer("q1"))}, k=3)
    assert _answer(files, "--k", "1") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(partial) in err
    assert "k: 3 -> 1" in err and "--restart" in err
    assert partial.exists() and not files["out"].exists()  # nothing touched
    assert _answer(files, "--k", "1", "--restart") == 0
    rows = _read_jsonl(files["out"])
    assert len(rows) == len(QUERIES) and "7일 이내" in rows[0]["answer"]  # answered afresh with k=1


def test_answer_redoes_a_query_whose_text_changed_under_the_same_id(files):
    _write_checkpoint(
        files,
        {"q1": ("예전 질문: 환불은 언제 되나요?", _stale_answer("q1")), "q2": (QUERIES[1][1], _stale_answer("q2"))},
    )
    assert _answer(files) == 0
    rows = _read_jsonl(files["out"])
    assert "7일 이내" in rows[0]["answer"]  # q1's question changed: not reused
    assert rows[1]["answer"] == "이전 실행의 답"  # q2's question is the same: reused


def test_answer_fails_fast_while_another_run_holds_the_checkpoint(files, capsys):
    partial = files["out"].with_name("answers.jsonl.partial")
    result: list[int] = []
    with JsonlCheckpoint(partial).locked():  # held by this thread; the run below is another thread
        worker = threading.Thread(target=lambda: result.append(_answer(files)))
        worker.start()
        worker.join(timeout=120)
    assert result == [2]
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(partial) in err and "another run holds this checkpoint" in err
    assert not files["out"].exists() and not partial.exists()
    assert _answer(files) == 0 and len(_read_jsonl(files["out"])) == len(QUERIES)


def test_two_concurrent_answer_processes_lose_nothing(files):
    many = [{"id": f"m{n}-{i}", "query": q} for n in range(8) for i, q, _ in QUERIES]
    _write_jsonl(files["queries"], many)
    command = [sys.executable, "-m", "orchestration.cli", "answer", "--corpus", str(files["corpus"])]
    command += ["--queries", str(files["queries"]), "--out", str(files["out"]), "--no-progress", "--batch-size", "1"]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([0, 0], [0, 2]), outcomes
    assert all("another run holds this checkpoint" in err for code, err in outcomes if code == 2)
    rows = _read_jsonl(files["out"])
    assert [r["id"] for r in rows] == [q["id"] for q in many]  # every answer, once, in order


def test_answer_exits_1_and_says_how_many_are_unanswered(files, capsys, monkeypatch):
    real = answer_command._answerer

    def failing_answerer(retriever, backend, args):
        answerer = real(retriever, backend, args)
        return lambda batch: [
            Failure(q["id"], "모델 출력 없음") if q["id"] == "q3" else answerer([q])[0] for q in batch
        ]

    monkeypatch.setattr(answer_command, "_answerer", failing_answerer)
    assert _answer(files) == 1
    err = capsys.readouterr().err
    assert "1 of 5 queries unanswered" in err
    partial = files["out"].with_name("answers.jsonl.partial")
    assert partial.exists() and [r["id"] for r in _read_jsonl(files["out"])] == ["q1", "q2", "q4", "q5"]
    monkeypatch.setattr(answer_command, "_answerer", real)
    assert _answer(files) == 0
    assert '"new": 1' in capsys.readouterr().err  # only q3 was answered again
    assert len(_read_jsonl(files["out"])) == 5 and not partial.exists()
