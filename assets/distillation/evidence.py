"""Evidence-sentence question templates: each question asks for one span of one sentence of its chunk.

A chunk is read line by line (headings kept as the topic of the lines under them, tables and
metadata lines skipped) and split into sentences with Kiwi. For each sentence the builders look
for a span to ask about and turn the sentence into a question that keeps every other word of it
(so it names its subject and stays retrievable), replacing the span by a question word with the
right particle and the final verb by a question ending (`kiwi.join`: "완료하여야 한다" →
"완료하여야 하나요", "절차이다" → "절차인가요"):

- 규정: a number with its unit (deadline, amount, limit, count, date) → 며칠 / 얼마 / 몇 시간 / 언제;
- 정의: the definition of a term ("X란 Y를 말한다", "X — Y", "X는 … Y이다") → "X란 무엇인가요?", or
  the definition asked the other way round ("…것을 무엇이라고 하나요?");
- 프로세스: a numbered step's name ("1단계. 반품 신청: …" → "…하는 단계는 무엇인가요?", "반품 처리
  절차의 1단계는 무엇인가요?"), what follows an action ("…확인한 후 3영업일 이내에 환불한다" →
  "…확인한 후에는 무엇을 하나요?"), or the object of a sequenced action;
- 예시: a whole list ("…에는 A, B, C 등이 있다" → "…에는 어떤 것들이 있나요?", "A, B 등의 X" → "X의
  예로는 어떤 것들이 있나요?"), a listed example or a named thing after an example cue;
- 비교: two things set against each other ("A는 B보다 …", "A와 달리 B는 …", "A는 … 반면 B는 …",
  "A와 B는 …이 다르다" → "A와 B는 어떻게 다른가요?"), or what is compared ("A보다", "A와 달리");
- 적용: the consequence of a condition ("…하지 않으면 [반품은] 어떻게 되나요?").

Every candidate records its `evidence` (the sentence) and `answer` (a substring of it that the
question does not contain). Its wording comes from `assets.distillation.question_forms.mark_type`:
a question whose whole form shows its type is kept, in one of its type's wordings of the same
question ("X는 무슨 뜻인가요?", "…한 후에는 어떻게 진행되나요?", "A와 B의 차이는 무엇인가요?" …);
one whose form does not is kept as built and ranked "generic" (rank 2), and selection prefers
worded candidates. No cue is put in front of a question. Noun phrases keep mixed tokens whole (B2B,
3DS, API 키, 제12조). A sentence that opens with a demonstrative or connective ("이 경우", "그는")
gets its topic (the heading above it, else the document title) in front. Each type also has weaker
builders over any sentence (the object or subject of the clause), so every chunk can serve every
type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assets.distillation.question_forms import has_final_consonant, mark_type
from resources.korean import KoreanTokenizer

NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "SN", "NR"})
_GLUE_TAGS = frozenset({"XSN", "NNB", "XR", "XPN", "SN", "SL", "NR"})
_UNITS = frozenset(
    "원 만 천 억 일 영업일 시간 개월 년 월 주 점 회 자 분 초 건 개 명 % 차 세 배 곳 종 위 등급 단계 조".split()
)
_RULE_CUE = re.compile(
    r"해야|하여야|야 한다|할 수 없|수 없|금지|불가|허용되지|않는다|이내|까지|이상|이하|초과|미만|마다|최대|최소|한도"
)
_SEQUENCE_CUE = re.compile(r"단계|다음|후에|뒤에|먼저|이어서|거쳐|순서|절차|마지막으로|그 후|이후")
_EXAMPLE_CUE = re.compile(r"예를 들어|예컨대|가령|이를테면|예:|사례|예시|등[이을의은에과]?\s|와 같은|과 같은|포함")
_COMPARE_CUE = re.compile(r"보다|반면|달리|차이|비해|대비|다르|다른|구분|비교|마찬가지")
_STEP_LINE = re.compile(r"^\s*(?:(\d+)\s*단계|STEP\s*(\d+))\s*[.:)]?\s*([^\n:：]{2,24}?)\s*[:：]\s*(.{8,})$")
_GLOSSARY_LINE = re.compile(r"^\s*[-*•]?\s*([^\n—–:：|#]{2,30}?)\s*(?:\s[—–]\s|[:：]\s)\s*(\S.{7,})$")
_META_LINE = re.compile(
    r"^\s*[-*]?\s*(문서번호|문서 번호|소관 부서|제정|개정|작성|관련 문서|근거|근거 규정|최종 갱신|"
    r"문서 유형|용도)\s*[:：]"
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•·]|[①-⑳]|\d+[.)]|[가-하][.)]|Q\d*[.:)]|A\d*[.:)])\s*")
_CONNECTIVE = re.compile(r"^(?:[①-⑳]|또한|그리고|그러나|하지만|한편|따라서|그래서|다만|단|즉|아울러|이후|그 후)[,\s]+")
_DEMONSTRATIVE = re.compile(
    r"^(?:이|그|저|이런|그런|이러한|그러한|해당|이때|이 때|이는|그는|그녀는|이들은|이곳은)[\s,]"
)
_QUESTION_WORDS = ("무엇", "얼마", "며칠", "몇", "언제", "어떻게", "어떤")
_VAGUE = frozenset(
    "경우 것 때 수 등 중 바 점 측 곳 뒤 앞 후 전 이상 이하 이내 이후 이전 다음 내용 사항 부분 일부 "
    "정의 의미 뜻 목적 기준 방법 대상 여부 관련 해당 각 이".split()
)
MAX_QUESTION_CHARS = 180
_BECOMES = re.compile(r"[되된됩됐될]|진다|뜬다|없다|있다|않는다|아니다|이다")  # a state, not an act
MIN_WORDS = 6  # fewer words than this: the question names its topic
_TERM = re.compile(r"^(?![\d,])(?!.*\d\.)[^,]+$")  # not a list or a numbered heading ("사례 3. 거래액이 …")
_SENTENCE_END = re.compile(r"(?<=[가-힣)][.?!])\s+")


@dataclass(frozen=True)
class Evidence:
    """One sentence of a chunk with its Kiwi tokens, its topic, and what its line holds when that line
    is a numbered step or a glossary entry."""

    text: str
    tokens: tuple[Any, ...]
    topic: str
    step: tuple[str, str, str] | None = None  # (number, title, body) of a numbered step line
    term: tuple[str, str] | None = None  # (term, definition) of a glossary line


@dataclass(frozen=True)
class Candidate:
    """A template question before selection; `strong` when built from a type-specific pattern."""

    text: str
    qtype: str
    strong: bool
    evidence: str = ""
    answer: str = ""
    rank: int = 0  # 0 type-specific pattern, 1 weaker pattern of the type, 2 generic last resort


# --- reading a chunk ---------------------------------------------------------------------------


def _is_heading(line: str) -> bool:
    raw = line.strip()
    if raw.startswith("#"):
        return True
    bare = raw.strip("*_ ")
    return 2 <= len(bare) <= 40 and raw.startswith("**") or (len(bare) <= 30 and not re.search(r"[.다요?!]$", bare))


def _heading_text(line: str) -> str:
    text = re.sub(r"^#+\s*|\*\*|__", "", line.strip()).strip()
    text = re.sub(r"^(?:[-*•]\s*)?(?:\d+[.)]|[가-하][.)]|상황\s*\d+[.)]?)?\s*", "", text)
    return re.sub(r"\s+\([^)]*\)", "", text).strip(" :：")  # "2단계 등급 판정 (SOC, …)" → "2단계 등급 판정"


def chunk_evidence(text: str, tokenizer: KoreanTokenizer, title: str = "") -> list[Evidence]:
    """The chunk's sentences usable as evidence, each with the heading above it as its topic."""
    out: list[Evidence] = []
    topic = title
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = re.sub(r"\*\*|__|`", "", raw).strip()
        if not line or "|" in line or _META_LINE.match(line):
            continue
        if _is_heading(raw) and not _STEP_LINE.match(line):
            topic = _heading_text(raw) or topic
            continue
        out.extend(_line_evidence(_LIST_MARK.sub("", line), topic, tokenizer))
    return out


