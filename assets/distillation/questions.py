"""Synthetic questions of six types from document chunks: Korean templates, optional LLM path, dedup.

Types (exact keys): 정의 (definition), 프로세스 (process), 규정 (regulation), 예시 (example),
비교 (comparison), 적용 (application). The default generator reads each chunk with Kiwi and fills
Korean templates from what it finds: quoted or glossary terms ("‘구매 확정’이란 무엇인가요?"), numbered
steps ("1단계 …"), article titles ("제5조(환불 기한)에 따르면 …"), deadlines and amounts with units,
"A와 B" pairs and comparison tables, condition clauses ("…하지 않으면 어떻게 되나요?"), FAQ lines and
example sentences; every type also has a fallback template over the chunk's key noun phrases, so
each chunk can serve every type. Questions are picked round-robin over types and documents so the
counts stay balanced, cleaned, and deduplicated (normalised text, then morpheme Jaccard). The LLM
path (`generate_with_backend`) rotates temperatures and sends its output through the same cleaning,
falling back to the template question when the model's line is unusable. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from resources.korean import KoreanTokenizer
from resources.llm.base import (
    QUESTION_TYPES,
    GenerationParams,
    GenerationRequest,
    LLMBackend,
    build_question_messages,
)

_NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})
_STOP_NOUNS = frozenset(
    (
        "것 수 등 때 경우 이상 이하 이내 미만 초과 다음 해당 각 전 후 중 및 위 "
        "아래 이 그 문서 번호 내용 사항 기준 관련 경우 뜻 말 바 곳 점 회 건 개 일 "
        "월 년 시 분 자 원 항목 목적 정의 절차 규정 단계 모두 전체 일부 각각 모든"
    ).split()
)
# Single nouns too vague to ask about on their own (fine inside a longer phrase: "반품 가능 여부").
_GENERIC_NOUNS = frozenset(
    (
        "문제 내용 사항 대상 결과 방법 여부 확인 요구 요청 본인 자신 당사 이들 해당 "
        "부분 상태 경우 처리 관리 사용 이용 정보 업무 기록 시스템 안내 필요 대응 조치 "
        "부과 보관 접수 신청 산정 인지 통지 보완 변경 적용 제공 발생 진행 운영 시행 "
        "모두 전체 일부 각각 관련 기타 실제 다음 이전 이후 기간 방식 형태 경우 때문 "
        "사유 목적 범위 대상자"
    ).split()
)
_META_LINE = re.compile(
    r"(?m)^\s*[-*]?\s*(문서번호|문서 번호|소관 부서|제정|개정|작성|관련 문서|근거|근거 규정|"
    r"최종 갱신|문서 유형|용도)\s*[:：].*$"
)
_ARTICLE = re.compile(r"제\s*(\d+)\s*조(?:의\s*\d+)?\s*\(([^)\n]{1,30})\)")
_STEP = re.compile(r"(?m)^\s*(?:(\d+)\s*단계|STEP\s*(\d+))\s*[.:)]?\s*([^\n(:：.,]{2,24})")
_QUOTED_TERM = re.compile(r"[\"“‘'「]([^\"”’'」\n]{1,30})[\"”’'」]\s*(?:이)?란")
_GLOSSARY_TERM = re.compile(r"(?m)^\s*([^\n—–:：|#]{2,30}?)\s+[—–]\s+\S")
_TABLE_HEADER = re.compile(r"(?m)^\|\s*(?:항목|구분|비교 항목|비교)\s*\|\s*([^|\n]+?)\s*\|\s*([^|\n]+?)\s*\|")
_FAQ_LINE = re.compile(r"(?m)^\s*(?:Q\d*[.:)]|질문\s*\d*[.:)])\s*(.{6,120}?\?)\s*$")
_EXAMPLE_CUE = re.compile(r"예를 들어|예컨대|가령|이를테면|예:|사례|예시")
_COMPARE_CUE = re.compile(r"비교|차이|달리|반면|대비|다르")
_DEADLINE = re.compile(r"\d+\s*(?:영업일|일|시간|개월|년|분)\s*(?:이내|안에|까지|전)")
_LEADING_NOISE = re.compile(r"^(?:[-*•·]|[①-⑳]|\d+[.)]|다만|또한|단|그리고|그러나|한편|이때|이 경우)[,\s]*")
_UNITS = frozenset("원 만 일 영업일 시간 개월 년 점 회 자 분 초 건 개 명 %".split())
_LIMIT_WORDS = frozenset(["이상", "이하", "초과", "미만"])


@dataclass(frozen=True)
class SourceChunk:
    """The part of a chunk question generation needs: ids and text."""

    chunk_id: str
    doc_id: str
    text: str


@dataclass(frozen=True)
class SyntheticQuestion:
    """One question tied to its source chunk and document, with its type and how it was made."""

    question_id: str
    question: str
    qtype: str
    chunk_id: str
    doc_id: str
    source: str = "template"
    temperature: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain row for JSONL/Parquet output."""
        return {
            "question_id": self.question_id,
            "question": self.question,
            "qtype": self.qtype,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source": self.source,
            "temperature": self.temperature,
        }


