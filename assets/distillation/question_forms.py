"""Whole-question forms: every template question is worded the way a user asking its type would ask it.

The evidence-sentence builders (`assets.distillation.evidence`) turn a sentence into a question by
swapping one span for a question word, or build a type's own question from the sentence's parts (a
term and its definition, a step, a list, two compared things, a condition, what follows an action).
`mark_type` keeps a question whose whole form is its type's, in one of the type's wordings of that
same question (picked by a stable hash, `frame_choice`), and gives None for a question whose form
does not show its type (the builders then keep it unworded and rank it "generic": its label says
little). Forms per type (`TYPE_FORM_BUILDERS`):

- 정의: "X란 무엇인가요?" / "X는 무슨 뜻인가요?" / "X는 어떤 의미인가요?" / "X가 뭔가요?" / "X는 어떤
  개념인가요?" / "X라는 말은 무엇을 뜻하나요?" (a term the builder found defined), and "X는 어떤 Y를
  말하나요?" when the definition (the answer) is a noun phrase ending in Y; "…것을 무엇이라고 하나요?" /
  "…뭐라고 부르나요?" / "…가리키는 말은 무엇인가요?" (the definition asked the other way round, or a
  one-clause question that opens with its subject or object 무엇);
- 프로세스: "…하는 단계는 무엇인가요?" and "P의 N단계는 무엇인가요?" (a numbered step); "A한 후에는 무엇을
  하나요? / 어떻게 진행되나요? / 어떤 단계가 이어지나요? / 어떤 절차를 거치나요? …" (what follows an action);
- 규정: a number asked with 며칠 / 얼마 / 몇 … / 언제, or an obligation asked ("…해야 하나요?", "…할 수
  없나요?"), in a question with a rule word (이내, 까지, 이상, 마다, 기한, 해야 …) that states no condition
  and has no comparison or example words (those make it 적용, 비교 or 예시);
- 예시: "…에는 어떤 것들이 있나요?" / "X의 예로는 어떤 것들이 있나요?" … (a list asked whole); "…것의
  예로는 무엇이 있나요? / …것으로는 어떤 것들이 있나요?"; a question whose sentence gives an example
  (예를 들어, 사례, 와 같은 …) and that states no condition;
- 비교: "A와 B는 어떻게 다른가요? / 무엇이 다른가요? / 어떤 점이 다른가요? / 어떤 차이가 있나요? / A와 B의
  차이는 무엇인가요?" (two things the sentence compares); a question about what something is compared
  with (보다, 달리, 반면, 차이 …) that states no condition;
- 적용: a question that states a condition or case before its question word ("…하면 어떻게 되나요 /
  어떻게 처리되나요?", "…한 경우 무엇을 하나요 / 어떻게 해야 하나요?", "…이상이면 무엇을 거쳐야 하나요?").

Every wording asks for the same span as the builder's question and keeps its terms; a wording that
would contain the answer span is skipped. No cue is put in front of a question: the generator's
earlier cue prefixes (LEGACY_CUE_PREFIXES: "정의상", "이런 경우" …) are only known here so that
`strip_type_cue` can take them off old questions. Pure text in, text out.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable

EXTRA_CHARS = 25  # a wording may lengthen a question by this much beyond the builders' limit
_TOPIC_LEAD = re.compile(r"^(.{2,60}?(?:와|과) 관련해, )")
_OPENING_WORD = re.compile(r"^무엇(?:이|을|은) ")
_SECOND_CLAUSE = re.compile(r",|(?:면|고|며|서|지만|는데|으나|하여|해) ")
_PAST = re.compile(r"[았었였했됐웠갔왔봤났쳤켰졌셨]나요$")
_TERM_ASKED = re.compile(r"^(?P<term>[^,?]{1,60}?)(?:이)?란 무엇(?:인가요|을 말하나요)$")
_NAMED = re.compile(r"^(?P<described>.+[을를]) 무엇이라고 하나요$")
_STEP_ASKED = re.compile(r"단계는 무엇인가요$")
_STEP_NUMBER_ASKED = re.compile(r"^(?P<procedure>[^,?]{2,40}?)의 (?P<n>\d+)단계는 무엇인가요$")
_AFTER_ASKED = re.compile(
    r"^(?P<head>.+ (?:후|뒤|다음|이후))에는 "
    r"(?:무엇을 하나요|어떻게 (?:진행|처리)되나요|어떤 (?:단계가 이어지나요|절차를 거치나요|과정을 거치나요))$"
)
_NUMBER_ASKED = re.compile(r"며칠|얼마|몇 ?[^ ]|언제")
_RULE_WORDS = re.compile(
    r"이내|까지|이상|이하|초과|미만|마다|야 하|야 한|수 없|수 있|금지|한도|최대|최소|기한|기간|정해|부담"
)
_HEAD_NOUN = re.compile(r"[가-힣]{1,6}")
_RULE_ASKED = re.compile(r"(?:야 하나요|수 없나요|수 있나요|아니 되나요|안 되나요|금지되나요)$")
_LIST_ASKED = re.compile(r"^(?P<kind>[^,?]{2,50}?)(?:에는|으로는|로는) 어떤 것들이 있나요$")
_LIST_KIND_ASKED = re.compile(r"^(?P<kind>[^,?]{2,50}?)의 예로는 어떤 것들이 있나요$")
_PAIR_ASKED = re.compile(
    r"^(?P<a>[^,?]{1,40}?)[와과] (?P<b>[^,?]{1,40}?)(?:[은는] 어떻게 다른가요|의 차이는 무엇인가요)$"
)
_WORDED = {
    "정의": re.compile(
        r"(?:무슨 뜻인가요|어떤 의미인가요|말은 무엇을 뜻하나요|뭔가요|어떤 개념인가요|"
        r"뭐라고 부르나요|가리키는 말은 무엇인가요|[은는] 어떤 [가-힣]{1,6}[을를] 말하나요)$"
    ),
    "프로세스": re.compile(r"(?:에서 \d+번째 단계는 무엇인가요|\d+단계에서 어떤 절차를 거치나요)$"),
    "예시": re.compile(
        r"(?:예로는 무엇이 있나요|것에는 어떤 것들이 있나요|해당하는 것으로는 무엇이 있나요|사례로는 어떤 것이 있나요)$"
    ),
    "비교": re.compile(r"[와과] [^,?]{1,40}?[은는] (?:무엇이 다른가요|어떤 점이 다른가요|어떤 차이가 있나요)$"),
}
_COMPARED_WITH = re.compile(
    r"무엇(?:보다|과 달리|에 비해|과 비교해|과 다른|과 구별)|(?<!생각)(?<!예상)(?<!평소)(?<!기대)보다 "
    r"|달리|반면|비해|차이|다르|[와과] 다른|다른가요$"
)
_EXAMPLE_WORDS = re.compile(r"예를 들어|예컨대|가령|사례|예시|등의 |와 같은|과 같은")
_CONDITION_ASKED = re.compile(
    r"(?:면|경우(?:에는|에)?),? (?:[^ ]+ ){0,2}(?:어떻게 (?:되나요|처리되나요|해야 하나요)|무엇을 하나요)$"
)
_CONDITION = re.compile(r"(?:면|경우(?:에는|에)?|때(?:에는|는)?)[ ,]")
_ASKED_WORD = re.compile(r"무엇|며칠|얼마|몇|언제|어떻게|어떤")
_CONSEQUENCE_ENDINGS = {
    "어떻게 되나요": ("어떻게 되나요", "어떻게 처리되나요"),
    "무엇을 하나요": ("무엇을 하나요", "어떻게 해야 하나요"),
}
LEGACY_CUE_PREFIXES: tuple[str, ...] = (
    "정의상 ",
    "용어의 뜻으로 보면 ",
    "절차상 ",
    "처리 순서로 보면 ",
    "진행 과정에서 ",
    "규정상 ",
    "정해진 기준으로 ",
    "규정에 따르면 ",
    "예를 들어 ",
    "사례로 보면 ",
    "비교해 보면 ",
    "다른 경우와 달리 ",
    "차이를 보면 ",
    "이런 경우 ",
    "실제 상황에 적용하면 ",
    "이럴 때 ",
)


def has_final_consonant(word: str) -> bool:
    """Whether the last pronounced syllable of `word` ends in a consonant (decides 은/는, 이/가, …)."""
    finals = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False, "6": True, "7": True, "8": True}
    for char in reversed(word.strip()):
        if "가" <= char <= "힣":
            return (ord(char) - 0xAC00) % 28 != 0
        if char.isdigit():
            return finals.get(char, False)
        if char.isalpha():
            return char.lower() in "lmnr"
    return False


def _topic(word: str) -> str:
    """`word` with 은/는."""
    return word + ("은" if has_final_consonant(word) else "는")


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


def _definition_forms(body: str, answer: str = "") -> list[str]:
    """A defined term asked six ways, and "X는 어떤 Y를 말하나요" when its definition (the answer) ends in
    the noun Y; "…을 무엇이라고 하나요" three ways; an opening 무엇 made "…것을 무엇이라고 하나요"."""
    term = _TERM_ASKED.match(body)
    if term:
        word = term.group("term")
        final = has_final_consonant(word)
        head = answer.split()[-1] if len(answer.split()) >= 2 else ""
        kind = [f"{_topic(word)} 어떤 {head}{'을' if has_final_consonant(head) else '를'} 말하나요"]
        # a "X란 …Y를 말한다" definition or a noun-phrase glossary definition, not a sentence about X
        described = body.endswith("무엇을 말하나요") or not re.search(r"[다요.\d]$|\d", answer)
        return (kind if described and _HEAD_NOUN.fullmatch(head) else []) + [
            f"{word}{'이란' if final else '란'} 무엇인가요",
            f"{_topic(word)} 무슨 뜻인가요",
            f"{_topic(word)} 어떤 의미인가요",
            f"{word}{'이라는' if final else '라는'} 말은 무엇을 뜻하나요",
            f"{word}{'이' if final else '가'} 뭔가요",
            f"{_topic(word)} 어떤 개념인가요",
        ]
    named = _NAMED.match(body)
    if named:
        described = named.group("described")
        return [body, f"{described} 뭐라고 부르나요", f"{described} 가리키는 말은 무엇인가요"]
    clause = modifier_clause(body)
    return [f"{clause} 것을 무엇이라고 하나요"] if clause else []


def _process_forms(body: str, answer: str = "") -> list[str]:
    """A step's name; what follows an action (three wordings); an action in a sentence stating an order."""
    after = _AFTER_ASKED.match(body)
    if after:
        head = after.group("head")
        return [f"{head}에는 {ending}" for ending in _AFTER_ENDINGS]
    step = _STEP_NUMBER_ASKED.match(body)
    if step:
        procedure, number = step.group("procedure"), step.group("n")
        return [
            f"{procedure}의 {number}단계는 무엇인가요",
            f"{procedure}에서 {number}번째 단계는 무엇인가요",
            f"{_topic(procedure)} {number}단계에서 어떤 절차를 거치나요",
        ]
    return [body] if _STEP_ASKED.search(body) else []


