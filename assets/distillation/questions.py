"""Synthetic questions of six types from document chunks: evidence-sentence templates, optional LLM path, dedup.

Types (exact keys): 정의 (definition), 프로세스 (process), 규정 (regulation), 예시 (example),
비교 (comparison), 적용 (application). Every question is tied to its source chunk, the `evidence`
sentence of that chunk it asks about and the `answer` span of that sentence (never contained in the
question). The default generator (`generate_questions`) takes its candidates from
`assets.distillation.evidence` (the sentence rewritten around a question word, so the question keeps
its subject and distinctive terms), preferring type-specific patterns worded in their type's form
(`question_forms`; a question whose form does not show its type is ranked "generic") and sentences
that no other chunk repeats (chunk overlap), one evidence sentence per question within a chunk.
Questions are
picked round-robin over types and documents so the counts stay balanced, and deduplicated
(normalised text, then morpheme Jaccard) by a `QuestionDeduplicator` that callers can share across
calls (the documents of one asset step); `deduplicate_questions` does the same over any list (the
CLI, a whole corpus). The LLM path (`generate_with_backend`) asks for JSON {question, evidence,
answer}, rotates temperatures and validates each output like a template
(`validate_model_question`), falling back to the template question of that slot otherwise.
Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assets.distillation.evidence import (
    Candidate,
    chunk_evidence,
    evidence_candidates,
    has_final_consonant,
    sentence_keys,
)
from resources.korean import KoreanTokenizer
from resources.llm.base import (
    QUESTION_TYPES,
    GenerationParams,
    GenerationRequest,
    LLMBackend,
    Message,
    build_question_messages,
)
from resources.llm.json_output import parse_json_object


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
    evidence: str = ""
    answer: str = ""
    pattern: str = "type"  # how the label was earned: see PATTERNS

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
            "evidence": self.evidence,
            "answer": self.answer,
            "pattern": self.pattern,
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


# --- Korean particles and templates ------------------------------------------------------------

_JOSA = {
    "은는": ("은", "는"),
    "이가": ("이", "가"),
    "을를": ("을", "를"),
    "와과": ("과", "와"),
    "이란": ("이란", "란"),
    "이면": ("이면", "면"),
}


def josa(word: str, kind: str) -> str:
    """`word` followed by the right form of the particle pair `kind` (e.g. "은는", "이가", "와과")."""
    with_final, without_final = _JOSA[kind]
    return word + (with_final if has_final_consonant(word) else without_final)


SHARED_PENALTY = 3  # a sentence other chunks repeat ranks below every pattern of a sentence they do not
# `pattern` of a question, by candidate rank (modulo SHARED_PENALTY): "type" a type-specific pattern,
# "weak" a weaker pattern of the type, "generic" a last resort labelled with the type balance needed
# (its label says little about its wording); "model" a question the model wrote when asked for the type.
PATTERNS = ("type", "weak", "generic")
MODEL_PATTERN = "model"


def _worded(candidate: Candidate) -> bool:
    """Whether a candidate is worded in its type's form (pattern "type" or "weak", not "generic")."""
    return candidate.rank % SHARED_PENALTY < len(PATTERNS) - 1


def pattern_name(candidate: Candidate, source: str) -> str:
    """How `candidate` was made: one of PATTERNS, or MODEL_PATTERN for a model's question."""
    return MODEL_PATTERN if source == "llm" else PATTERNS[min(candidate.rank % SHARED_PENALTY, len(PATTERNS) - 1)]


def _sentence_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def document_title(chunks: Sequence[SourceChunk]) -> str:
    """The first line of a document's first chunk when it reads as a title (a Markdown heading or a
    short line without a sentence ending), else the document id when it is Korean."""
    lines = [line.strip() for line in chunks[0].text.splitlines() if line.strip()] if chunks else []
    if lines and (lines[0].startswith("# ") or (len(lines[0]) <= 40 and not re.search(r"[.다요?!]$", lines[0]))):
        return lines[0].strip("# ").strip()
    doc_id = chunks[0].doc_id if chunks else ""
    return doc_id if re.search(r"[가-힣]", doc_id) else ""