@dataclass(frozen=True)
class QuestionConfig:
    """How many questions to make and how strictly to deduplicate.

    `per_chunk`: questions taken from each chunk (types rotate so counts stay balanced).
    `per_type`: when set, stop once every type has this many questions overall (the seed's 500 each);
    chunks are then visited round-robin over documents.
    """

    per_chunk: int = 2
    per_type: int | None = None
    near_duplicate_threshold: float = 0.8
    seed: int = 0
    types: tuple[str, ...] = QUESTION_TYPES
    min_chars: int = 6
    max_chars: int = 120

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in QUESTION_TYPES]
        if unknown or not self.types:
            raise ValueError(f"question types must be among {', '.join(QUESTION_TYPES)}; got {list(self.types)}")
        if self.per_chunk < 1:
            raise ValueError(f"per_chunk must be >= 1, got {self.per_chunk}")
        if self.per_type is not None and self.per_type < 1:
            raise ValueError(f"per_type must be >= 1 when set, got {self.per_type}")
        if not 0.0 < self.near_duplicate_threshold <= 1.0:
            raise ValueError(f"near_duplicate_threshold must be in (0, 1], got {self.near_duplicate_threshold}")


# --- Korean particles --------------------------------------------------------------------------

_DIGIT_HAS_FINAL = {
    "0": True,
    "1": True,
    "2": False,
    "3": True,
    "4": False,
    "5": False,
    "6": True,
    "7": True,
    "8": True,
    "9": False,
}
_JOSA = {
    "은는": ("은", "는"),
    "이가": ("이", "가"),
    "을를": ("을", "를"),
    "와과": ("과", "와"),
    "이란": ("이란", "란"),
    "이면": ("이면", "면"),
}


def has_final_consonant(word: str) -> bool:
    """Whether the last pronounced syllable of `word` ends in a consonant (decides 은/는, 이/가, …)."""
    for char in reversed(word.strip()):
        if "가" <= char <= "힣":
            return (ord(char) - 0xAC00) % 28 != 0
        if char.isdigit():
            return _DIGIT_HAS_FINAL[char]
        if char.isalpha():
            return char.lower() in "lmnr"
    return False


def josa(word: str, kind: str) -> str:
    """`word` followed by the right form of the particle pair `kind` (e.g. "은는", "이가", "와과")."""
    with_final, without_final = _JOSA[kind]
    return word + (with_final if has_final_consonant(word) else without_final)


# --- chunk analysis ----------------------------------------------------------------------------