def _sentences(line: str) -> list[str]:
    """Sentences of one line: split after a Hangul syllable and . ? or ! (Kiwi's splitter breaks at
    closing quotes: "‘토큰화’ | 란 …")."""
    return [part.strip() for part in _SENTENCE_END.split(line) if part.strip()]


def sentence_keys(text: str) -> set[str]:
    """Whitespace-free keys of the sentences `chunk_evidence` would read from `text` (no Kiwi pass)."""
    keys = set()
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = _LIST_MARK.sub("", re.sub(r"\*\*|__|`", "", raw).strip())
        keys.update(re.sub(r"\s+", "", sentence) for sentence in _sentences(line))
    return keys


def _line_evidence(line: str, topic: str, tokenizer: KoreanTokenizer) -> list[Evidence]:
    step = _STEP_LINE.match(line)
    glossary = _GLOSSARY_LINE.match(line) if step is None else None
    out = []
    for text in _sentences(line):
        if not 10 <= len(text) <= 220 or not re.search(r"[가-힣]", text) or text.endswith("?"):
            continue  # a question (FAQ line) has no answer span of its own
        tokens = tuple(tokenizer.kiwi.tokenize(text))
        if tokens and tokens[0].tag.startswith(("J", "E", "VCP", "XS")):
            continue  # a fragment whose head was cut off ("이란 …" under a bolded term read as a heading)
        first = not out
        step_info = (step.group(1) or step.group(2), step.group(3).strip(), step.group(4)) if step and first else None
        term = (glossary.group(1).strip(), glossary.group(2).strip()) if glossary and first else None
        out.append(Evidence(text, tokens, topic, step_info, term))
    return out