def _regulation_forms(body: str, answer: str = "") -> list[str]:
    """A number the rule fixes (며칠, 얼마, 몇 …, 언제), in a question that states no condition."""
    asked = (_NUMBER_ASKED.search(body) and _RULE_WORDS.search(body)) or _RULE_ASKED.search(body)
    other = _CONDITION.search(body) or _COMPARED_WITH.search(body) or _EXAMPLE_WORDS.search(body)
    return [body] if asked and not other else []


def _example_forms(body: str, answer: str = "") -> list[str]:
    """A list asked whole ("…에는 어떤 것들이 있나요"), or the things that do something asked for examples."""
    listed = _LIST_ASKED.match(body) or _LIST_KIND_ASKED.match(body)
    if listed:
        kind = listed.group("kind")
        return [
            body,
            f"{kind}의 예로는 어떤 것들이 있나요",
            f"{kind}에 해당하는 것으로는 무엇이 있나요",
            f"{kind}의 사례로는 어떤 것이 있나요",
        ]
    clause = modifier_clause(body)
    if not clause:
        other = _CONDITION.search(body) or _COMPARED_WITH.search(body)
        return [body] if _EXAMPLE_WORDS.search(body) and not other else []
    return [
        f"{clause} 것의 예로는 무엇이 있나요",
        f"{clause} 것으로는 어떤 것들이 있나요",
        f"{clause} 것에는 어떤 것들이 있나요",
    ]