@dataclass
class ChunkFacts:
    """What the templates can use from one chunk."""

    phrases: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    articles: list[tuple[str, str, str | None, bool]] = field(default_factory=list)
    steps: list[tuple[int, str]] = field(default_factory=list)
    process_topics: list[str] = field(default_factory=list)
    comparisons: list[tuple[str, str]] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    thresholds: list[tuple[str, str]] = field(default_factory=list)
    deadline_actions: list[tuple[str, str]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    faq: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def _clean_text(text: str) -> str:
    """Chunk text without metadata lines (문서번호, 소관 부서, …) and Markdown emphasis/heading marks."""
    text = _META_LINE.sub("", unicodedata.normalize("NFC", text))
    text = re.sub(r"\*\*|__|`", "", text)
    return re.sub(r"(?m)^#+\s*", "", text)


def _noun_runs(tokens: Sequence[Any], text: str) -> list[tuple[int, int, int]]:
    """(start, end, first token index) of runs of nouns separated by at most one space."""
    runs: list[tuple[int, int, int]] = []
    current: list[tuple[int, Any]] = []
    for index, token in enumerate(tokens):
        gap = text[current[-1][1].start + current[-1][1].len : token.start] if current else None
        # suffixes and (mis-tagged) bound nouns count only when glued to a noun: 반품 -> 반/NNG 품/NNB
        noun = token.tag in _NOUN_TAGS or (token.tag in ("XSN", "NNB", "XR") and gap == "")
        joined = current and gap in ("", " ")
        if noun and (not current or joined):
            current.append((index, token))
            continue
        if current:
            runs.append(_run_span(current))
        current = [(index, token)] if token.tag in _NOUN_TAGS else []
    if current:
        runs.append(_run_span(current))
    return runs


def _run_span(run: list[tuple[int, Any]]) -> tuple[int, int, int]:
    """Character span of a noun run, trimmed of stop nouns at either end."""
    tokens = [t for _, t in run]
    while tokens and tokens[0].form in _STOP_NOUNS:
        tokens = tokens[1:]
        run = run[1:]
    while tokens and tokens[-1].form in _STOP_NOUNS:
        tokens = tokens[:-1]
    if not tokens:
        return (0, 0, run[0][0] if run else 0)
    return (tokens[0].start, tokens[-1].start + tokens[-1].len, run[0][0])


def _phrase(text: str, start: int, end: int) -> str | None:
    """A usable noun phrase from a span: 2-25 characters, at most 4 words, not only Latin/digits."""
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    phrase = re.sub(r"\s+", " ", text[start:end]).strip(" ·,")
    if not 2 <= len(phrase) <= 25 or len(phrase.split()) > 4 or phrase in _GENERIC_NOUNS:
        return None
    if not re.search(r"[가-힣]", phrase) and len(phrase) < 3:
        return None
    return phrase


def _ranked_phrases(spans: Iterable[tuple[int, int, int]], text: str) -> list[str]:
    """Noun phrases ranked by frequency x length (ties: first occurrence)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for start, end, _ in spans:
        if (phrase := _phrase(text, start, end)) is not None:
            counts[phrase] += 1
            first.setdefault(phrase, start)
    return sorted(
        counts, key=lambda p: (-counts[p] * (1 + 0.3 * (len(p.split()) - 1) + 0.1 * min(len(p), 8)), first[p])
    )


def _subject(tokens: Sequence[Any], text: str) -> str | None:
    """The first noun phrase directly followed by a topic/subject particle (은/는/이/가)."""
    for start, end, _ in _noun_runs(tokens, text):
        following = [t for t in tokens if t.start >= end]
        is_topic = (
            bool(following) and following[0].tag in ("JX", "JKS") and following[0].form in ("은", "는", "이", "가")
        )
        if is_topic and (phrase := _phrase(text, start, end)) is not None:
            return phrase
    return None


def _condition_clause(tokens: Sequence[Any], text: str) -> str | None:
    """The sentence up to its first `…면` ending or `…경우`, as a question stem."""
    for index, token in enumerate(tokens):
        if token.tag == "EC" and token.form in ("면", "으면"):
            stem = text[: token.start + token.len]
            return _clean_stem(stem)
        if token.form == "경우" and token.tag == "NNG" and index > 0:
            stem = text[: token.start + token.len]
            return _clean_stem(stem + "에는")
    return None


def _clean_stem(stem: str) -> str | None:
    """Trim labels, list marks and leading conjunctions; keep stems of a sensible length."""
    stem = re.sub(r"\s+", " ", stem.splitlines()[-1] if stem.strip() else stem).strip()
    stem = re.split(r"\s[—–]\s|[:：]\s|\*\*|^.{0,12}?\d+\.\s", stem)[-1]
    if ", " in stem and len(stem.rsplit(", ", 1)[1]) >= 10:
        stem = stem.rsplit(", ", 1)[1]
    for _ in range(3):
        stem = _LEADING_NOISE.sub("", stem).strip()
    if not 6 <= len(stem) <= 70 or not re.search(r"[가-힣]", stem) or "|" in stem:
        return None
    return stem


def _threshold(tokens: Sequence[Any], text: str) -> tuple[str, str] | None:
    """(subject, "30만 원 이상") from a sentence stating a number with a unit and a limit word."""
    for index, token in enumerate(tokens):
        if token.tag != "SN":
            continue
        end_index = index
        while end_index + 1 < len(tokens) and (
            tokens[end_index + 1].form in _UNITS or tokens[end_index + 1].tag == "SN"
        ):
            end_index += 1
        nxt = tokens[end_index + 1] if end_index + 1 < len(tokens) else None
        particle = tokens[index - 1] if index > 0 else None
        if end_index > index and nxt is not None and nxt.form in _LIMIT_WORDS and particle is not None:
            subject = _subject(tokens[:index], text) if particle.tag in ("JKS", "JX") else None
            if subject and text.find(subject) + len(subject) >= particle.start - 1:
                return subject, text[token.start : nxt.start + nxt.len]
    return None


def _action_phrases(tokens: Sequence[Any], text: str) -> list[str]:
    """Noun phrases used as verbs (`반품 신청`+하다, `키 교체`+되다): what a process or rule is about."""
    out = []
    for start, end, _ in _noun_runs(tokens, text):
        following = [t for t in tokens if t.start >= end][:1]
        is_verb_stem = bool(following) and following[0].tag == "XSV" and following[0].start == end
        if is_verb_stem and (phrase := _phrase(text, start, end)) is not None:
            out.append(phrase)
    return out


def _deadline_action(tokens: Sequence[Any], text: str) -> tuple[str, str] | None:
    """(subject, action noun) of a sentence with a deadline: "단순 변심은 7일 이내에 신청해야" -> (단순 변심, 신청)."""
    match = _DEADLINE.search(text)
    subject = _subject(tokens, text)
    if match is None or subject is None or text.find(subject) > match.start():
        return None
    after = [t for t in tokens if t.start >= match.end()]
    for current, nxt in zip(after, after[1:]):
        if current.tag == "NNG" and nxt.tag == "XSV" and nxt.form == "하" and nxt.start == current.start + current.len:
            return subject, current.form
    return None


def _sentence_facts(
    facts: ChunkFacts, sentence: Any, tokenizer: KoreanTokenizer, previous_subject: str | None
) -> str | None:
    """Fold one sentence's definitions, conditions, deadlines, thresholds, examples and pairs into
    `facts`; returns the sentence's subject (an example sentence is about the previous one's)."""
    text = sentence.text
    tokens = list(tokenizer.kiwi.tokenize(text))
    subject = _subject(tokens, text)
    facts.actions.extend(_action_phrases(tokens, text))
    if (deadline := _deadline_action(tokens, text)) is not None:
        facts.deadline_actions.append(deadline)
    defines = re.search(r"(말|뜻|의미|가리)(한다|합니다|하는)", text)
    if (
        subject
        and defines
        and not _QUOTED_TERM.search(text)
        and _LEADING_NOISE.sub("", text.strip()).startswith(subject)
    ):
        facts.definitions.append(subject)
    if (clause := _condition_clause(tokens, text)) is not None:
        facts.conditions.append(clause)
    if subject and _DEADLINE.search(text):
        facts.deadlines.append(subject)
    if (threshold := _threshold(tokens, text)) is not None:
        facts.thresholds.append(threshold)
    if (cue := _EXAMPLE_CUE.search(text)) is not None:
        facts.examples.append((previous_subject if cue.start() < 3 else subject) or "")
    facts.comparisons.extend(_pairs(tokens, text, strong=bool(_COMPARE_CUE.search(text))))
    return subject


def _pairs(tokens: Sequence[Any], text: str, strong: bool) -> list[tuple[str, str]]:
    """ "A와 B" noun-phrase pairs of a sentence (only in sentences that compare, when `strong`)."""
    if not strong:
        return []
    runs = _noun_runs(tokens, text)
    pairs = []
    for (s1, e1, _), (s2, e2, _) in zip(runs, runs[1:]):
        between = text[e1:s2].strip()
        if between in ("와", "과", "와는", "과는", "vs", "VS", "대"):
            a, b = _phrase(text, s1, e1), _phrase(text, s2, e2)
            if a and b and a != b:
                pairs.append((a, b))
    return pairs


def _article_facts(text: str, tokenizer: KoreanTokenizer) -> list[tuple[str, str, str | None, bool]]:
    """(label "제5조", title, subject of its first sentence, has a deadline) per article in the chunk."""
    matches = list(_ARTICLE.finditer(text))
    out = []
    for position, match in enumerate(matches):
        body_end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        body = text[match.end() : body_end].strip()
        if len(body) < 8:
            continue
        first = tokenizer.split_sentences(body)
        first_text = first[0].text if first else body
        subject = _subject(list(tokenizer.kiwi.tokenize(first_text)), first_text)
        out.append((f"제{match.group(1)}조", match.group(2).strip(), subject, bool(_DEADLINE.search(body))))
    return out


def _strip_compare(phrase: str) -> str:
    """A table column header without a trailing 비교/기준 word."""
    return re.sub(r"\s*(비교|기준)$", "", phrase.strip())


def analyse_chunk(text: str, tokenizer: KoreanTokenizer) -> ChunkFacts:
    """Everything the templates can use from one chunk's text."""
    clean = _clean_text(text)
    facts = ChunkFacts()
    tokens = list(tokenizer.kiwi.tokenize(clean))
    facts.phrases = _ranked_phrases(_noun_runs(tokens, clean), clean)
    facts.definitions = [m.group(1).strip() for m in _QUOTED_TERM.finditer(clean)]
    facts.definitions += [m.group(1).strip() for m in _GLOSSARY_TERM.finditer(clean)]
    facts.articles = _article_facts(clean, tokenizer)
    facts.steps = [(int(m.group(1) or m.group(2)), m.group(3).strip()) for m in _STEP.finditer(clean)]
    facts.process_topics = [p for p in facts.phrases if re.search(r"(절차|과정|프로세스)$", p) and " " in p]
    facts.comparisons = [(_strip_compare(a), _strip_compare(b)) for a, b in _TABLE_HEADER.findall(clean)]
    facts.faq = [m.group(1).strip() for m in _FAQ_LINE.finditer(clean)]
    previous: str | None = None
    for sentence in tokenizer.split_sentences(clean):
        previous = _sentence_facts(facts, sentence, tokenizer, previous) or previous
    facts.examples = [e for e in facts.examples if e]
    facts.actions = sorted(set(facts.actions), key=lambda a: (-facts.actions.count(a), facts.actions.index(a)))
    return facts