# --- spans and question building ----------------------------------------------------------------


def _end(token: Any) -> int:
    return token.start + token.len


def noun_runs(tokens: Sequence[Any]) -> list[tuple[int, int]]:
    """Token ranges [i, j) of noun phrases: nouns separated by at most one space; numbers, Latin
    letters, suffixes and prefixes glued to them stay in the phrase (B2B, 3DS, API 키, 제12조)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, token in enumerate(tokens):
        glued = index > 0 and token.start == _end(tokens[index - 1])
        spaced = index > 0 and token.start == _end(tokens[index - 1]) + 1
        nounish = token.tag in NOUN_TAGS or (token.tag in _GLUE_TAGS and (glued or _glued_next(tokens, index)))
        if nounish and start is not None and (glued or (spaced and token.tag in NOUN_TAGS)):
            continue
        if start is not None:
            runs.append((start, index))
        start = index if nounish else None
    if start is not None:
        runs.append((start, len(tokens)))
    return [(i, j) for i, j in runs if any(t.tag in ("NNG", "NNP", "SL", "SH") for t in tokens[i:j])]


def _glued_next(tokens: Sequence[Any], index: int) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1].start == _end(tokens[index])


def _number_spans(tokens: Sequence[Any]) -> list[tuple[int, int]]:
    """Token ranges of numbers with their units ("3영업일", "30만 원", "1989년 2월 15일")."""
    spans = []
    index = 0
    while index < len(tokens):
        if tokens[index].tag != "SN":
            index += 1
            continue
        end = index + 1
        while end < len(tokens) and tokens[end].start - _end(tokens[end - 1]) <= 1:
            if tokens[end].form in _UNITS or tokens[end].tag in ("SN", "NR"):
                end += 1
            else:
                break
        if end > index + 1 and tokens[end - 1].tag != "SN":
            spans.append((index, end))
        index = end
    return spans


def _number_word(span_tokens: Sequence[Any]) -> str:
    """The question word for a number with its unit."""
    units = [t.form for t in span_tokens if t.tag != "SN"]
    if sum(u in ("년", "월", "일") for u in units) >= 2:
        return "언제"
    unit = units[-1]
    if unit in ("원", "만", "천", "억"):
        return "얼마"
    if unit == "일":
        return "며칠"
    return f"몇 {unit}"


_PARTICLE_KIND = {
    "을": "을를",
    "를": "을를",
    "이": "이가",
    "가": "이가",
    "은": "은는",
    "는": "은는",
    "과": "와과",
    "와": "와과",
}
_PAIRS = {"을를": ("을", "를"), "이가": ("이", "가"), "은는": ("은", "는"), "와과": ("과", "와")}


def _with_particle(word: str, particle: str) -> str:
    """`word` + `particle` in the form its final consonant takes ("무엇으로", "얼마를"; "언제에" → "언제")."""
    kind = _PARTICLE_KIND.get(particle)
    if kind == "은는" and word.startswith(_QUESTION_WORDS):  # "무엇은" reads wrong: "무엇이"
        kind = "이가"
    if word == "언제" and particle in ("에", "에는", "에도"):
        return word + particle[1:]
    if particle in ("로", "으로", "로서", "으로서", "로써", "으로써"):
        last = word.strip()[-1:]
        rieul = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 8  # a final ㄹ takes 로, like a vowel
        final = has_final_consonant(word) and not rieul
        return word + ("으" if final else "") + particle.removeprefix("으")
    if kind is None:
        return word + particle
    with_final, without_final = _PAIRS[kind]
    spoken = re.sub(r"\([^)]*\)$", "", word)  # "제5조(환불 기한)" is read up to "제5조": "제5조와"
    return word + (with_final if has_final_consonant(spoken) else without_final)


def _final_eojeol(tokens: Sequence[Any]) -> int | None:
    """Index of the first token of the sentence's last word when that word ends in a final ending."""
    ends = [i for i, t in enumerate(tokens) if t.tag == "EF"]
    if not ends or any(t.tag not in ("SF", "SP", "SS", "SSC", "SW") for t in tokens[ends[-1] + 1 :]):
        return None
    index = ends[-1]
    while index > 0 and tokens[index].start <= _end(tokens[index - 1]):
        index -= 1
    return index


