"""KorQuAD (SQuAD-format JSON) -> retrieval evaluation files: corpus.jsonl and queries.jsonl.

Corpus: one line per distinct paragraph text `{"id", "doc_id", "text"}` (a paragraph repeated in the
file is kept once; KorQuAD 1.0 dev has 964 paragraphs, 961 distinct). Queries: one line per question
`{"id", "query", "relevant_ids", "answers"}`, the relevant id being its paragraph's corpus id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from resources.atomic import atomic_write_jsonl
from resources.errors import InputDataError

CORPUS_FILE = "corpus.jsonl"
QUERIES_FILE = "queries.jsonl"


def load_squad_json(path: Path) -> list[dict[str, Any]]:
    """The "data" list of a SQuAD-format file; InputDataError if unreadable or shaped otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"{path}: file not found")
    try:
        payload = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputDataError(f"{path}: not valid UTF-8 JSON ({error})") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise InputDataError(f'{path}: expected a SQuAD-format object with a "data" list')
    return payload["data"]


def _paragraph_id(article_index: int, paragraph_index: int) -> str:
    return f"p{article_index:04d}-{paragraph_index:03d}"


def _question_row(qa: dict[str, Any], paragraph_id: str, where: str) -> dict[str, Any]:
    question = qa.get("question")
    if not isinstance(question, str) or not question.strip():
        raise InputDataError(f"{where}: question missing or empty")
    answers = [a.get("text", "") for a in qa.get("answers", []) if isinstance(a, dict)]
    return {
        "id": str(qa.get("id", where)),
        "query": question.strip(),
        "relevant_ids": [paragraph_id],
        "answers": answers,
    }


def convert_squad(
    data: list[dict[str, Any]], source: str = "input"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(corpus rows, query rows) from SQuAD "data"; `source` names the file in error messages."""
    corpus: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    ids_by_text: dict[str, str] = {}
    for a_index, article in enumerate(data):
        title = str(article.get("title", f"article-{a_index}")) if isinstance(article, dict) else ""
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise InputDataError(f'{source}: data[{a_index}] has no "paragraphs" list')
        for p_index, paragraph in enumerate(paragraphs):
            where = f"{source}: data[{a_index}].paragraphs[{p_index}]"
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not context.strip():
                raise InputDataError(f"{where}: context missing or empty")
            paragraph_id = ids_by_text.get(context)
            if paragraph_id is None:
                paragraph_id = ids_by_text[context] = _paragraph_id(a_index, p_index)
                corpus.append({"id": paragraph_id, "doc_id": title, "text": context})
            for q_index, qa in enumerate(paragraph.get("qas", [])):
                queries.append(_question_row(qa, paragraph_id, f"{where}.qas[{q_index}]"))
    return corpus, queries


def convert_korquad_file(input_path: Path, out_dir: Path) -> dict[str, Any]:
    """Write corpus.jsonl and queries.jsonl for `input_path` into `out_dir`; return counts and paths."""
    corpus, queries = convert_squad(load_squad_json(input_path), str(input_path))
    out_dir = Path(out_dir)
    corpus_path = atomic_write_jsonl(out_dir / CORPUS_FILE, corpus)
    queries_path = atomic_write_jsonl(out_dir / QUERIES_FILE, queries)
    return {
        "corpus": str(corpus_path),
        "queries": str(queries_path),
        "paragraphs": len(corpus),
        "questions": len(queries),
    }