# --- templates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A template question before selection; `strong` when built from a specific pattern."""

    text: str
    qtype: str
    strong: bool


def _definition_candidates(facts: ChunkFacts) -> list[Candidate]:
    strong = [
        Candidate(f"‘{t}’{'이란' if has_final_consonant(t) else '란'} 무엇인가요?", "정의", True)
        for t in facts.definitions
    ]
    strong += [Candidate(f"{josa(t, '은는')} 무엇을 뜻하나요?", "정의", True) for t in facts.definitions]
    terms = [t for t in facts.phrases if " " in t or len(t) >= 3][:3]
    weak = [Candidate(f"{t}의 의미는 무엇인가요?", "정의", False) for t in terms]
    return strong + weak


def _process_candidates(facts: ChunkFacts) -> list[Candidate]:
    out = [Candidate(f"{josa(t, '은는')} 어떤 단계로 진행되나요?", "프로세스", True) for t in facts.process_topics]
    for (number, title), nxt in zip(facts.steps, facts.steps[1:] + [None]):
        out.append(Candidate(f"{number}단계인 ‘{title}’에서는 무엇을 하나요?", "프로세스", True))
        if nxt is not None:
            out.append(Candidate(f"‘{title}’ 단계 다음에는 어떤 단계가 진행되나요?", "프로세스", True))
    actions = [a for a in facts.actions if " " in a][:3]
    out += [Candidate(f"{josa(a, '은는')} 어떤 순서로 진행되나요?", "프로세스", False) for a in actions]
    out += [Candidate(f"{t} 관련 업무는 어떤 순서로 처리되나요?", "프로세스", False) for t in facts.phrases[:2]]
    return out