def _question_ending(parts: Sequence[Any], kiwi: Any) -> str:
    """The last word's stem joined with a question ending (-나요, or -ㄴ가요 after copulas/adjectives)."""
    ends = [i for i, t in enumerate(parts) if t.tag == "EF"]
    stem = [(t.form, t.tag) for t in parts[: ends[-1] if ends else len(parts)] if not t.tag.startswith("S")]
    if not stem:
        return ""
    last_form, last_tag = stem[-1]
    adjective = last_tag.startswith("VA") and last_form not in ("있", "없", "계시")
    ending = "ᆫ가요" if (last_tag in ("VCP", "VCN") or adjective) and last_tag != "EP" else "나요"
    return kiwi.join([*stem, (ending, "EF")])


def cloze(evidence: Evidence, span: tuple[int, int], word: str, kiwi: Any) -> tuple[str, str] | None:
    """(question, answer): the sentence with tokens[span] replaced by `word` (particle adjusted) and a
    question ending; None when the span is not before the last word or the answer would leak."""
    tokens, text = evidence.tokens, evidence.text
    last = _final_eojeol(tokens)
    i, j = span
    if last is None or j > len(tokens) or i >= j:
        return None
    answer = text[tokens[i].start : _end(tokens[j - 1])]
    if _cuts_a_compound(text, tokens[i].start, _end(tokens[j - 1])):
        return None
    after = j
    particle = ""
    if after < len(tokens) and tokens[after].tag.startswith("J") and tokens[after].start == _end(tokens[j - 1]):
        particle, after = tokens[after].form, after + 1
    asked = _with_particle(word, particle)
    if after > last:  # the span is inside the last word (a copula predicate: "…절차이다")
        tail = _question_ending([t for t in tokens[last:] if t.start >= _end(tokens[after - 1])], kiwi)
        question = text[: tokens[i].start] + asked + tail
    else:
        middle = text[_end(tokens[after - 1]) : tokens[last].start]
        question = text[: tokens[i].start] + asked + middle + _question_ending(tokens[last:], kiwi)
    return finish(question, answer, evidence)


def _cuts_a_compound(text: str, start: int, end: int) -> bool:
    """Whether a span starts or ends inside a "·"/"/"-joined compound ("취소·반품", "발급/교체")."""
    return (start > 0 and text[start - 1] in "·/") or (end < len(text) and text[end] in "·/")


def finish(question: str, answer: str, evidence: Evidence) -> tuple[str, str] | None:
    """The question with connectives trimmed, its topic named when needed, a '?'; None if unusable."""
    question = _CONNECTIVE.sub("", re.sub(r"\s+", " ", question).strip().rstrip(".?!")).strip()
    short = len(re.findall(r"[가-힣A-Za-z0-9]{2,}", question)) < MIN_WORDS
    topic = evidence.topic
    if (short or _DEMONSTRATIVE.match(question)) and topic and topic not in question and answer not in topic:
        question = f"{_with_particle(topic, '과')} 관련해, {question}"
    question += "?"
    answer = answer.strip(" ,.")
    if len(answer) < 2 or answer in question or answer not in evidence.text or len(question) > MAX_QUESTION_CHARS:
        return None
    if not re.search(r"[가-힣]", question) or not any(w in question for w in _QUESTION_WORDS):
        return None
    return question, answer