def _comparison_forms(body: str, answer: str = "") -> list[str]:
    """Two compared things asked three ways; what something is compared with ("무엇보다", "무엇과 달리")."""
    pair = _PAIR_ASKED.match(body)
    if pair:
        a, b = pair.group("a"), pair.group("b")
        joined = f"{a}{'과' if has_final_consonant(a) else '와'} {b}"
        return [
            f"{_topic(joined)} 어떻게 다른가요",
            f"{_topic(joined)} 무엇이 다른가요",
            f"{joined}의 차이는 무엇인가요",
            f"{_topic(joined)} 어떤 점이 다른가요",
            f"{_topic(joined)} 어떤 차이가 있나요",
        ]
    return [body] if _COMPARED_WITH.search(body) and not _CONDITION.search(body) else []


def _application_forms(body: str, answer: str = "") -> list[str]:
    """What a stated condition or case leads to ("…하면 어떻게 되나요 / 어떻게 처리되나요?", "…한 경우
    무엇을 하나요 / 어떻게 해야 하나요?")."""
    if not _CONDITION_ASKED.search(body):
        condition, asked = _CONDITION.search(body), _ASKED_WORD.search(body)
        return [body] if condition and asked and condition.end() <= asked.start() else []
    for asked, endings in _CONSEQUENCE_ENDINGS.items():
        if body.endswith(asked):
            return [body.removesuffix(asked) + ending for ending in endings]
    return [body]