def _regulation_candidates(facts: ChunkFacts) -> list[Candidate]:
    out = []
    for label, title, subject, deadline in facts.articles:
        if subject and deadline:
            out.append(
                Candidate(f"{label}({title})에 따르면 {josa(subject, '은는')} 언제까지 해야 하나요?", "규정", True)
            )
        elif subject:
            out.append(
                Candidate(f"{label}({title})에 따르면 {josa(subject, '은는')} 어떻게 해야 하나요?", "규정", True)
            )
        else:
            out.append(Candidate(f"{label}({title})에서는 무엇을 정하고 있나요?", "규정", True))
    out += [Candidate(f"{josa(s, '은는')} 언제까지 {a}해야 하나요?", "규정", True) for s, a in facts.deadline_actions]
    out += [Candidate(f"{s}의 기한은 어떻게 정해져 있나요?", "규정", True) for s in facts.deadlines]
    out += [Candidate(f"{s}에 관한 기준은 어떻게 정해져 있나요?", "규정", True) for s, _ in facts.thresholds]
    out += [Candidate(f"{t}에 관한 규정은 무엇인가요?", "규정", False) for t in facts.phrases[:3]]
    return out


def _example_candidates(facts: ChunkFacts) -> list[Candidate]:
    out = [Candidate(f"{t}의 구체적인 예로는 어떤 것이 있나요?", "예시", True) for t in facts.examples]
    out += [
        Candidate(f"{josa(t, '이가')} 적용되는 사례로는 어떤 것이 있나요?", "예시", False) for t in facts.phrases[:3]
    ]
    return out


def _comparison_candidates(facts: ChunkFacts) -> list[Candidate]:
    out = [
        Candidate(f"{josa(a, '와과')} {josa(b, '은는')} 어떻게 다른가요?", "비교", True) for a, b in facts.comparisons
    ]
    out += [
        Candidate(f"{josa(a, '와과')} {b}의 차이는 무엇인가요?", "비교", True) for a, b in _sibling_pairs(facts.phrases)
    ]
    out += [
        Candidate(f"{josa(t, '은는')} 어떤 기준으로 구분되며 각각 어떻게 다른가요?", "비교", False)
        for t in facts.phrases[:2]
    ]
    return out


def _sibling_pairs(phrases: Sequence[str], limit: int = 2) -> list[tuple[str, str]]:
    """Pairs of multi-word phrases sharing their head or their modifier ("단순 변심 반품"/"상품 하자 반품")."""
    multi = [p for p in phrases[:12] if " " in p]
    pairs = []
    for i, a in enumerate(multi):
        for b in multi[i + 1 :]:
            wa, wb = a.split(), b.split()
            if a not in b and b not in a and (wa[-1] == wb[-1] or wa[0] == wb[0]):
                pairs.append((a, b))
    return pairs[:limit]