def template_candidates(
    text: str,
    tokenizer: KoreanTokenizer,
    types: Sequence[str] = QUESTION_TYPES,
    title: str = "",
    shared: frozenset[str] = frozenset(),
) -> dict[str, list[Candidate]]:
    """Evidence-sentence questions per type for one chunk, best first: sentences no other chunk repeats
    (`shared` holds whitespace-free keys of repeated sentences; their rank is raised by SHARED_PENALTY),
    then pattern rank, then longer questions (more of the evidence's terms)."""
    candidates = evidence_candidates(chunk_evidence(text, tokenizer, title), tokenizer.kiwi, types)
    out: dict[str, list[Candidate]] = {}
    for qtype, found in candidates.items():
        unique = {c.text: c for c in found}.values()
        ranked = [
            replace(c, rank=c.rank + SHARED_PENALTY) if _sentence_key(c.evidence) in shared else c for c in unique
        ]
        out[qtype] = sorted(ranked, key=lambda c: (c.rank, -len(c.text)))
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
    """Picks balanced, deduplicated questions chunk by chunk, up to per-type targets (None: no cap).

    Within a chunk each question comes from a different evidence sentence when the chunk has enough.
    `dedup` may be shared with other selectors (the documents of one step, a whole corpus)."""

    def __init__(
        self, config: QuestionConfig, tokenizer: KoreanTokenizer, dedup: QuestionDeduplicator | None = None
    ) -> None:
        self.config = config
        self.targets: dict[str, int] | None = {t: config.per_type for t in config.types} if config.per_type else None
        self.counts: Counter[str] = Counter()
        self.per_chunk: Counter[str] = Counter()
        self.taken: set[tuple[str, str]] = set()
        self.used_evidence: set[tuple[str, str]] = set()
        self.dedup = dedup or QuestionDeduplicator(tokenizer, config.near_duplicate_threshold)
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
        """Select up to `per_chunk` questions from one chunk: scarcest type first; among equally scarce
        types one with a candidate worded in its type's form, else one with a strong candidate."""
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
            qtype = next((t for t in tied if any(_worded(c) for c in candidates.get(t, []))), None)
            qtype = qtype or next((t for t in tied if any(c.strong for c in candidates.get(t, []))), tied[0])
            tried.add(qtype)
            self.take_one(chunk, qtype, candidates.get(qtype, []), rng)

    def take_one(self, chunk: SourceChunk, qtype: str, candidates: list[Candidate], rng: random.Random) -> bool:
        """Add the best unseen candidate of `qtype` (fresh evidence first; ties in seeded order)."""
        if (chunk.chunk_id, qtype) in self.taken:
            return False
        pool = list(candidates)
        rng.shuffle(pool)
        pool.sort(key=lambda c: (c.rank, (chunk.chunk_id, c.evidence) in self.used_evidence, -len(c.text)))
        for candidate in pool:
            if self.dedup.add(candidate.text):
                self.add(chunk, candidate, "template", None)
                return True
        return False

    def add(self, chunk: SourceChunk, candidate: Candidate, source: str, temperature: float | None) -> None:
        """Record a selected question."""
        qid = question_id(chunk.chunk_id, candidate.qtype, candidate.text)
        question = SyntheticQuestion(
            qid,
            candidate.text,
            candidate.qtype,
            chunk.chunk_id,
            chunk.doc_id,
            source,
            temperature,
            candidate.evidence,
            candidate.answer,
            pattern_name(candidate, source),
        )
        self.selected.append(question)
        self.counts[candidate.qtype] += 1
        self.per_chunk[chunk.chunk_id] += 1
        self.taken.add((chunk.chunk_id, candidate.qtype))
        self.used_evidence.add((chunk.chunk_id, candidate.evidence))


