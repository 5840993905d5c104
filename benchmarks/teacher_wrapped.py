"""Benchmark: the extractive teacher on KorQuAD 1.0 dev as plain, PDF-like wrapped and re-flowed text.

Usage: .venv/bin/python benchmarks/teacher_wrapped.py [--limit N] [--seed 0] [--k 3] [--mode weighted]
The 961 distinct dev paragraphs are laid out as one document the way a PDF extraction reads: each
paragraph wrapped at 35-45 characters (`hard_wrap`, width drawn per line, seeded), paragraphs
separated by blank lines, and after every 22-28 lines a page-number line ("- 3 -") followed by a
running header. Three corpora are then indexed and answered, question by question, exactly as
benchmarks/teacher_korquad.py does (top-k hybrid retrieval, extractive teacher):

* plain: the paragraphs as they are;
* wrapped: each paragraph's wrapped lines as extracted (page-number and header lines included),
  which is what the pipeline indexed before PDF text was re-flowed;
* reflowed: the whole wrapped document through `reflow_text` (the reading path of PDFs and
  hard-wrapped .txt files), split back into paragraphs at blank lines.

Reported per corpus: share of answers containing a gold answer (as teacher_korquad.py counts it, and
with whitespace runs collapsed on both sides, since wrapped answers hold newlines), median answer
length, share of answers with a sentence starting or ending inside a word of its context (both
neighbouring characters letters or digits), share of answer sentences ending with sentence
punctuation, groundedness, recall@k; for reflowed, the share of paragraphs re-flowed back exactly.
Writes benchmarks/results/teacher_wrapped.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation.grounding import extractive_groundedness  # noqa: E402
from assets.knowledge.korquad import convert_squad, load_squad_json  # noqa: E402
from assets.knowledge.reflow import hard_wrap, reflow_text  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.llm.extractive import ExtractiveAnswer, ExtractiveTeacher  # noqa: E402
from resources.paths import shared_dir  # noqa: E402
from resources.retrieval.hybrid import DEFAULT_FUSION, FUSION_MODES, HybridRetriever  # noqa: E402
from resources.text_lines import ends_sentence  # noqa: E402

DATASET = Path("datasets/korquad-v1.0-dev/KorQuAD_v1.0_dev.json")
RESULT = ROOT / "benchmarks/results/teacher_wrapped.json"
RUNNING_HEADER = "KorQuAD 1.0 위키백과 문단 모음"
PAGE_LINES = (22, 28)


def wrapped_document(texts: Sequence[str], seed: int) -> tuple[str, list[str]]:
    """The paragraphs as one wrapped document with page-number and header lines, and each paragraph's part."""
    rng = random.Random(seed)
    next_break, line_count, page = rng.randint(*PAGE_LINES), 0, 1
    parts = []
    for text in texts:
        lines = []
        for line in hard_wrap(text, rng):
            lines.append(line)
            line_count += 1
            if line_count >= next_break:
                lines += [f"- {page} -", RUNNING_HEADER]
                page += 1
                next_break += rng.randint(*PAGE_LINES)
        parts.append("\n".join(lines))
    return "\n\n".join(parts), parts


def reflowed_paragraphs(document: str, expected: int) -> list[str]:
    """The wrapped document re-flowed and split back into its paragraphs (there must be `expected`)."""
    paragraphs = reflow_text(document).split("\n\n")
    if len(paragraphs) != expected:
        raise SystemExit(f"re-flow gave {len(paragraphs)} paragraphs, expected {expected}")
    return paragraphs


def collapse(text: str) -> str:
    """Whitespace runs collapsed to one space."""
    return " ".join(text.split())


def inside_word(text: str, position: int) -> bool:
    """True when `position` falls between two letters/digits of `text` (a cut inside a word)."""
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


def cuts_a_word(answer: ExtractiveAnswer, texts: dict[str, str]) -> bool:
    """True when a sentence of the answer starts or ends inside a word of its context."""
    return any(
        inside_word(texts[s.chunk_id], s.start) or inside_word(texts[s.chunk_id], s.end) for s in answer.sentences
    )