def _application_candidates(facts: ChunkFacts) -> list[Candidate]:
    out = [Candidate(q, "적용", True) for q in facts.faq]
    out += [Candidate(f"{c} 어떻게 되나요?", "적용", True) for c in facts.conditions]
    out += [
        Candidate(f"{josa(s, '이가')} {josa(v, '이면')} 어떻게 처리되나요?", "적용", True) for s, v in facts.thresholds
    ]
    out += [Candidate(f"{a}할 때는 무엇을 확인해야 하나요?", "적용", False) for a in facts.actions[:2]]
    out += [
        Candidate(f"실제 업무에서 {josa(t, '을를')} 다룰 때 무엇을 확인해야 하나요?", "적용", False)
        for t in facts.phrases[:2]
    ]
    return out


_BUILDERS = {
    "정의": _definition_candidates,
    "프로세스": _process_candidates,
    "규정": _regulation_candidates,
    "예시": _example_candidates,
    "비교": _comparison_candidates,
    "적용": _application_candidates,
}


def template_candidates(
    text: str, tokenizer: KoreanTokenizer, types: Sequence[str] = QUESTION_TYPES
) -> dict[str, list[Candidate]]:
    """Cleaned, de-repeated template questions per type for one chunk (strong ones first)."""
    facts = analyse_chunk(text, tokenizer)
    out: dict[str, list[Candidate]] = {}
    for qtype in types:
        seen: set[str] = set()
        kept = []
        for candidate in sorted(_BUILDERS[qtype](facts), key=lambda c: not c.strong):
            cleaned = clean_question(candidate.text)
            if cleaned is not None and cleaned not in seen:
                seen.add(cleaned)
                kept.append(Candidate(cleaned, qtype, candidate.strong))
        out[qtype] = kept
    return out


# --- cleaning and deduplication ----------------------------------------------------------------

_PREFIX = re.compile(r"^\s*(?:질문\s*[:：]|Q\d*\s*[.:：)]|\d+\s*[.)]|[-*•])\s*")
_QUESTION_END = re.compile(r"(까|요|나|가|니|지|죠|래)$")


def clean_question(text: str, min_chars: int = 6, max_chars: int = 120) -> str | None:
    """One natural Korean question from raw text (template or model line), or None if unusable."""
    text = unicodedata.normalize("NFC", text or "")
    for line in text.splitlines():
        line = _PREFIX.sub("", line).strip().strip("\"“”'`").strip()
        line = re.sub(r"\s+", " ", line)
        if not line or "{" in line or not re.search(r"[가-힣]", line):
            continue
        if not line.endswith("?"):
            if not _QUESTION_END.search(line.rstrip(".")):
                continue
            line = line.rstrip(".") + "?"
        line = line.split("?")[0].strip() + "?"
        if min_chars <= len(line) <= max_chars:
            return line
    return None


def normalise_question(text: str) -> str:
    """Key for exact duplicates: NFC, lowercase, no punctuation or whitespace."""
    text = unicodedata.normalize("NFC", text).lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S"))))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two term sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class QuestionDeduplicator:
    """Accepts a question unless it repeats (normalised) or nearly repeats (morpheme Jaccard) one kept."""

    def __init__(self, tokenizer: KoreanTokenizer, threshold: float = 0.8) -> None:
        self.tokenizer = tokenizer
        self.threshold = threshold
        self._keys: set[str] = set()
        self._terms: list[frozenset[str]] = []
        self._index: dict[str, list[int]] = defaultdict(list)

    def _question_terms(self, text: str) -> frozenset[str]:
        terms = frozenset(self.tokenizer.morphemes(text))
        return terms or frozenset({normalise_question(text)})

    def is_duplicate(self, text: str) -> bool:
        """True when `text` matches a kept question exactly or at Jaccard >= threshold."""
        if normalise_question(text) in self._keys:
            return True
        terms = self._question_terms(text)
        others = {i for term in terms for i in self._index.get(term, ())}
        return any(jaccard(terms, self._terms[i]) >= self.threshold for i in others)

    def add(self, text: str) -> bool:
        """Keep `text` unless it is a duplicate; returns whether it was kept."""
        if self.is_duplicate(text):
            return False
        terms = self._question_terms(text)
        self._keys.add(normalise_question(text))
        for term in terms:
            self._index[term].append(len(self._terms))
        self._terms.append(terms)
        return True


# --- selection ---------------------------------------------------------------------------------


def as_source_chunk(chunk: Any) -> SourceChunk:
    """A `SourceChunk` from a chunk object or mapping with chunk_id (or id), doc_id and text."""
    get = chunk.get if isinstance(chunk, Mapping) else lambda key, default=None: getattr(chunk, key, default)
    chunk_id = get("chunk_id") or get("id")
    text = get("text")
    if chunk_id is None or text is None:
        raise ValueError(f"chunk needs chunk_id (or id) and text: {chunk!r:.120}")
    doc_id = get("doc_id") or str(chunk_id).split("#")[0]
    return SourceChunk(str(chunk_id), str(doc_id), str(text))