_AFTER_ENDINGS = (
    "무엇을 하나요",
    "어떻게 진행되나요",
    "어떤 단계가 이어지나요",
    "어떤 절차를 거치나요",
    "어떻게 처리되나요",
    "어떤 과정을 거치나요",
)
TYPE_FORM_BUILDERS: dict[str, Callable[[str, str], list[str]]] = {
    "정의": _definition_forms,
    "프로세스": _process_forms,
    "규정": _regulation_forms,
    "예시": _example_forms,
    "비교": _comparison_forms,
    "적용": _application_forms,
}


def type_forms(question: str, qtype: str, answer: str = "") -> list[str]:
    """The wordings of `question` (without '?' and its "X와 관련해, " lead) in `qtype`'s whole-question
    forms; empty when its form does not show that type. A question already in one of the other
    wordings a form gives is kept as it is."""
    _, body = _split_lead(question.strip().rstrip("?").strip())
    forms = TYPE_FORM_BUILDERS[qtype](body, answer)
    worded = _WORDED.get(qtype)
    return forms or ([body] if worded is not None and worded.search(body) else [])


def has_type_form(question: str, qtype: str) -> bool:
    """Whether `question` is worded in one of `qtype`'s whole-question forms."""
    return bool(type_forms(question, qtype))


def frame_choice(question: str, qtype: str) -> int:
    """A stable number that picks the first wording to try for this question."""
    return zlib.crc32(f"{qtype}\x1f{question}".encode())


def strip_type_cue(question: str) -> str:
    """`question` without a cue the earlier generator put in front of it ("정의상 ", "이런 경우 ", … after
    the "X와 관련해, " lead). Unchanged when it has none (every question the generator makes now)."""
    lead, body = _split_lead(question.strip())
    for prefix in LEGACY_CUE_PREFIXES:
        if body.startswith(prefix) and len(body) > len(prefix):
            return f"{lead}{body[len(prefix) :]}"
    return question


def mark_type(question: str, answer: str, qtype: str, max_chars: int) -> str | None:
    """`question` (ending in '?') in one of its type's whole-question wordings (the first, from
    `frame_choice`, that does not contain `answer` and fits `max_chars` + EXTRA_CHARS); None when its
    form does not show its type or no wording fits."""
    lead, _ = _split_lead(question.strip())
    forms = type_forms(question, qtype, answer)
    if not forms:
        return None
    start = frame_choice(question, qtype) % len(forms)
    for form in forms[start:] + forms[:start]:
        marked = f"{lead}{form}?"
        if answer not in marked and len(marked) <= max_chars + EXTRA_CHARS:
            return marked
    return None