def evaluate(
    name: str,
    ids: list[str],
    texts: list[str],
    doc_ids: list[str],
    queries: list[dict[str, Any]],
    tokenizer: KoreanTokenizer,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Index one corpus, answer every question, and measure the answers."""
    retriever = HybridRetriever.build(ids, texts, doc_ids, tokenizer)
    hits = retriever.search_batch([q["query"] for q in queries], k=args.k, mode=args.mode)
    teacher = ExtractiveTeacher(tokenizer)
    started = time.perf_counter()
    answers = [teacher.answer(q["query"], [(h.chunk_id, h.text) for h in row]) for q, row in zip(queries, hits)]
    teacher_s = time.perf_counter() - started
    by_id = dict(zip(ids, texts))
    n = len(queries)
    sentences = [s for a in answers for s in a.sentences]
    grounded = [extractive_groundedness(a.text, a.cited_ids, by_id, tokenizer).score for a in answers]
    recall = [q["relevant_ids"][0] in {h.chunk_id for h in row} for q, row in zip(queries, hits)]
    report = {
        "corpus": name,
        "contains_gold": sum(any(g in a.text for g in q["answers"]) for q, a in zip(queries, answers)) / n,
        "contains_gold_spaces_collapsed": sum(
            any(collapse(g) in collapse(a.text) for g in q["answers"]) for q, a in zip(queries, answers)
        )
        / n,
        "answer_chars_median": statistics.median(len(a.text) for a in answers),
        "answers_cutting_a_word": sum(cuts_a_word(a, by_id) for a in answers) / n,
        "answer_sentences_ending_a_sentence": sum(ends_sentence(s.text) for s in sentences) / max(1, len(sentences)),
        "answer_sentences_mean": len(sentences) / n,
        "groundedness_mean": sum(grounded) / n,
        f"recall@{args.k}": sum(recall) / n,
        "answers_per_s": n / teacher_s,
    }
    print(json.dumps(report, ensure_ascii=False), flush=True)
    return report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default=DEFAULT_FUSION, choices=FUSION_MODES, help="retrieval fusion mode")
    parser.add_argument("--k", type=int, default=3, help="contexts per question (default 3)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--seed", type=int, default=0, help="seed of the wrap widths and page lengths")
    parser.add_argument("--corpora", default="plain,wrapped,reflowed", help="which corpora to run")
    parser.add_argument("--dataset", type=Path, default=None, help="KorQuAD JSON (default ../shared/datasets/...)")
    parser.add_argument("--out", type=Path, default=RESULT)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    dataset = args.dataset or shared_dir() / DATASET
    corpus, queries = convert_squad(load_squad_json(dataset), str(dataset))
    queries = queries[: args.limit] if args.limit else queries
    ids, plain, doc_ids = [c["id"] for c in corpus], [c["text"] for c in corpus], [c["doc_id"] for c in corpus]
    document, wrapped = wrapped_document(plain, args.seed)
    reflowed = reflowed_paragraphs(document, len(plain))
    corpora = {"plain": plain, "wrapped": wrapped, "reflowed": reflowed}
    tokenizer = KoreanTokenizer()
    results = [
        evaluate(name, ids, corpora[name], doc_ids, queries, tokenizer, args) for name in args.corpora.split(",")
    ]
    report = {
        "benchmark": "extractive teacher on KorQuAD 1.0 dev: plain vs PDF-like wrapped vs re-flowed text",
        "command": " ".join(["benchmarks/teacher_wrapped.py", *sys.argv[1:]]),
        "questions": len(queries),
        "paragraphs": len(plain),
        "wrapped_lines": document.count("\n") + 1,
        "reflowed_exactly": sum(r == p for r, p in zip(reflowed, plain)) / len(plain),
        "retrieval": {"mode": args.mode, "k": args.k},
        "results": results,
        "targets": {
            "contains_gold (reflowed)": "within 0.02 of plain",
            "answers_cutting_a_word": "0",
        },
        "machine": f"{platform.machine()}, {platform.python_version()}, CPU only",
    }
    atomic_write_json(args.out, report)
    print(json.dumps({k: v for k, v in report.items() if k != "results"}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