def question_id(chunk_id: str, qtype: str, text: str) -> str:
    """Stable id of a question from its chunk, type and normalised text."""
    digest = hashlib.sha1(f"{chunk_id}\x1f{qtype}\x1f{normalise_question(text)}".encode()).hexdigest()
    return f"q-{digest[:12]}"


def _visit_order(chunks: Sequence[SourceChunk]) -> list[SourceChunk]:
    """Chunks round-robin over documents (doc order as first seen, chunk order kept within a doc)."""
    by_doc: dict[str, list[SourceChunk]] = defaultdict(list)
    for chunk in chunks:
        by_doc[chunk.doc_id].append(chunk)
    queues = list(by_doc.values())
    order = []
    for depth in range(max((len(q) for q in queues), default=0)):
        order.extend(q[depth] for q in queues if depth < len(q))
    return order


def _type_order(counts: Counter[str], types: Sequence[str], rotation: int) -> list[str]:
    """Types by how few questions they have so far, ties broken by a per-chunk rotation."""
    rotated = list(types[rotation % len(types) :]) + list(types[: rotation % len(types)])
    return sorted(rotated, key=lambda t: (counts[t], rotated.index(t)))


class _Selector:
    """Picks balanced, deduplicated questions chunk by chunk, up to per-type targets (None: no cap)."""

    def __init__(self, config: QuestionConfig, tokenizer: KoreanTokenizer) -> None:
        self.config = config
        self.targets: dict[str, int] | None = {t: config.per_type for t in config.types} if config.per_type else None
        self.counts: Counter[str] = Counter()
        self.per_chunk: Counter[str] = Counter()
        self.taken: set[tuple[str, str]] = set()
        self.dedup = QuestionDeduplicator(tokenizer, config.near_duplicate_threshold)
        self.selected: list[SyntheticQuestion] = []

    def full(self) -> bool:
        """True when every type has reached its target."""
        return self.targets is not None and all(self.counts[t] >= n for t, n in self.targets.items())

    def open_types(self) -> list[str]:
        """Types still below their target, in the configured order."""
        return [t for t in self.config.types if self.targets is None or self.counts[t] < self.targets.get(t, 0)]

    def take(
        self, chunk: SourceChunk, candidates: dict[str, list[Candidate]], rotation: int, rng: random.Random
    ) -> None:
        """Select up to `per_chunk` questions from one chunk: scarcest type first, strong ones preferred."""
        tried: set[str] = set()
        while self.per_chunk[chunk.chunk_id] < self.config.per_chunk and not self.full():
            order = [
                t
                for t in _type_order(self.counts, self.config.types, rotation)
                if t not in tried and t in self.open_types()
            ]
            if not order:
                return
            tied = [t for t in order if self.counts[t] == self.counts[order[0]]]
            qtype = next((t for t in tied if any(c.strong for c in candidates.get(t, []))), tied[0])
            tried.add(qtype)
            pool = candidates.get(qtype, [])
            self.take_one(chunk, qtype, pool, True, rng) or self.take_one(chunk, qtype, pool, False, rng)

    def take_one(
        self, chunk: SourceChunk, qtype: str, candidates: list[Candidate], strong_pass: bool, rng: random.Random
    ) -> bool:
        """Add one unseen candidate of `qtype` (strong or weak ones, in seeded order); False if none fits."""
        if (chunk.chunk_id, qtype) in self.taken:
            return False
        pool = [c for c in candidates if c.strong == strong_pass]
        rng.shuffle(pool)
        for candidate in pool:
            if self.dedup.add(candidate.text):
                self.add(chunk, qtype, candidate.text, "template", None)
                return True
        return False

    def add(self, chunk: SourceChunk, qtype: str, text: str, source: str, temperature: float | None) -> None:
        """Record a selected question."""
        qid = question_id(chunk.chunk_id, qtype, text)
        self.selected.append(SyntheticQuestion(qid, text, qtype, chunk.chunk_id, chunk.doc_id, source, temperature))
        self.counts[qtype] += 1
        self.per_chunk[chunk.chunk_id] += 1
        self.taken.add((chunk.chunk_id, qtype))


def _chunk_rng(seed: int, chunk_id: str) -> random.Random:
    """A per-chunk random generator, stable across runs and chunk orders."""
    return random.Random(seed * 1_000_003 + zlib.crc32(chunk_id.encode("utf-8")))


def generate_questions(
    chunks: Iterable[Any], config: QuestionConfig | None = None, tokenizer: KoreanTokenizer | None = None
) -> list[SyntheticQuestion]:
    """Template questions for `chunks`, balanced over types and documents, deduplicated."""
    config = config or QuestionConfig()
    tokenizer = tokenizer or KoreanTokenizer()
    selector = _Selector(config, tokenizer)
    for rotation, chunk in enumerate(_visit_order([as_source_chunk(c) for c in chunks])):
        if selector.full():
            break
        candidates = template_candidates(chunk.text, tokenizer, config.types)
        selector.take(chunk, candidates, rotation, _chunk_rng(config.seed, chunk.chunk_id))
    return selector.selected