def _chunk_rng(seed: int, chunk_id: str) -> random.Random:
    """A per-chunk random generator, stable across runs and chunk orders."""
    return random.Random(seed * 1_000_003 + zlib.crc32(chunk_id.encode("utf-8")))


class _CorpusView:
    """What a chunk's templates need from the rest of the corpus: its document's title and the
    sentences that other chunks repeat (overlap between neighbouring chunks, copied passages)."""

    def __init__(self, chunks: Sequence[SourceChunk], tokenizer: KoreanTokenizer) -> None:
        by_doc: dict[str, list[SourceChunk]] = defaultdict(list)
        for chunk in chunks:
            by_doc[chunk.doc_id].append(chunk)
        self.titles = {doc: document_title(doc_chunks) for doc, doc_chunks in by_doc.items()}
        seen: Counter[str] = Counter()
        for chunk in chunks:
            seen.update(sentence_keys(chunk.text))
        self.shared = frozenset(key for key, count in seen.items() if count > 1)

    def candidates(
        self, chunk: SourceChunk, tokenizer: KoreanTokenizer, types: Sequence[str]
    ) -> dict[str, list[Candidate]]:
        """The chunk's template candidates with its document title and the corpus's repeated sentences."""
        return template_candidates(chunk.text, tokenizer, types, self.titles.get(chunk.doc_id, ""), self.shared)


def generate_questions(
    chunks: Iterable[Any],
    config: QuestionConfig | None = None,
    tokenizer: KoreanTokenizer | None = None,
    deduplicator: QuestionDeduplicator | None = None,
) -> list[SyntheticQuestion]:
    """Template questions for `chunks`, balanced over types and documents, deduplicated (against
    `deduplicator` when given, so several calls, e.g. the documents of one step, share it)."""
    config = config or QuestionConfig()
    tokenizer = tokenizer or KoreanTokenizer()
    selector = _Selector(config, tokenizer, deduplicator)
    sources = [as_source_chunk(c) for c in chunks]
    view = _CorpusView(sources, tokenizer)
    for rotation, chunk in enumerate(_visit_order(sources)):
        if selector.full():
            break
        candidates = view.candidates(chunk, tokenizer, config.types)
        selector.take(chunk, candidates, rotation, _chunk_rng(config.seed, chunk.chunk_id))
    return selector.selected


def deduplicate_questions(
    questions: Iterable[SyntheticQuestion], tokenizer: KoreanTokenizer, threshold: float = 0.8
) -> list[SyntheticQuestion]:
    """The questions that repeat no earlier one (normalised text or morpheme Jaccard >= threshold),
    across all documents, in input order."""
    dedup = QuestionDeduplicator(tokenizer, threshold)
    return [q for q in questions if dedup.add(q.question)]


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


QUESTION_JSON_SYSTEM_PROMPT = (
    "당신은 사내 문서로 학습용 질문을 만드는 한국어 출제자입니다.\n"
    "주어진 문서 조각에서 근거 문장 하나를 골라, 그 문장의 특정 부분"
    "(숫자, 기간, 단계 이름, 용어의 뜻, 조건의 결과, 차이)을 묻는 질문 하나를 만드세요.\n"
    "질문은 문서를 보지 않아도 무엇을 묻는지 알 수 있게 주제와 핵심 용어를 포함하고, 답은 포함하지 마세요.\n"
    'JSON 객체 하나만 출력하세요: {"question": "질문", "evidence": "문서 조각의 근거 문장 그대로", '
    '"answer": "근거 문장 안의 답 부분 그대로"}'
)


