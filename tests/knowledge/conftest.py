"""Fixtures for the retrieval tests: a generated Korean corpus with known answers and a shared tokenizer.

Fixture names start with `retrieval_` (other knowledge tests share this folder).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from resources.korean import KoreanTokenizer
from resources.paths import shared_dir

PEOPLE = [
    "김민수",
    "이서연",
    "박지훈",
    "최유진",
    "정하늘",
    "강도윤",
    "조수아",
    "윤재현",
    "장미래",
    "임태양",
    "한결",
    "오세훈",
]
PLACES = ["서울", "부산", "대구", "광주", "제주도", "인천", "대전", "울산", "수원", "전주", "강릉", "춘천"]
OBJECTS = ["사과", "책", "자전거", "노트북", "커피", "우산", "시계", "카메라", "기타", "냉장고", "운동화", "지도"]
VERBS = ["샀다", "읽었다", "빌렸다", "팔았다", "고쳤다", "잃어버렸다", "선물했다", "발견했다"]
TIMES = ["어제", "지난주", "2019년", "3월 1일", "주말에", "아침에", "작년 겨울", "오늘"]
TOPICS = ["경제", "역사", "과학", "음악", "미술", "체육", "문학", "철학"]


def _has_batchim(word: str) -> bool:
    last = word[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def _particle(word: str, with_batchim: str, without: str) -> str:
    return word + (with_batchim if _has_batchim(word) else without)


@dataclass(frozen=True)
class RetrievalCorpus:
    """Generated documents (ids, doc ids, texts) and questions whose answer document is known."""

    ids: list[str]
    doc_ids: list[str]
    texts: list[str]
    questions: list[str]
    answers: list[str]  # the chunk id answering each question


def generate_corpus(n_docs: int = 300, n_questions: int = 60, seed: int = 7) -> RetrievalCorpus:
    """Documents of three template sentences each; each question paraphrases one document's first sentence."""
    rng = random.Random(seed)
    ids, doc_ids, texts, facts = [], [], [], []
    for i in range(n_docs):
        person, place, obj, verb, when = (rng.choice(x) for x in (PEOPLE, PLACES, OBJECTS, VERBS, TIMES))
        topic = rng.choice(TOPICS)
        first = f"{_particle(person, '은', '는')} {when} {place}에서 {_particle(obj, '을', '를')} {verb}."
        second = f"{place}의 {topic} 모임에서 {_particle(person, '이', '가')} 발표를 했다."
        third = f"문서 번호 {i}번은 {topic}에 관한 기록이다."
        ids.append(f"c{i:04d}")
        doc_ids.append(f"doc-{i // 3:03d}")
        texts.append(" ".join([first, second, third]))
        facts.append((person, place, obj))
    questions, answers = [], []
    for _ in range(n_questions):
        index = rng.randrange(n_docs)
        person, place, obj = facts[index]
        questions.append(f"{place}에서 {_particle(person, '이', '가')} {obj} 관련해서 한 일은?")
        answers.append(ids[index])
    return RetrievalCorpus(ids, doc_ids, texts, questions, answers)


@pytest.fixture(scope="session")
def retrieval_tokenizer() -> KoreanTokenizer:
    """One Kiwi for the whole session (building it costs about a second)."""
    return KoreanTokenizer()


@pytest.fixture(scope="session")
def retrieval_corpus() -> RetrievalCorpus:
    """300 generated Korean documents and 60 questions with known answers."""
    return generate_corpus()


@pytest.fixture(scope="session")
def retrieval_corpus_tokens(retrieval_corpus: RetrievalCorpus, retrieval_tokenizer: KoreanTokenizer) -> list[list[str]]:
    """Kiwi morphemes of every generated document."""
    return retrieval_tokenizer.morphemes_batch(retrieval_corpus.texts)


@pytest.fixture(scope="session")
def retrieval_korquad_path() -> Path:
    """The shipped KorQuAD 1.0 dev file; the test is skipped when ../shared is absent."""
    path = shared_dir() / "datasets" / "korquad-v1.0-dev" / "KorQuAD_v1.0_dev.json"
    if not path.is_file():
        pytest.skip(f"KorQuAD 1.0 dev not found at {path} (the shared datasets folder is absent)")
    return path