def type_counts(questions: Iterable[SyntheticQuestion]) -> dict[str, int]:
    """Number of questions per type, in the canonical type order."""
    counts = Counter(q.qtype for q in questions)
    return {t: counts.get(t, 0) for t in QUESTION_TYPES}


# --- LLM path ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """One (chunk, type) the LLM is asked to write a question for."""

    chunk: SourceChunk
    qtype: str
    temperature: float


def _plan_slots(chunks: Sequence[SourceChunk], config: QuestionConfig, temperatures: Sequence[float]) -> list[_Slot]:
    """Balanced (chunk, type) requests: types rotate per chunk; temperatures rotate per request."""
    slots: list[_Slot] = []
    counts: Counter[str] = Counter()
    for rotation, chunk in enumerate(_visit_order(chunks)):
        for qtype in _type_order(counts, config.types, rotation)[: config.per_chunk]:
            if config.per_type is not None and counts[qtype] >= config.per_type:
                continue
            slots.append(_Slot(chunk, qtype, float(temperatures[len(slots) % len(temperatures)])))
            counts[qtype] += 1
    return slots


def generate_with_backend(
    backend: LLMBackend,
    chunks: Iterable[Any],
    config: QuestionConfig | None = None,
    temperatures: Sequence[float] = (0.1, 0.3, 0.4),
    params: GenerationParams | None = None,
    tokenizer: KoreanTokenizer | None = None,
) -> list[SyntheticQuestion]:
    """Questions written by an LLM (temperatures rotated), cleaned and deduplicated like templates.

    A slot whose model output is unusable or a duplicate gets the chunk's template question of the
    same type instead (source `template`); types still short after that are topped up from other
    chunks' templates, so the type balance survives a weak model.
    """
    config = config or QuestionConfig()
    tokenizer = tokenizer or KoreanTokenizer()
    if not temperatures:
        raise ValueError("temperatures must not be empty")
    base = params or GenerationParams(max_new_tokens=64, top_p=0.9)
    sources = [as_source_chunk(c) for c in chunks]
    slots = _plan_slots(sources, config, temperatures)
    outputs = _generate_by_temperature(backend, slots, base)
    selector = _Selector(config, tokenizer)
    selector.targets = dict(Counter(slot.qtype for slot in slots))
    for rotation, (slot, raw) in enumerate(zip(slots, outputs, strict=True)):
        text = clean_question(raw, config.min_chars, config.max_chars)
        if text is not None and (slot.chunk.chunk_id, slot.qtype) not in selector.taken and selector.dedup.add(text):
            selector.add(slot.chunk, slot.qtype, text, "llm", slot.temperature)
            continue
        candidates = template_candidates(slot.chunk.text, tokenizer, (slot.qtype,))[slot.qtype]
        rng = _chunk_rng(config.seed + rotation, slot.chunk.chunk_id)
        selector.take_one(slot.chunk, slot.qtype, candidates, True, rng) or selector.take_one(
            slot.chunk, slot.qtype, candidates, False, rng
        )
    _top_up(selector, sources, tokenizer)
    return selector.selected


def _top_up(selector: _Selector, chunks: Sequence[SourceChunk], tokenizer: KoreanTokenizer) -> None:
    """Fill types left short (unusable output and no template for that chunk) from other chunks' templates."""
    for rotation, chunk in enumerate(_visit_order(chunks)):
        if selector.full():
            return
        if selector.per_chunk[chunk.chunk_id] >= selector.config.per_chunk:
            continue
        candidates = template_candidates(chunk.text, tokenizer, selector.open_types())
        selector.take(chunk, candidates, rotation, _chunk_rng(selector.config.seed, chunk.chunk_id))


def _generate_by_temperature(backend: LLMBackend, slots: Sequence[_Slot], base: GenerationParams) -> list[str]:
    """Run the backend once per distinct temperature and put outputs back in slot order."""
    outputs = [""] * len(slots)
    by_temperature: dict[float, list[int]] = defaultdict(list)
    for index, slot in enumerate(slots):
        by_temperature[slot.temperature].append(index)
    for temperature, indices in by_temperature.items():
        params = GenerationParams(**{**base.__dict__, "temperature": temperature, "do_sample": temperature > 0})
        requests = [
            GenerationRequest(
                build_question_messages(slots[i].chunk.text, slots[i].qtype), request_id=slots[i].chunk.chunk_id
            )
            for i in indices
        ]
        for index, text in zip(indices, backend.generate(requests, params), strict=True):
            outputs[index] = text
    return outputs
