"""CLI end to end: korquad-convert, eval-retrieval (JSON report, bad line -> exit 2), search (text, --json, no index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.cli import main


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def retrieval_files(tmp_path_factory, retrieval_corpus) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("retrieval_cli")
    corpus = write_jsonl(
        directory / "corpus.jsonl",
        [
            {"id": i, "text": t, "doc_id": d}
            for i, t, d in zip(retrieval_corpus.ids, retrieval_corpus.texts, retrieval_corpus.doc_ids)
        ],
    )
    queries = write_jsonl(
        directory / "queries.jsonl",
        [
            {"id": f"q{n}", "query": q, "relevant_ids": [a]}
            for n, (q, a) in enumerate(zip(retrieval_corpus.questions[:25], retrieval_corpus.answers))
        ],
    )
    return corpus, queries


def test_korquad_convert(tmp_path: Path, capsys):
    squad = {
        "version": "test",
        "data": [
            {
                "title": "서울",
                "paragraphs": [
                    {
                        "context": "서울은 대한민국의 수도이다.",
                        "qas": [
                            {
                                "id": "1",
                                "question": "대한민국의 수도는?",
                                "answers": [{"text": "서울", "answer_start": 0}],
                            }
                        ],
                    },
                    {
                        "context": "서울은 대한민국의 수도이다.",
                        "qas": [{"id": "2", "question": "수도는 어디인가?", "answers": []}],
                    },
                ],
            },
            {
                "title": "부산",
                "paragraphs": [
                    {
                        "context": "부산은 항구 도시이다.",
                        "qas": [{"id": "3", "question": "항구 도시는?", "answers": []}],
                    }
                ],
            },
        ],
    }
    source = tmp_path / "squad.json"
    source.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    assert main(["korquad-convert", "--input", str(source), "--out-dir", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["paragraphs"] == 2 and summary["questions"] == 3
    corpus = [json.loads(line) for line in (tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    queries = [
        json.loads(line) for line in (tmp_path / "out" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [c["doc_id"] for c in corpus] == ["서울", "부산"]
    assert (
        queries[0]["relevant_ids"] == queries[1]["relevant_ids"] == [corpus[0]["id"]]
    )  # duplicate paragraph kept once
    assert queries[2]["relevant_ids"] == [corpus[1]["id"]]


def test_korquad_convert_bad_input(tmp_path: Path, capsys):
    source = tmp_path / "bad.json"
    source.write_text('{"data": [{"paragraphs": [{"qas": []}]}]}', encoding="utf-8")
    assert main(["korquad-convert", "--input", str(source), "--out-dir", str(tmp_path / "out")]) == 2
    assert "paragraphs[0]: context missing" in capsys.readouterr().err


def test_eval_retrieval_prints_one_json_report_and_saves_index(tmp_path: Path, capsys, retrieval_files):
    corpus, queries = retrieval_files
    index_dir = tmp_path / "index"
    argv = [
        "eval-retrieval",
        "--corpus",
        str(corpus),
        "--queries",
        str(queries),
        "--k",
        "1,5",
        "--embedder",
        "lsa:32",
        "--fusion",
        "weighted",
        "--bm25-weight",
        "0.8",
        "--save-index",
        str(index_dir),
        "--out",
        str(tmp_path / "report.json"),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report == json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert set(report["retrievers"]) == {"bm25", "dense", "hybrid"}
    assert report["fusion_settings"]["bm25_weight"] == 0.8
    for result in report["retrievers"].values():
        assert {"recall@1", "recall@5", "mrr", "build_seconds", "query_ms_p50", "query_ms_p95"} <= set(result)
    assert report["retrievers"]["hybrid"]["recall@5"] >= 0.8
    assert "eval" in captured.err  # tqdm progress on stderr
    assert (index_dir / "manifest.json").is_file()

    assert main(["search", "부산에서 김민수가 한 일", "--index-dir", str(index_dir), "--k", "3"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(" 1. score=") and "ranks[bm25=" in text
    assert (
        main(["search", "부산에서 김민수가 한 일", "--index-dir", str(index_dir), "--json", "--fusion", "independent"])
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["mode"] == "independent" and 1 <= len(payload["hits"]) <= 5
    assert {"chunk_id", "doc_id", "text", "score", "rank", "ranks", "scores"} <= set(payload["hits"][0])


def test_eval_retrieval_malformed_line_exit_2(tmp_path: Path, capsys, retrieval_files):
    corpus, _ = retrieval_files
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"id": "q1", "query": "서울?", "relevant_ids": ["c0000"]}\n{"id": "q2", "query": \n', encoding="utf-8"
    )
    assert main(["eval-retrieval", "--corpus", str(corpus), "--queries", str(queries), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"{queries}:2" in err and "not valid JSON" in err


def test_eval_retrieval_bad_k_and_embedder(retrieval_files, capsys):
    corpus, queries = retrieval_files
    assert main(["eval-retrieval", "--corpus", str(corpus), "--queries", str(queries), "--k", "0,x"]) == 2
    assert "--k" in capsys.readouterr().err
    assert (
        main(
            [
                "eval-retrieval",
                "--corpus",
                str(corpus),
                "--queries",
                str(queries),
                "--embedder",
                "word2vec",
                "--no-progress",
            ]
        )
        == 2
    )
    assert "embedder spec" in capsys.readouterr().err


def test_search_without_index_says_how_to_build_one(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("KODISTILL_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    assert main(["search", "서울"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "artifacts" / "knowledge" / "retriever") in err and "materialize the knowledge group" in err


def test_search_tampered_index_exit_2(tmp_path: Path, capsys, retrieval_corpus, retrieval_tokenizer):
    from resources.retrieval.hybrid import HybridRetriever

    retriever = HybridRetriever.build(
        retrieval_corpus.ids[:30], retrieval_corpus.texts[:30], tokenizer=retrieval_tokenizer, embedder_spec="lsa:8"
    )
    retriever.save(tmp_path / "index")
    (tmp_path / "index" / "dense" / "dense.faiss").write_bytes(b"not an index")
    assert main(["search", "서울", "--index-dir", str(tmp_path / "index")]) == 2
    assert "integrity" in capsys.readouterr().err
