"""Realistic synthetic feedback for demos and tests, tied to the shipped corpus and catalogue (seeded).

* "qa" rows: a question about a sentence of a document in `raw_docs/` (.md and .txt); the model's
  answer is that sentence (rated 4–5) or another sentence of the same document (rated 1–3, with the
  right sentence as the correction four times in ten).
* "bullets" rows: a category of `products_all.csv`; the model's bullet states the category's product
  count, median price and mean rating (rated 4–5) or a wrong median (rated 1–3, corrected half the time).
* About one row in twenty carries personal data a user typed (phone number, e-mail, card number),
  and one in twenty repeats an earlier row, so scrubbing and deduplication have work to do.
* created_at is spread uniformly over the `days` before `now`; model versions student-v1..v3.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from resources.errors import InputDataError
from resources.feedback.records import AnswerFeedback

MODEL_VERSIONS = ("student-v1", "student-v2", "student-v3")
PERSONAL_DATA = (
    "답변 받을 연락처는 010-{a:04d}-{b:04d}입니다.",
    "자세한 내용은 user{a}@example.co.kr 로 보내 주세요.",
    "결제한 카드는 4111 1111 1111 1111 입니다.",
    "고객센터 02-{c:03d}-{b:04d}로 전화했는데 답이 달랐어요.",
)
SENTENCE_END = re.compile(r"(?<=[.?!다])\s+")


@dataclass(frozen=True)
class DocumentSentences:
    title: str
    sentences: list[str]


def _clean(line: str) -> str:
    return re.sub(r"[*#>`|]+", "", line).strip(" -\t")


def read_documents(raw_docs: Path) -> list[DocumentSentences]:
    """Title and usable sentences (20–200 characters) of each .md/.txt document."""
    documents = []
    for path in sorted(p for p in raw_docs.glob("*") if p.suffix in (".md", ".txt")):
        lines = [_clean(line) for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        sentences = [s for line in lines[1:] for s in SENTENCE_END.split(line) if 20 <= len(s) <= 200]
        if len(sentences) >= 2:
            documents.append(DocumentSentences(lines[0], sentences))
    return documents


def category_facts(products_csv: Path) -> list[dict]:
    """Per category: product count, median price and mean rating from the catalogue."""
    frame = pd.read_csv(products_csv, usecols=["category", "price", "rating"])
    grouped = frame.groupby("category").agg(
        count=("price", "size"), median=("price", "median"), rating=("rating", "mean")
    )
    return [
        {"category": name, "count": int(row["count"]), "median": int(row["median"]), "rating": float(row["rating"])}
        for name, row in grouped.iterrows()
    ]


def _question(document: DocumentSentences, sentence: str) -> str:
    head = " ".join(sentence.split()[:4])
    return f"「{document.title}」에서 '{head}' 부분을 설명해 주세요."


def _qa_row(rng: random.Random, documents: list[DocumentSentences]) -> tuple[str, str, int, str | None]:
    document = rng.choice(documents)
    right, wrong = rng.sample(document.sentences, 2)
    prompt = _question(document, right)
    if rng.random() < 0.7:
        return prompt, right, rng.choice((4, 5, 5)), None
    return prompt, wrong, rng.choice((1, 2, 3)), right if rng.random() < 0.4 else None


def _bullet(fact: dict, median: int) -> str:
    return (
        f"{fact['category']} 상품 {fact['count']}개의 가격 중앙값은 {median:,}원이며 "
        f"평균 평점은 {fact['rating']:.1f}점입니다(상품 목록 기준)."
    )


def _bullets_row(rng: random.Random, facts: list[dict]) -> tuple[str, str, int, str | None]:
    fact = rng.choice(facts)
    prompt = f"{fact['category']} 카테고리 리포트의 가격·평점 요약 불릿을 작성해 주세요."
    right = _bullet(fact, fact["median"])
    if rng.random() < 0.75:
        return prompt, right, rng.choice((4, 5)), None
    wrong = _bullet(fact, int(fact["median"] * rng.choice((0.5, 1.3, 2.0))))
    return prompt, wrong, rng.choice((1, 2)), right if rng.random() < 0.5 else None


def simulate_feedback(
    n: int, data_dir: Path, seed: int = 0, now: datetime | None = None, days: int = 7
) -> list[AnswerFeedback]:
    """`n` feedback records (see the module docstring); raises InputDataError when the data is missing."""
    raw_docs, products = data_dir / "raw_docs", data_dir / "products_all.csv"
    if not raw_docs.is_dir() or not products.is_file():
        raise InputDataError(f"{data_dir}: needs raw_docs/ and products_all.csv to simulate feedback")
    documents, facts = read_documents(raw_docs), category_facts(products)
    if not documents or not facts:
        raise InputDataError(f"{data_dir}: no usable .md/.txt documents or catalogue categories to simulate feedback")
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    records: list[AnswerFeedback] = []
    for _ in range(n):
        if records and rng.random() < 0.05:
            earlier = rng.choice(records)
            task, prompt, output = earlier.task, earlier.input, earlier.output
            rating, correction = earlier.rating, earlier.correction
        else:
            task = "qa" if rng.random() < 0.7 else "bullets"
            prompt, output, rating, correction = _qa_row(rng, documents) if task == "qa" else _bullets_row(rng, facts)
            if rng.random() < 0.05:
                numbers = {"a": rng.randrange(10000), "b": rng.randrange(10000), "c": rng.randrange(100, 1000)}
                prompt = f"{prompt} {rng.choice(PERSONAL_DATA).format(**numbers)}"
        created = now - timedelta(seconds=rng.uniform(0, days * 86400))
        records.append(AnswerFeedback(task, prompt, output, rating, correction, rng.choice(MODEL_VERSIONS), created))
    return records
