"""Type-marked question wordings: every template question says in its own words which type it asks.

The evidence-sentence builders (`assets.distillation.evidence`) turn a sentence into a question by
swapping one span for a question word; that keeps the sentence's subject and terms, but the
question's form often does not show its type (an object swapped for 무엇 reads the same whether it
was built as a 비교 or a 프로세스 question). `mark_type` gives each question a wording a user asking
that kind of question would use, unless its builder already gave it the form of its type (TYPE_FORMS:
"X란 무엇인가요?", "…하는 단계는 무엇인가요?", "A와 B는 무엇이 다른가요?", "…하면 어떻게 되나요?", a
question that opens with "예를 들어"):

- 정의: "…하는 것을 무엇이라고 하나요?", "정의상 …?", "용어의 뜻으로 보면 …?";
- 프로세스: "절차상 …?", "처리 순서로 보면 …?", "진행 과정에서 …?";
- 규정: "규정상 …?", "정해진 기준으로 …?", "규정에 따르면 …?";
- 예시: "예를 들어 …?", "…하는 것의 예로는 무엇이 있나요?", "사례로 보면 …?";
- 비교: "비교해 보면 …?", "다른 경우와 달리 …?", "차이를 보면 …?";
- 적용: "이런 경우 …?", "실제 상황에 적용하면 …?", "이럴 때 …?".

The wording is picked among the type's frames by a stable hash of the question (`frame_choice`). A
frame either puts the type's cue in front of the question (after its "X와 관련해, " lead), or, for a
question that opens with its subject or object 무엇 and has one clause, takes that word out and makes
the last word a modifier ("무엇이 점수를 매기나요" → "점수를 매기는 것을 무엇이라고 하나요?"). The
question keeps every term it had, so it still stands alone and asks for the same span; a frame that
would contain the answer span is skipped. Pure text in, text out.
"""

from __future__ import annotations

import re
import zlib

TYPE_FORMS: dict[str, re.Pattern[str]] = {
    "정의": re.compile(r"(?:이)?란 무엇(?:인가요|을 말하나요)\?$|무엇이라고 하나요\?$"),
    "프로세스": re.compile(r"단계는 무엇인가요\?$"),
    "규정": re.compile(r"^$"),  # no builder's form marks a rule on its own: every 규정 question gets a frame
    "예시": re.compile(r"^(?:.{2,60}?(?:와|과) 관련해, )?예를 들어 |예로는 무엇이 있나요\?$"),
    "비교": re.compile(r"다른가요\?$|차이는 무엇인가요\?$"),
    "적용": re.compile(r"면 (?:[^ ]+ )?(?:어떻게 되나요|무엇을 하나요)\?$"),
}
FRAMES: dict[str, tuple[str, ...]] = {
    "정의": ("{m} 것을 무엇이라고 하나요", "정의상 {q}", "용어의 뜻으로 보면 {q}"),
    "프로세스": ("절차상 {q}", "처리 순서로 보면 {q}", "진행 과정에서 {q}"),
    "규정": ("규정상 {q}", "정해진 기준으로 {q}", "규정에 따르면 {q}"),
    "예시": ("{m} 것의 예로는 무엇이 있나요", "예를 들어 {q}", "사례로 보면 {q}"),
    "비교": ("비교해 보면 {q}", "다른 경우와 달리 {q}", "차이를 보면 {q}"),
    "적용": ("이런 경우 {q}", "실제 상황에 적용하면 {q}", "이럴 때 {q}"),
}
EXTRA_CHARS = 25  # a frame may lengthen a question by this much beyond the builders' limit
_TOPIC_LEAD = re.compile(r"^(.{2,60}?(?:와|과) 관련해, )")
_OPENING_WORD = re.compile(r"^무엇(?:이|을|은) ")
_SECOND_CLAUSE = re.compile(r",|(?:면|고|며|서|지만|는데|으나|하여|해) ")
_PAST = re.compile(r"[았었였했됐웠갔왔봤났쳤켰졌셨]나요$")


def has_type_form(question: str, qtype: str) -> bool:
    """Whether `question` already has the form of a `qtype` question (its opening or its ending, not
    words it took from its sentence)."""
    return bool(TYPE_FORMS[qtype].search(question))


def _split_lead(body: str) -> tuple[str, str]:
    """("X와 관련해, ", rest) when the question names its topic up front, else ("", body)."""
    match = _TOPIC_LEAD.match(body)
    return (match.group(1), body[match.end() :]) if match else ("", body)


def modifier_clause(body: str) -> str | None:
    """The question without its opening 무엇 (subject, object or topic) and with its last word made a
    modifier: "무엇이 점수를 매기나요" → "점수를 매기는"; None unless the question opens with that word,
    has no other 무엇 and one clause (no comma or clause ending) and a present-tense last word."""
    if not _OPENING_WORD.match(body) or body.count("무엇") != 1 or _PAST.search(body):
        return None
    rest = _OPENING_WORD.sub("", body, count=1)
    if _SECOND_CLAUSE.search(rest):
        return None
    if rest.endswith("나요"):
        return rest[:-2] + "는"
    if rest.endswith("가요") and len(rest) > 2 and _final_nieun(rest[-3]):
        return rest[:-2]
    return None


def _final_nieun(char: str) -> bool:
    """Whether a Hangul syllable ends in ㄴ (인, 한, 다른: the -ㄴ가요 ending)."""
    return "가" <= char <= "힣" and (ord(char) - 0xAC00) % 28 == 4


def frame_choice(question: str, qtype: str) -> int:
    """A stable number that picks the first frame to try for this question."""
    return zlib.crc32(f"{qtype}\x1f{question}".encode())


CUE_PREFIXES: tuple[str, ...] = tuple(
    sorted({frame.removesuffix("{q}") for frames in FRAMES.values() for frame in frames if frame.endswith("{q}")})
)


def strip_type_cue(question: str) -> str:
    """`question` without the type cue a frame put in front of it ("정의상 ", "이런 경우 ", … after the
    "X와 관련해, " lead): the same question as its builder made it. Unchanged when it has no cue prefix;
    whole-question forms ("…것을 무엇이라고 하나요?") are question wordings, not cues, and stay."""
    lead, body = _split_lead(question.strip())
    for prefix in CUE_PREFIXES:
        if body.startswith(prefix) and len(body) > len(prefix):
            return f"{lead}{body[len(prefix) :]}"
    return question


def mark_type(question: str, answer: str, qtype: str, max_chars: int) -> str | None:
    """`question` (ending in '?') worded as a `qtype` question: unchanged when it already shows its type,
    else in the first of the type's frames (from `frame_choice`) that can be built, does not contain
    `answer` and fits `max_chars` + EXTRA_CHARS; None when none does."""
    if has_type_form(question, qtype):
        return question
    lead, body = _split_lead(question.rstrip("?").strip())
    parts = {"q": body, "m": modifier_clause(body)}
    frames = FRAMES[qtype]
    start = frame_choice(question, qtype) % len(frames)
    for frame in frames[start:] + frames[:start]:
        needed = re.findall(r"\{(\w)\}", frame)
        if any(parts[name] is None for name in needed):
            continue
        marked = f"{lead}{frame.format(**parts)}?"
        if answer not in marked and len(marked) <= max_chars + EXTRA_CHARS:
            return marked
    return None