# --- builders per type --------------------------------------------------------------------------

Built = tuple[str, str]  # (question, answer)


def _particle_after(tokens: Sequence[Any], j: int) -> Any | None:
    if j < len(tokens) and tokens[j].tag.startswith("J") and tokens[j].start == _end(tokens[j - 1]):
        return tokens[j]
    return None


def _runs_with(evidence: Evidence, tags: Sequence[str]) -> list[tuple[int, int]]:
    """Noun runs followed by a particle whose tag is in `tags`, last one first (nearest the verb)."""
    tokens = evidence.tokens
    found = [(i, j) for i, j in noun_runs(tokens) if (p := _particle_after(tokens, j)) is not None and p.tag in tags]
    return found[::-1]


def _cloze_runs(evidence: Evidence, runs: Sequence[tuple[int, int]], kiwi: Any) -> list[Built]:
    tokens = evidence.tokens
    specific = [(i, j) for i, j in runs if j - i > 1 or tokens[i].form not in _VAGUE]
    return [built for span in specific if (built := cloze(evidence, span, "무엇", kiwi)) is not None]


def _numbers(evidence: Evidence, kiwi: Any) -> list[Built]:
    spans = _number_spans(evidence.tokens)
    return [b for s in spans if (b := cloze(evidence, s, _number_word(evidence.tokens[s[0] : s[1]]), kiwi))]