def question_json_messages(chunk_text: str, qtype: str) -> tuple[Message, ...]:
    """System + user messages asking for one question of type `qtype` as JSON (question, evidence, answer)."""
    _, user = build_question_messages(chunk_text, qtype)
    return (
        {"role": "system", "content": QUESTION_JSON_SYSTEM_PROMPT},
        {**user, "content": user["content"] + " (JSON)"},
    )


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def validate_model_question(raw: str, chunk_text: str, config: QuestionConfig) -> tuple[str, str, str] | None:
    """(question, evidence, answer) from a model's JSON output when it holds: the evidence is a sentence
    of the chunk, the answer a span of the evidence, and the question does not contain the answer."""
    obj = parse_json_object(
        raw or "", lambda o: all(isinstance(o.get(k), str) for k in ("question", "evidence", "answer"))
    )
    if obj is None:
        return None
    question = clean_question(obj["question"], config.min_chars, config.max_chars)
    evidence, answer = _collapse(obj["evidence"]).rstrip(), _collapse(obj["answer"]).strip(" .")
    if question is None or len(evidence) < 8 or evidence not in _collapse(chunk_text):
        return None
    if len(answer) < 1 or answer not in evidence or answer in question:
        return None
    return question, evidence, answer


def generate_with_backend(
    backend: LLMBackend,
    chunks: Iterable[Any],
    config: QuestionConfig | None = None,
    temperatures: Sequence[float] = (0.1, 0.3, 0.4),
    params: GenerationParams | None = None,
    tokenizer: KoreanTokenizer | None = None,
    deduplicator: QuestionDeduplicator | None = None,
) -> list[SyntheticQuestion]:
    """Questions written by an LLM as JSON (question, evidence, answer; temperatures rotated), validated
    like the templates (`validate_model_question`) and deduplicated.

    A slot whose model output is unusable or a duplicate gets the chunk's template question of the
    same type instead (source `template`); types still short after that are topped up from other
    chunks' templates, so the type balance survives a weak model.
    """
    config = config or QuestionConfig()
    tokenizer = tokenizer or KoreanTokenizer()
    if not temperatures:
        raise ValueError("temperatures must not be empty")
    base = params or GenerationParams(max_new_tokens=192, top_p=0.9)
    sources = [as_source_chunk(c) for c in chunks]
    slots = _plan_slots(sources, config, temperatures)
    outputs = _generate_by_temperature(backend, slots, base)
    selector = _Selector(config, tokenizer, deduplicator)
    selector.targets = dict(Counter(slot.qtype for slot in slots))
    view = _CorpusView(sources, tokenizer)
    for rotation, (slot, raw) in enumerate(zip(slots, outputs, strict=True)):
        if (slot.chunk.chunk_id, slot.qtype) in selector.taken:
            continue
        valid = validate_model_question(raw, slot.chunk.text, config)
        if valid is not None and selector.dedup.add(valid[0]):
            candidate = Candidate(valid[0], slot.qtype, True, valid[1], valid[2])
            selector.add(slot.chunk, candidate, "llm", slot.temperature)
            continue
        candidates = view.candidates(slot.chunk, tokenizer, (slot.qtype,))[slot.qtype]
        selector.take_one(slot.chunk, slot.qtype, candidates, _chunk_rng(config.seed + rotation, slot.chunk.chunk_id))
    _top_up(selector, sources, view, tokenizer)
    return selector.selected


def _top_up(selector: _Selector, chunks: Sequence[SourceChunk], view: _CorpusView, tokenizer: KoreanTokenizer) -> None:
    """Fill types left short (unusable output and no template for that chunk) from other chunks' templates."""
    for rotation, chunk in enumerate(_visit_order(chunks)):
        if selector.full():
            return
        if selector.per_chunk[chunk.chunk_id] >= selector.config.per_chunk:
            continue
        candidates = view.candidates(chunk, tokenizer, selector.open_types())
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
                question_json_messages(slots[i].chunk.text, slots[i].qtype), request_id=slots[i].chunk.chunk_id
            )
            for i in indices
        ]
        for index, text in zip(indices, backend.generate(requests, params), strict=True):
            outputs[index] = text
    return outputs
