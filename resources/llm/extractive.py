"""The default offline teacher: answers by extracting the context sentences that best answer a question.

Every retrieved context is split into paragraphs (lines joined by the reflow rules of
`resources.text_lines`, so a hard-wrapped sentence stays whole) and then Kiwi sentences, never
split inside a word (list marks and headings are not candidates). Each sentence gets a lexical
score against the question: BM25 over morphemes (a `BM25Index` over the sentences of the given
contexts, never-negative "smoothed" idf) + shared adjacent morpheme pairs + shared character
bigrams (robust to spacing and compounds) + a share of its neighbours' score (answers often sit
right after the sentence that restates the question).
That is multiplied by question-type cues the sentence satisfies with new information (a date for
"언제", a counted unit for "몇 명", a number for "얼마", a proper noun for "누구/어디", a definition for
"무엇/뜻", steps for "절차/어떻게", a cause for "왜") and by the retrieval rank weight of its
context. The best sentence is kept, then neighbours and runners-up that score close enough, within
`max_sentences` and `max_chars`. A request's question type (`GenerationRequest.qtype`) picks an
answer shape (`TYPE_SHAPES`): 정의 the defining sentence first, 프로세스 the following steps in
document order, 규정 the sentence with the number or condition first, 비교 a sentence on the other
compared side.
Sentences are verbatim slices of a context (a line break inside one becomes a space in the answer
text), so the answer is grounded by construction and starts and ends at word boundaries; the result
is deterministic. On KorQuAD 1.0 dev with top-3 hybrid retrieval: 92% of answers contain the gold
answer at a median of 166 characters (benchmarks/teacher_korquad.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from resources.korean import KoreanTokenizer, tagged_forms
from resources.llm.base import (
    NO_ANSWER_TEXT,
    Context,
    GenerationParams,
    GenerationRequest,
    Message,
    format_citation,
    plain_chat_format,
)
from resources.retrieval.bm25 import BM25Index, smoothed_idf
from resources.text_lines import paragraph_spans

# Question words and light morphemes that carry no content for matching.
QUESTION_STOP_TERMS: frozenset[str] = frozenset(
    (
        "무엇 누구 어디 언제 얼마 몇 어느 어떤 어떻 어떠 어떻게 왜 무슨 뭐 무엇인가 "
        "것 수 등 때 중 하 되 있 없 이 그 저 이것 그것 여기 거기 곳 경우 해당 "
        "가지 말 알 위"
    ).split()
)

_DATE_UNITS = frozenset("년 월 일 세기 시 분 초 연도 년도 년대 개월 주 주일 시간 분기 학기".split())
_TIME_WORDS = frozenset("오전 오후 새벽 저녁 아침 밤 초순 중순 하순 상반기 하반기 당시 이후 이전".split())

_CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "time": re.compile(
        r"언제|며칠|몇\s*(년|월|일|시|세기|개월|주)|연도|년도|날짜|날은|날이|시기|기한|까지|몇\s*살|나이"
    ),
    "quantity": re.compile(r"얼마|몇|금액|비율|비용|가격|수는|수가|규모|횟수|퍼센트|%|인원|기간"),
    "person": re.compile(r"누구|누가|인물|사람|이름은|선수|감독|작가|저자|대통령|왕은"),
    "place": re.compile(r"어디|어느\s*(곳|나라|지역|도시)|장소|지역|위치|국가는|나라는"),
    "definition": re.compile(r"무엇|뭐|뜻|의미|정의|(이)?란\s|이란|란\?|개념"),
    "process": re.compile(r"절차|어떻게|방법|단계|순서|과정|처리"),
    "reason": re.compile(r"왜|이유|원인|목적|까닭"),
}

_SENTENCE_PATTERNS: dict[str, re.Pattern[str]] = {
    "definition": re.compile(
        r"(이)?란\s|(을|를)\s*(말|뜻|의미|가리키|지칭)(한|하는)|(이)?라고\s*(한다|부른다|불린다)|의\s*약자|정의"
    ),
    "process": re.compile(r"\d+\s*단계|[①-⑳]|(^|\s)\d+[.)]\s|먼저|다음으로|이후|마지막으로|→|순서|절차"),
    "reason": re.compile(r"때문|위해|위하여|(으)?로\s*인해|(으)?로\s*인하여|이유|원인|덕분"),
}


@dataclass(frozen=True)
class ExtractiveConfig:
    """Scoring and selection knobs of the extractive teacher (defaults tuned on KorQuAD 1.0 dev).

    Selection: at most `max_sentences` sentences and `max_chars` characters; after the best one,
    candidates scoring at least `runner_up_ratio` x best (neighbours of the best get
    `neighbour_boost` x best added first, and also qualify at `neighbour_ratio` x best; only the
    next sentence with `next_only`). Scoring: BM25 `k1`/`b`/`idf_variant`; `bigram_weight` for shared adjacent
    morpheme pairs; `char_weight` for shared character bigrams; `context_smoothing` share of the
    neighbours' lexical score; `cue_weight` per satisfied question-type cue (at most two);
    `rank_weights` by retrieval rank (the last repeats).
    """

    max_sentences: int = 3
    max_chars: int = 200
    rank_weights: tuple[float, ...] = (1.0, 0.8, 0.65, 0.55, 0.5, 0.45)
    k1: float = 1.2
    b: float = 0.5
    idf_variant: str = "smoothed"  # "okapi" (the retriever's) answers 0.9217 on KorQuAD vs 0.9219 here
    bigram_weight: float = 0.5
    char_weight: float = 0.3
    cue_weight: float = 0.5
    runner_up_ratio: float = 0.3
    neighbour_ratio: float = 0.5
    neighbour_boost: float = 0.3
    next_only: bool = False
    context_smoothing: float = 0.1
    min_score: float = 1e-6


@dataclass(frozen=True)
class AnswerShape:
    """How one question type's answer is put together from the scored sentences.

    `max_sentences` (None: the config's) bounds the answer. `lead` picks its first sentence: "best"
    the best-scoring one, "rule" the best-scoring one that states a number or a condition (else the
    best); "" keeps every sentence in context order. `steps` adds, after the usual picks (at most
    the config's `max_sentences`), the sentences that follow the best one in its context and read as
    steps (a step number, ①, "먼저", "다음으로", an arrow …), in document order. `cover` then adds the
    runner-up holding most of the question terms the answer lacks (the other side of a comparison).
    Additions stay within `max_sentences` and `max_chars`, so a shape never drops a sentence the
    default shape would pick; the other sentences stay in context order after the lead.
    """

    max_sentences: int | None = None
    lead: str = ""
    cover: bool = False
    steps: bool = False


DEFAULT_SHAPE = AnswerShape()

# Per question type: 정의 the defining (best) sentence first; 프로세스 the steps that follow the best
# sentence, in document order; 규정 the sentence with the number or condition first; 비교 a sentence
# covering the other compared side. 예시 and 적용 keep the default shape. Chosen so that none lowers
# gold-in-answer on KorQuAD's tuning part (benchmarks/classifier_teacher_shaping.py).
TYPE_SHAPES: dict[str, AnswerShape] = {
    "정의": AnswerShape(lead="best"),
    "프로세스": AnswerShape(max_sentences=5, steps=True),
    "규정": AnswerShape(lead="rule"),
    "비교": AnswerShape(max_sentences=4, cover=True),
}


@dataclass(frozen=True)
class AnswerSentence:
    """One extracted sentence: verbatim `text` at `[start, end)` of context `chunk_id`."""

    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    rank: int


@dataclass(frozen=True)
class ExtractiveAnswer:
    """The teacher's answer: text (sentences joined by newlines), cited chunk ids, the sentences."""

    text: str
    cited_ids: tuple[str, ...]
    sentences: tuple[AnswerSentence, ...]

    @property
    def answered(self) -> bool:
        """False when no context sentence matched the question."""
        return bool(self.sentences)

    def with_citation(self) -> str:
        """The answer text followed by its `[출처: ...]` line (the backend's generated-text form)."""
        return f"{self.text}\n{format_citation(self.cited_ids)}" if self.cited_ids else self.text


@dataclass(frozen=True)
class _Sentence:
    """A candidate sentence with its index terms and the cue features of its morphemes."""

    chunk_id: str
    rank: int
    index: int
    text: str
    start: int
    end: int
    terms: tuple[str, ...]
    numbers: frozenset[str]
    proper_nouns: frozenset[str]
    has_date: bool
    bigrams: frozenset[str]
    counted_units: frozenset[str]


@dataclass(frozen=True)
class _Question:
    """Content terms of a question, its adjacent term pairs and the answer-type cues it shows."""

    terms: tuple[str, ...]
    pairs: frozenset[tuple[str, str]]
    cues: frozenset[str]
    numbers: frozenset[str]
    proper_nouns: frozenset[str]
    bigrams: frozenset[str]
    units: frozenset[str]


@dataclass
class _SentenceCache:
    """Per-text cache of sentence splits, so contexts retrieved for many questions are analysed once."""

    capacity: int = 4096
    items: dict[str, list[tuple[str, int, int, list[Any]]]] = field(default_factory=dict)

    def get(self, text: str) -> list[tuple[str, int, int, list[Any]]] | None:
        return self.items.get(text)

    def put(self, text: str, value: list[tuple[str, int, int, list[Any]]]) -> None:
        if len(self.items) >= self.capacity:
            self.items.pop(next(iter(self.items)))
        self.items[text] = value


class ExtractiveTeacher:
    """Offline teacher backend: grounded answers built from verbatim context sentences."""

    name = "extractive"

    def __init__(self, tokenizer: KoreanTokenizer | None = None, config: ExtractiveConfig | None = None) -> None:
        self.tokenizer = tokenizer or KoreanTokenizer()
        self.config = config or ExtractiveConfig()
        self._cache = _SentenceCache()

    # -- LLMBackend interface -------------------------------------------------------------------

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        """Answer each request from its structured question and contexts, with a citation line."""
        return [self.answer(*_question_and_contexts(r), qtype=r.qtype).with_citation() for r in requests]

    def format_chat(self, messages: Sequence[Message]) -> str:
        """Plain rendering of the chat (the extractive teacher reads structured fields instead)."""
        return plain_chat_format(messages)

    # -- answering ------------------------------------------------------------------------------

    def answer(self, question: str, contexts: Sequence[Context], qtype: str | None = None) -> ExtractiveAnswer:
        """Extract the sentences of `contexts` (in retrieval order) that best answer `question`, in the
        answer shape of `qtype` when given (TYPE_SHAPES; other types and None: the default shape)."""
        parsed = self._parse_question(question)
        sentences = [s for rank, (cid, text) in enumerate(contexts) for s in self._sentences(cid, text, rank)]
        if not sentences or not parsed.terms:
            return ExtractiveAnswer(NO_ANSWER_TEXT, (), ())
        shape = TYPE_SHAPES.get(qtype or "", DEFAULT_SHAPE)
        scores = self._score(parsed, sentences)
        chosen = self._select(sentences, scores, shape, parsed)
        if not chosen:
            return ExtractiveAnswer(NO_ANSWER_TEXT, (), ())
        return self._assemble(sentences, scores, chosen, _lead(shape.lead, chosen, sentences))

    # -- analysis -------------------------------------------------------------------------------

    def _parse_question(self, question: str) -> _Question:
        """Content terms, adjacent pairs, cue set, numbers and proper nouns of a question."""
        tokens = list(self.tokenizer.kiwi.tokenize(question))
        terms = [t for t in self.tokenizer.terms(tokens) if t not in QUESTION_STOP_TERMS]
        pairs = frozenset(zip(terms, terms[1:]))
        cues = frozenset(name for name, pattern in _CUE_PATTERNS.items() if pattern.search(question))
        numbers = frozenset(tagged_forms(tokens, ("SN",)))
        proper = frozenset(tagged_forms(tokens, ("NNP",), lowercase=True))
        stripped = _CUE_STRIP.sub("", question)
        units = frozenset(b.form for a, b in zip(tokens, tokens[1:]) if a.form == "몇" and b.tag.startswith("NN"))
        return _Question(tuple(terms), pairs, cues, numbers, proper, _char_bigrams(stripped), units)

    def _split(self, text: str) -> list[tuple[str, int, int, list[Any]]]:
        """Kiwi sentences of each paragraph of `text` with their tokens and spans in `text` (cached per text).

        Paragraphs are runs of lines joined by the reflow rules (`paragraph_spans`): a sentence
        hard-wrapped over lines stays whole, while a list mark such as "②", a heading line or a
        table row stays a boundary (Kiwi alone would glue them to the sentence before). Kiwi sees
        the paragraph with its newlines as spaces, so spans map one-to-one onto `text`; a split
        that Kiwi makes inside a word ("것이었다|면") is undone by merging the two sentences.
        """
        cached = self._cache.get(text)
        if cached is None:
            cached = []
            for start, end in paragraph_spans(text):
                paragraph = text[start:end].replace("\n", " ")
                sentences = self.tokenizer.kiwi.split_into_sents(paragraph, return_tokens=True)
                spans = _merge_word_cuts(paragraph, [(s.start, s.end, list(s.tokens)) for s in sentences])
                cached += [(text[start + a : start + b], start + a, start + b, tokens) for a, b, tokens in spans]
            self._cache.put(text, cached)
        return cached

    def _sentences(self, chunk_id: str, text: str, rank: int) -> list[_Sentence]:
        """Candidate sentences of one context, with terms and cue features."""
        out = []
        for index, (sent_text, start, end, tokens) in enumerate(self._split(text)):
            terms = tuple(self.tokenizer.terms(tokens))
            if not _is_statement(sent_text, terms):
                continue
            out.append(
                _Sentence(
                    chunk_id=chunk_id,
                    rank=rank,
                    index=index,
                    text=text[start:end],
                    start=start,
                    end=end,
                    terms=terms,
                    numbers=frozenset(tagged_forms(tokens, ("SN",))),
                    proper_nouns=frozenset(tagged_forms(tokens, ("NNP",), lowercase=True)),
                    has_date=_has_date(tokens),
                    bigrams=_char_bigrams(text[start:end]),
                    counted_units=_counted_units(tokens),
                )
            )
        return out

    # -- scoring --------------------------------------------------------------------------------

    def _score(self, question: _Question, sentences: Sequence[_Sentence]) -> list[float]:
        """Rank-weighted lexical score, times the cue factor, for every candidate sentence."""
        index = BM25Index.build(
            [s.terms for s in sentences], self.config.k1, self.config.b, idf_variant=self.config.idf_variant
        )
        bm25 = index.scores(list(dict.fromkeys(question.terms)))
        idf = {t: float(index.idf[index.vocabulary[t]]) for t in question.terms if t in index.vocabulary}
        char_idf = _char_idf(question.bigrams, sentences) if self.config.char_weight else {}
        lexical = [self._lexical(question, s, float(v), idf, char_idf) for s, v in zip(sentences, bm25)]
        lexical = self._smooth(sentences, lexical)
        return [
            value * (1.0 + self.config.cue_weight * _cue_hits(question, s)) * self._rank_weight(s.rank)
            for s, value in zip(sentences, lexical)
        ]

    def _lexical(
        self, question: _Question, sentence: _Sentence, bm25: float, idf: dict[str, float], char_idf: dict[str, float]
    ) -> float:
        """Morpheme BM25 + adjacent-pair bonus + character-bigram overlap of one sentence."""
        value = bm25 + self.config.bigram_weight * _pair_matches(question.pairs, sentence.terms, idf)
        if char_idf:
            value += self.config.char_weight * sum(char_idf[g] for g in question.bigrams & sentence.bigrams)
        return value

    def _smooth(self, sentences: Sequence[_Sentence], lexical: list[float]) -> list[float]:
        """Add a share of the neighbours' lexical score (answers often follow the matching sentence)."""
        gamma = self.config.context_smoothing
        if not gamma:
            return lexical
        smoothed = list(lexical)
        for i, sentence in enumerate(sentences):
            for j in (i - 1, i + 1):
                if 0 <= j < len(sentences) and sentences[j].chunk_id == sentence.chunk_id:
                    smoothed[i] += gamma * lexical[j]
        return smoothed

    def _rank_weight(self, rank: int) -> float:
        """Weight of a context by its retrieval rank (the last weight repeats)."""
        weights = self.config.rank_weights
        return weights[min(rank, len(weights) - 1)]

    # -- selection ------------------------------------------------------------------------------

    def _select(
        self,
        sentences: Sequence[_Sentence],
        scores: Sequence[float],
        shape: AnswerShape = DEFAULT_SHAPE,
        question: _Question | None = None,
    ) -> list[int]:
        """Indices of the chosen sentences: the best, then a close neighbour or runner-up in budget."""
        order = sorted(range(len(sentences)), key=lambda i: (-scores[i], sentences[i].rank, sentences[i].index))
        best = order[0]
        if scores[best] <= self.config.min_score:
            return []
        limit = shape.max_sentences if shape.max_sentences is not None else self.config.max_sentences
        candidates = self._extra_candidates(sentences, scores, order, best)
        if not (shape.cover or shape.steps):
            return self._fill([best], candidates, sentences, limit)
        chosen = self._fill([best], candidates, sentences, min(limit, self.config.max_sentences))
        if shape.steps:
            chosen = self._fill(chosen, _following_steps(best, sentences), sentences, limit)
        covering = _most_covering(candidates, sentences, chosen, question) if shape.cover and question else None
        return chosen if covering is None else self._fill(chosen, [covering], sentences, limit)

    def _fill(
        self, chosen: list[int], candidates: Sequence[int], sentences: Sequence[_Sentence], limit: int
    ) -> list[int]:
        """`chosen` plus the candidates, in order, that are new and fit `limit` sentences and `max_chars`."""
        chosen = list(chosen)
        seen = {_squash(sentences[i].text) for i in chosen}
        used = sum(len(sentences[i].text) for i in chosen) + len(chosen) - 1
        for candidate in candidates:
            if len(chosen) >= limit:
                break
            extra = len(sentences[candidate].text) + 1
            key = _squash(sentences[candidate].text)
            if key not in seen and used + extra <= self.config.max_chars:
                chosen.append(candidate)
                seen.add(key)
                used += extra
        return chosen

    def _extra_candidates(
        self, sentences: Sequence[_Sentence], scores: Sequence[float], order: Sequence[int], best: int
    ) -> list[int]:
        """Further sentences worth adding: runners-up close to the best, then close neighbours of it."""
        top = scores[best]
        cfg = self.config

        def adjacent(i: int) -> bool:
            gap = sentences[i].index - sentences[best].index
            return sentences[i].chunk_id == sentences[best].chunk_id and (gap == 1 or (gap == -1 and not cfg.next_only))

        adjusted = {i: scores[i] + (cfg.neighbour_boost * top if adjacent(i) else 0.0) for i in order[1:]}
        ranked = sorted(adjusted, key=lambda i: (-adjusted[i], sentences[i].rank, sentences[i].index))
        return [
            i
            for i in ranked
            if adjusted[i] >= cfg.runner_up_ratio * top or (adjacent(i) and scores[i] >= cfg.neighbour_ratio * top)
        ]

    def _assemble(
        self, sentences: Sequence[_Sentence], scores: Sequence[float], chosen: Sequence[int], lead: int | None = None
    ) -> ExtractiveAnswer:
        """Order chosen sentences by context rank and position (after `lead`, when given); cite their
        contexts in that order."""
        ordered = sorted(chosen, key=lambda i: (i != lead, sentences[i].rank, sentences[i].start))
        picked = tuple(
            AnswerSentence(s.chunk_id, s.text, s.start, s.end, round(scores[i], 6), s.rank)
            for i in ordered
            for s in [sentences[i]]
        )
        text = "\n".join(s.text.strip().replace("\n", " ") for s in picked)
        cited = tuple(dict.fromkeys(s.chunk_id for s in picked))
        return ExtractiveAnswer(text, cited, picked)


_RULE_WORDS = re.compile(r"이내|이상|이하|초과|미만|까지|부터|해야|하여야|할 수 없|안 된다|금지|경우")


def _states_rule(sentence: _Sentence) -> bool:
    """True when a sentence states a number or a condition (a deadline, threshold, obligation)."""
    return bool(sentence.numbers) or bool(_RULE_WORDS.search(sentence.text))


def _most_covering(
    candidates: Sequence[int], sentences: Sequence[_Sentence], chosen: Sequence[int], question: _Question
) -> int | None:
    """The not-yet-chosen candidate holding most question terms the chosen sentences lack (the other side
    of a comparison); None when no candidate adds a question term."""
    missing = set(question.terms) - {t for i in chosen for t in sentences[i].terms}
    gains = {i: len(missing & set(sentences[i].terms)) for i in candidates if i not in chosen}
    best = max(gains, key=lambda i: gains[i], default=None)
    return best if best is not None and gains[best] > 0 else None


def _following_steps(best: int, sentences: Sequence[_Sentence]) -> list[int]:
    """The run of sentences right after `best` in its context that read as steps, in document order."""
    run = []
    for i in range(best + 1, len(sentences)):
        if sentences[i].chunk_id != sentences[best].chunk_id or not _SENTENCE_PATTERNS["process"].search(
            sentences[i].text
        ):
            break
        run.append(i)
    return run


def _lead(kind: str, chosen: Sequence[int], sentences: Sequence[_Sentence]) -> int | None:
    """The chosen sentence that opens the answer: the best (chosen[0]) for "best", the best-scoring
    one stating a number or condition for "rule" (the best when none does), None for ""."""
    if kind == "best":
        return chosen[0]
    if kind == "rule":
        return next((i for i in chosen if _states_rule(sentences[i])), chosen[0])
    return None


def _inside_word(text: str, position: int) -> bool:
    """True when `position` falls between two letters or digits of `text`."""
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


def _merge_word_cuts(text: str, spans: list[tuple[int, int, list[Any]]]) -> list[tuple[int, int, list[Any]]]:
    """Sentence spans of `text` with every pair split inside a word merged into one sentence."""
    merged: list[tuple[int, int, list[Any]]] = []
    for start, end, tokens in spans:
        if merged and (_inside_word(text, merged[-1][1]) or _inside_word(text, start)):
            previous_start, _, previous_tokens = merged[-1]
            merged[-1] = (previous_start, end, previous_tokens + tokens)
        else:
            merged.append((start, end, tokens))
    return merged


def _squash(text: str) -> str:
    """Whitespace-free form of a sentence, to skip the same sentence repeated in two contexts."""
    return re.sub(r"\s+", "", text)


def _is_statement(text: str, terms: Sequence[str]) -> bool:
    """False for list marks, headings and other fragments that cannot answer anything on their own."""
    stripped = text.strip()
    if len(terms) < 2 or len(stripped) < 8:
        return False
    return stripped.endswith((".", "?", "!", "다", "요", "음", "함", "됨")) or len(stripped) >= 25


def _question_and_contexts(request: GenerationRequest) -> tuple[str, tuple[Context, ...]]:
    """The question and contexts of a request; the last user message when no question is set."""
    if request.question is not None:
        return request.question, request.contexts
    users = [m["content"] for m in request.messages if m.get("role") == "user"]
    return (users[-1] if users else ""), request.contexts


def _has_date(tokens: Sequence[Any]) -> bool:
    """True when a number is followed by a date/time unit, or a time word occurs."""
    for previous, token in zip(tokens, tokens[1:]):
        if previous.tag == "SN" and token.form in _DATE_UNITS:
            return True
    return any(t.form in _TIME_WORDS for t in tokens)


_NATIVE_NUMERALS = frozenset(
    ("한 두 세 네 다섯 여섯 일곱 여덟 아홉 열 스무 서른 마흔 쉰 수십 수백 수천 몇몇 여러").split()
)


def _counted_units(tokens: Sequence[Any]) -> frozenset[str]:
    """Units directly preceded by a number or a native numeral (`24명`, `두 골`)."""
    return frozenset(
        b.form
        for a, b in zip(tokens, tokens[1:])
        if (a.tag == "SN" or a.form in _NATIVE_NUMERALS) and b.tag.startswith("NN")
    )


_CUE_STRIP = re.compile(r"무엇|누구|어디|언제|얼마|몇|어느|어떤|어떻게|인가|입니까|는가|나요|[?？\s]")


def _char_bigrams(text: str) -> frozenset[str]:
    """Character bigrams of `text` without whitespace (robust to spacing and compound splits)."""
    compact = re.sub(r"\s+", "", text)
    return frozenset(compact[i : i + 2] for i in range(len(compact) - 1))


def _char_idf(bigrams: frozenset[str], sentences: Sequence[_Sentence]) -> dict[str, float]:
    """Smoothed BM25 idf of the question's character bigrams over the candidate sentences."""
    ordered = sorted(bigrams)
    doc_freq = Counter(g for s in sentences for g in s.bigrams & bigrams)
    idf = smoothed_idf(np.array([doc_freq[g] for g in ordered]), len(sentences))
    return dict(zip(ordered, idf.tolist()))


def _pair_matches(pairs: frozenset[tuple[str, str]], terms: Sequence[str], idf: dict[str, float]) -> float:
    """IDF mass of question term pairs that also occur adjacently in the sentence."""
    if not pairs:
        return 0.0
    found = pairs & set(zip(terms, terms[1:]))
    return sum(idf[a] + idf[b] for a, b in found) / 2


def _cue_hits(question: _Question, sentence: _Sentence) -> int:
    """Number of the question's answer-type cues the sentence satisfies with new information."""
    hits = 0
    new_numbers = sentence.numbers - question.numbers
    text = sentence.text
    if question.units & sentence.counted_units:
        hits += 2
    for cue in question.cues:
        if cue == "time":
            hits += sentence.has_date and bool(new_numbers or not sentence.numbers)
        elif cue == "quantity":
            hits += bool(new_numbers)
        elif cue in ("person", "place"):
            hits += bool(sentence.proper_nouns - question.proper_nouns)
        elif cue in _SENTENCE_PATTERNS:
            hits += bool(_SENTENCE_PATTERNS[cue].search(text))
    return min(hits, 2)