def _regulation(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    numbers = _numbers(evidence, kiwi)
    if _RULE_CUE.search(evidence.text):
        return numbers, _cloze_runs(evidence, _runs_with(evidence, ("JKO",)), kiwi)
    return [], numbers


def _definition(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    strong: list[Built] = []
    glossary: list[Built] = []  # "X — <a sentence about X>": a list item, not a definition
    if evidence.term is not None and _TERM.match(evidence.term[0]) and not evidence.term[1].startswith("「"):
        # ("X: 「문서 이름」" names the document about X, it does not define X)
        term, body = evidence.term
        first = re.split(r"(?<=[다.])\s", body)[0]
        built = finish(f"{term}{'이란' if has_final_consonant(term) else '란'} 무엇인가요", first, evidence)
        defines = _is_noun_phrase(first.rstrip("."), kiwi) or re.search(r"(?:말|뜻|의미|가리)한다\.?$", first)
        (strong if defines else glossary).extend([built] if built else [])
        strong += _named_by(first.rstrip("."), term, evidence, kiwi)
    match = re.search(r"^(.{2,40}?)(?:이)?란\s+(.{4,}?)(?:을|를)\s*(?:말|뜻|의미|가리)", evidence.text)
    if match:
        term = match.group(1).strip()
        bare = term.strip("‘’“”'\"「」")
        question = f"{term}{'이란' if has_final_consonant(bare) else '란'} 무엇을 말하나요"
        built = finish(question, match.group(2), evidence)
        strong += [built] if built else []
        strong += _named_by(match.group(2), bare, evidence, kiwi)
    tokens = evidence.tokens
    last = _final_eojeol(tokens)
    copula = [
        r for r in noun_runs(tokens) if last is not None and last <= r[1] < len(tokens) and tokens[r[1]].tag == "VCP"
    ]
    topical = any(t.tag == "JX" and t.form in ("은", "는") for t in tokens)
    built_copula = _cloze_runs(evidence, copula[-1:], kiwi)
    if topical:
        strong += built_copula
    weak = glossary + ([] if topical else built_copula) + _cloze_runs(evidence, _runs_with(evidence, ("JKS",)), kiwi)
    return strong, weak


def _is_noun_phrase(text: str, kiwi: Any) -> bool:
    """Whether `text` ends in a noun (a definition such as "…시간이 지나면 품질이 떨어지는 식품")."""
    tokens = [t for t in kiwi.tokenize(text) if not t.tag.startswith("S") or t.tag in ("SL", "SN")]
    return bool(tokens) and tokens[-1].tag in ("NNG", "NNP", "NNB", "SL")


def _named_by(description: str, term: str, evidence: Evidence, kiwi: Any) -> list[Built]:
    """ "…것을 무엇이라고 하나요?" asking for the term a noun-phrase definition describes ("구매자가 … 확정되는
    것" → "구매 확정"); nothing when the definition is a sentence rather than a noun phrase."""
    description = description.strip()
    if not _is_noun_phrase(description, kiwi):
        return []
    built = finish(f"{_with_particle(description, '을')} 무엇이라고 하나요", term, evidence)
    return [built] if built else []


def _process(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    strong: list[Built] = []
    if evidence.step is not None:
        number, title, body = evidence.step
        built = _step_question(evidence, body, title, kiwi)
        strong += [built] if built else []
        if evidence.topic and title not in evidence.topic:
            numbered = finish(f"{_with_particle(evidence.topic, '의')} {number}단계는 무엇인가요", title, evidence)
            strong += [numbered] if numbered else []
    strong += _after_questions(evidence, kiwi)
    objects = _cloze_runs(evidence, _runs_with(evidence, ("JKO",)), kiwi)
    if _SEQUENCE_CUE.search(evidence.text):
        return strong + objects, []
    return strong, objects


_AFTER = frozenset({"후", "뒤", "다음", "이후"})
_ELAPSED = re.compile(r"[\d,.~]+\s*[가-힣]*\s*(?:이|가)?\s*(?:지나|경과|넘)|첫 ")  # "가입 후 첫 주문": a time


def _after_questions(evidence: Evidence, kiwi: Any) -> list[Built]:
    """ "입고를 확인한 후에는 무엇을 하나요?": what the sentence says follows an action (its answer: the
    rest of the sentence after "…한 후/뒤/다음")."""
    tokens, text = evidence.tokens, evidence.text
    last = _final_eojeol(tokens)
    for index, token in enumerate(tokens[1:], start=1):
        if last is None or index >= last:
            return []
        previous = tokens[index - 1]
        if token.form not in _AFTER or token.tag not in ("NNG", "NNB") or previous.tag not in ("ETM", "NNG"):
            continue
        rest = index + 1
        while (
            rest < len(tokens)
            and tokens[rest].tag.startswith(("J", "SP"))
            and tokens[rest].start <= _end(tokens[rest - 1])
        ):
            rest += 1
        head = text[: _end(token)]
        answer = text[_end(tokens[rest - 1]) :].strip(" ,").rstrip(".")
        if _ELAPSED.match(answer) or re.search(r"[\"“”'‘’「」(]", head):
            continue  # "배송 완료 후 8일이 지나…" is a duration, not a next step; a head with a quote reads badly
        built = finish(f"{head}에는 무엇을 하나요", answer, evidence)
        return [built] if built else []
    return []


def _step_question(evidence: Evidence, body: str, title: str, kiwi: Any) -> Built | None:
    """ "구매자는 … 반품을 신청하는 단계는 무엇인가요?" with the step's name as the answer."""
    tokens = list(kiwi.tokenize(body.strip()))
    last = _final_eojeol(tokens)
    if last is None:
        return None
    stem = [(t.form, t.tag) for t in tokens[last:] if t.tag not in ("EF", "SF")]
    if not stem:
        return None
    clause = body.strip()[: tokens[last].start] + kiwi.join([*stem, ("는", "ETM")])
    return finish(f"{clause} 단계는 무엇인가요", title, evidence)


_LIST_SEPARATORS = (", ", ",", "와 ", "과 ", "나 ", "이나 ", "및 ", " 및 ")


def _list_spans(evidence: Evidence) -> list[tuple[int, int]]:
    """Token ranges of whole lists ("A, B, C 등"): two or more noun runs joined by commas or 와/과/나/및,
    with a closing 등 when there is one, followed by a particle."""
    tokens, text = evidence.tokens, evidence.text
    runs = noun_runs(tokens)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for a, b in zip(runs, [*runs[1:], None]):
        joined = b is not None and text[_end(tokens[a[1] - 1]) : tokens[b[0]].start] in _LIST_SEPARATORS
        if joined:
            start = a[0] if start is None else start
            continue
        if start is not None:
            end = a[1] + (a[1] < len(tokens) and tokens[a[1]].form == "등" and tokens[a[1]].tag == "NNB")
            if _particle_after(tokens, end) is not None:
                spans.append((start, end))
        start = None
    return spans


_LISTED_ENDING = re.compile(r"(?:에는|으로는|로는) 어떤 것들이 있나요\?$")


def _list_questions(evidence: Evidence, kiwi: Any) -> list[Built]:
    """ "…에는 어떤 것들이 있나요?": a whole list of the sentence asked, the list its answer; for a list
    that names its kind ("A, B, C 등의 X"), "X의 예로는 어떤 것들이 있나요?"."""
    tokens, text = evidence.tokens, evidence.text
    out = [
        built
        for span in _list_spans(evidence)
        if (built := cloze(evidence, span, "어떤 것들", kiwi)) and _LISTED_ENDING.search(built[0])
    ]
    for start, end in _list_spans(evidence):
        kind = next((r for r in noun_runs(tokens) if r[0] > end), None)
        if (
            tokens[end - 1].form != "등"
            or kind is None
            or text[_end(tokens[end - 1]) : tokens[kind[0]].start] not in ("의 ", " ")
        ):
            continue
        name = text[tokens[kind[0]].start : _end(tokens[kind[1] - 1])]
        built = finish(
            f"{name}의 예로는 어떤 것들이 있나요", text[tokens[start].start : _end(tokens[end - 2])], evidence
        )
        out += [built] if built else []
    return out


def _example(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    tokens = evidence.tokens
    runs = noun_runs(tokens)
    listed = [
        (a[0], b[1])
        for a, b in zip(runs, runs[1:])
        if evidence.text[_end(tokens[a[1] - 1]) : tokens[b[0]].start] in (", ", ",", "와 ", "과 ", "나 ", "이나 ")
        and (_particle_after(tokens, b[1]) is not None or (b[1] < len(tokens) and tokens[b[1]].form == "등"))
    ]
    named = [
        r for r in runs if any(t.tag in ("NNP", "SL") for t in tokens[r[0] : r[1]]) and _particle_after(tokens, r[1])
    ]
    lists = _list_questions(evidence, kiwi)
    if (cue := _EXAMPLE_CUE.search(evidence.text)) is not None:
        after_cue = [r for r in _runs_with(evidence, ("JX", "JKS")) if tokens[r[0]].start >= cue.end()]
        return lists + _cloze_runs(evidence, listed[::-1] + named + after_cue[::-1], kiwi), []
    return [], lists + _cloze_runs(evidence, named + listed[::-1], kiwi)


def _comparison(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    tokens = evidence.tokens
    compared = [
        r
        for r in noun_runs(tokens)
        if (p := _particle_after(tokens, r[1])) is not None
        and evidence.text[tokens[r[0]].start : _end(tokens[r[1] - 1])] not in _NOT_COMPARED
        and (p.form == "보다" or (p.form in ("와", "과") and _COMPARE_CUE.search(evidence.text[_end(p) : _end(p) + 6])))
    ]
    pairs = _runs_with(evidence, ("JC",))
    if _COMPARE_CUE.search(evidence.text):
        subjects = _runs_with(evidence, ("JKS", "JX"))
        return _pair_questions(evidence) + _cloze_runs(evidence, compared + pairs + subjects, kiwi), []
    return [], _cloze_runs(evidence, compared + pairs, kiwi)


_NOT_COMPARED = frozenset("생각 예상 기대 평소 예전 이전 전 지난번 기존 보통 평균".split())
_DIFFERS = re.compile(r"다르|다릅|차이|구분")
_CONTRAST = re.compile(r"반면|지만|는데|와 달리|과 달리|에 비해|와 비교|과 비교|보다")


def _pair_questions(evidence: Evidence) -> list[Built]:
    """ "A와 B는 어떻게 다른가요?" for two things the sentence sets against each other: "A는 B보다 …"
    (answer: what follows 보다), "A와 달리 B는 …" (what follows B), "A는 …인 반면 B는 …" (what follows
    A)."""
    tokens, text = evidence.tokens, evidence.text
    marked = [(r, p) for r in noun_runs(tokens) if (p := _particle_after(tokens, r[1])) is not None]
    out: list[Built] = []
    for (first, p1), (second, p2) in zip(marked, marked[1:]):
        between = text[_end(p1) : tokens[second[0]].start]
        a, b = (text[tokens[r[0]].start : _end(tokens[r[1] - 1])] for r in (first, second))
        if a == b or len(a) > 40 or len(b) > 40 or b in _NOT_COMPARED:
            continue  # "전복이 생각보다 작다" compares the 전복 with an expectation, not with another thing
        than = p1.form in ("은", "는", "이", "가") and p2.form == "보다"
        unlike = p1.form in ("와", "과") and between.startswith(" 달리") and p2.form in ("은", "는", "이", "가")
        if than or unlike:
            answer = text[_end(p2) :]
        elif p1.form in ("은", "는") and p2.form in ("은", "는") and _CONTRAST.search(between):
            answer = text[_end(p1) :]
        elif p1.tag == "JC" and p2.form in ("은", "는", "의") and _DIFFERS.search(text[_end(p2) :]):
            answer = text[_end(p2) :]
        else:
            continue
        question = f"{_with_particle(a, '과')} {_with_particle(b, '은')} 어떻게 다른가요"
        built = finish(question, answer.strip(" ,").rstrip("."), evidence)
        out += [built] if built else []
    return out


def _application(evidence: Evidence, kiwi: Any) -> tuple[list[Built], list[Built]]:
    tokens, text = evidence.tokens, evidence.text
    condition = next(
        (
            i
            for i, t in enumerate(tokens)
            if (t.tag == "EC" and t.form in ("면", "으면")) or (t.form == "경우" and t.tag == "NNG")
        ),
        None,
    )
    last = _final_eojeol(tokens)
    if condition is None or last is None or condition >= last:
        return [], _cloze_runs(evidence, _runs_with(evidence, ("JKO", "JKS")), kiwi)
    after = [t for t in tokens[condition + 1 : last] if t.start > _end(tokens[condition])]
    subject = next((t for t in after if t.tag in ("JKS", "JX")), None)
    cut = _end(subject) + 1 if subject is not None else _end(tokens[condition]) + 1
    if condition + 1 < len(tokens) and tokens[condition + 1].tag.startswith("J") and subject is None:
        cut = _end(tokens[condition + 1]) + 1
    answer = text[cut:].strip().rstrip(".")
    asked = "어떻게 되나요" if _BECOMES.search(answer) else "무엇을 하나요"
    built = finish(f"{text[:cut].rstrip(', ')} {asked}", answer, evidence)
    main = [r for r in _runs_with(evidence, ("JKO", "JKS")) if tokens[r[0]].start > _end(tokens[condition])]
    return ([built] if built else []) + _cloze_runs(evidence, main, kiwi), []


BUILDERS: dict[str, Callable[[Evidence, Any], tuple[list[Built], list[Built]]]] = {
    "정의": _definition,
    "프로세스": _process,
    "규정": _regulation,
    "예시": _example,
    "비교": _comparison,
    "적용": _application,
}


def _generic(evidence: Evidence, kiwi: Any) -> list[Built]:
    """Last resort of every type: the object, subject or topic of the sentence, or a number in it."""
    runs = _runs_with(evidence, ("JKO", "JKS", "JKB", "JX"))
    return _cloze_runs(evidence, runs, kiwi) + _numbers(evidence, kiwi)


def evidence_candidates(evidence: Sequence[Evidence], kiwi: Any, types: Sequence[str]) -> dict[str, list[Candidate]]:
    """Per type, the candidates of every sentence, in sentence order: rank 0 a type-specific pattern
    worded in its type's form, 1 a weaker pattern worded so, 2 a question whose wording does not show
    its type (kept unworded) or the generic last resort."""
    out: dict[str, list[Candidate]] = {t: [] for t in types}
    generic_cache: dict[int, list[Built]] = {}
    for index, sentence in enumerate(evidence):
        for qtype in types:
            strong, weak = BUILDERS[qtype](sentence, kiwi)
            out[qtype] += _ranked(strong, qtype, sentence.text, True, 0)
            out[qtype] += _ranked(weak, qtype, sentence.text, False, 1)
            if not strong and not weak:
                generic = generic_cache.setdefault(index, _generic(sentence, kiwi))[:1]
                out[qtype] += _ranked(generic, qtype, sentence.text, False, 2)
    return out


def _ranked(built: Sequence[Built], qtype: str, evidence: str, strong: bool, rank: int) -> list[Candidate]:
    """Candidates worded in `qtype`'s whole-question form (`question_forms.mark_type`) at `rank`; a
    question no form of its type fits stays as built, at rank 2 (its wording says little of its label)."""
    out = []
    for question, answer in built:
        marked = mark_type(question, answer, qtype, MAX_QUESTION_CHARS)
        out.append(Candidate(marked or question, qtype, strong, evidence, answer, rank if marked else 2))
    return out
