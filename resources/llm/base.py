"""The one interface every teacher/student backend implements, plus the Korean prompt builders.

A backend turns a batch of `GenerationRequest`s (chat messages, and optionally the structured
question and retrieved contexts they were built from) into one string each. The offline extractive
teacher uses the structured fields; Hugging Face causal LMs use the chat messages. Answers cite the
chunk ids they rely on with a trailing `[출처: id1, id2]` line, parsed back by `split_citations`.
No torch/transformers import here: this module is imported by fast steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

Message = dict[str, str]
Context = tuple[str, str]  # (chunk_id, text)

QUESTION_TYPES: tuple[str, ...] = ("정의", "프로세스", "규정", "예시", "비교", "적용")

NO_ANSWER_TEXT = "제공된 문서에서 확인할 수 없습니다."
CITATION_PREFIX = "[출처:"
_CITATION_RE = re.compile(r"\[\s*출처\s*[:：]\s*([^\]]*)\]")

TEACHER_SYSTEM_PROMPT = (
    "당신은 주어진 문서에 근거해 질문에 답하는 한국어 도우미입니다.\n"
    "규칙:\n"
    "1. 반드시 아래 [문서]에 있는 내용만 사용해 답하세요. 문서에 없는 내용은 추측하지 말고 "
    f'"{NO_ANSWER_TEXT}"라고 답하세요.\n'
    "2. 답변은 한국어로만, 2~4문장으로 간결하게 작성하세요. 이미지, 표, 링크, 코드는 만들지 마세요.\n"
    "3. 숫자, 기한, 조항 번호는 문서에 적힌 그대로 쓰세요.\n"
    '4. 답변 마지막 줄에 근거로 사용한 문서 ID를 "[출처: ID1, ID2]" 형식으로 밝히세요.'
)

QUESTION_SYSTEM_PROMPT = (
    "당신은 사내 문서로 학습용 질문을 만드는 한국어 출제자입니다.\n"
    "주어진 문서 조각만 읽고 답할 수 있는 자연스러운 한국어 질문 하나를 만드세요.\n"
    "질문만 한 줄로 쓰고, 답이나 설명, 번호, 따옴표는 붙이지 마세요."
)

QUESTION_TYPE_GUIDE: dict[str, str] = {
    "정의": "용어나 개념의 뜻을 묻는 질문 (예: ‘구매 확정’이란 무엇인가요?)",
    "프로세스": "절차나 처리 단계를 묻는 질문 (예: 반품 처리 절차는 어떤 단계로 진행되나요?)",
    "규정": "규정, 기한, 기준, 금지 사항을 묻는 질문 (예: 제5조에 따르면 환불은 언제까지 해야 하나요?)",
    "예시": "구체적인 사례나 예를 묻는 질문 (예: 결제 보류가 되는 경우에는 어떤 예가 있나요?)",
    "비교": "두 대상의 차이를 묻는 질문 (예: 단순 변심 반품과 상품 하자 반품은 어떻게 다른가요?)",
    "적용": "상황을 주고 규정을 적용하게 하는 질문 (예: 결제 금액이 35만 원이면 어떤 인증이 필요한가요?)",
}


# What the answer to each question type should look like: a line added to the teacher prompt when the
# question's type is known (given with a synthetic question, or predicted by the question classifier).
TYPE_ANSWER_GUIDE: dict[str, str] = {
    "정의": "정의 질문입니다. 용어를 정의하는 문장을 첫 문장으로 쓰고, 1~2문장으로 짧게 답하세요.",
    "프로세스": "절차 질문입니다. 문서에 적힌 단계를 문서의 순서대로 빠짐없이 나열하세요.",
    "규정": "규정 질문입니다. 기한, 금액, 횟수 같은 숫자와 조건이 적힌 문장을 그대로 먼저 쓰세요.",
    "예시": "예시 질문입니다. 문서에 나온 구체적인 사례를 들어 답하세요.",
    "비교": "비교 질문입니다. 비교하는 두 대상 각각에 대해 문서가 말하는 내용을 모두 쓰고 차이를 밝히세요.",
    "적용": "적용 질문입니다. 질문의 상황에 해당하는 규정 문장을 찾아 그 상황에서의 결론을 먼저 쓰세요.",
}


@dataclass(frozen=True)
class GenerationParams:
    """Decoding settings shared by every backend (the extractive teacher ignores the sampling ones).

    `temperature <= 0` or `do_sample=False` means greedy decoding; `min_new_tokens` forces a length
    (throughput benchmarks). `banned_token_ids` are never
    generated (the seed banned image tokens); `stop` strings cut the decoded text after generation.
    """

    max_new_tokens: int = 256
    min_new_tokens: int = 0
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    do_sample: bool = False
    banned_token_ids: tuple[int, ...] = ()
    stop: tuple[str, ...] = ()
    repetition_penalty: float = 1.0
    seed: int | None = 0

    @property
    def sampling(self) -> bool:
        """True when tokens are sampled rather than picked greedily."""
        return self.do_sample and self.temperature > 0


@dataclass(frozen=True)
class GenerationRequest:
    """One prompt: chat messages, plus the structured question/contexts they were built from."""

    messages: tuple[Message, ...]
    question: str | None = None
    contexts: tuple[Context, ...] = ()
    request_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_question(
        cls, question: str, contexts: Sequence[Context], request_id: str | None = None, qtype: str | None = None
    ) -> GenerationRequest:
        """A grounded-answer request: teacher prompt over `contexts` plus the structured fields; with
        `qtype` (one of QUESTION_TYPES) the prompt adds that type's answer guide and `metadata["qtype"]`
        tells the extractive teacher which answer shape to use."""
        contexts = tuple((str(cid), str(text)) for cid, text in contexts)
        metadata = {"qtype": qtype} if qtype else {}
        return cls(build_teacher_messages(question, contexts, qtype), question, contexts, request_id, metadata)

    @property
    def qtype(self) -> str | None:
        """The question's type when the request was built with one."""
        return self.metadata.get("qtype") or None


@dataclass(frozen=True)
class TeacherAnswer:
    """A backend's answer split into its body and the chunk ids it cites."""

    text: str
    cited_ids: tuple[str, ...]
    raw: str


@runtime_checkable
class LLMBackend(Protocol):
    """A batched text generator: the offline extractive teacher or a Hugging Face causal LM."""

    name: str

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        """One output string per request, in order."""
        ...

    def format_chat(self, messages: Sequence[Message]) -> str:
        """The prompt text the backend would see for these chat messages."""
        ...


class BackendUnavailableError(RuntimeError):
    """A backend cannot run here (no CUDA for quantization, missing model files, out of memory)."""


def format_contexts(contexts: Sequence[Context]) -> str:
    """Contexts as numbered blocks headed by their chunk id, the form the teacher prompt cites."""
    blocks = [f"[문서 {i}] (ID: {cid})\n{text.strip()}" for i, (cid, text) in enumerate(contexts, start=1)]
    return "\n\n".join(blocks)


def build_teacher_messages(question: str, contexts: Sequence[Context], qtype: str | None = None) -> tuple[Message, ...]:
    """System + user messages asking for a grounded Korean answer that cites chunk ids; with a known
    question type, its TYPE_ANSWER_GUIDE line goes between the question and the answer slot."""
    if qtype and qtype not in TYPE_ANSWER_GUIDE:
        raise ValueError(f"unknown question type {qtype!r}; expected one of {', '.join(QUESTION_TYPES)}")
    guide = f"\n\n[답변 형식]\n{TYPE_ANSWER_GUIDE[qtype]}" if qtype else ""
    user = f"[문서]\n{format_contexts(contexts)}\n\n[질문]\n{question.strip()}{guide}\n\n[답변]"
    return ({"role": "system", "content": TEACHER_SYSTEM_PROMPT}, {"role": "user", "content": user})


def build_question_messages(chunk_text: str, qtype: str) -> tuple[Message, ...]:
    """System + user messages asking for one question of type `qtype` about `chunk_text`."""
    if qtype not in QUESTION_TYPE_GUIDE:
        raise ValueError(f"unknown question type {qtype!r}; expected one of {', '.join(QUESTION_TYPES)}")
    user = f"[문서 조각]\n{chunk_text.strip()}\n\n[질문 유형] {qtype}: {QUESTION_TYPE_GUIDE[qtype]}\n\n[질문]"
    return ({"role": "system", "content": QUESTION_SYSTEM_PROMPT}, {"role": "user", "content": user})


def plain_chat_format(messages: Sequence[Message], add_generation_prompt: bool = True) -> str:
    """A template-free rendering of chat messages, used when a tokenizer has no chat template."""
    labels = {"system": "시스템", "user": "사용자", "assistant": "도우미"}
    parts = [f"### {labels.get(m['role'], m['role'])}:\n{m['content'].strip()}\n" for m in messages]
    if add_generation_prompt:
        parts.append(f"### {labels['assistant']}:\n")
    return "\n".join(parts)


def format_citation(cited_ids: Sequence[str]) -> str:
    """The trailing citation line, e.g. `[출처: doc1#0, doc1#3]`."""
    return f"{CITATION_PREFIX} {', '.join(cited_ids)}]"


def split_citations(text: str, known_ids: Sequence[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """Split generated text into (body without citation markers, cited ids in first-seen order).

    With `known_ids`, only ids among them are kept (a model may invent ids) and bare mentions of a
    known id in brackets, like `[doc1#3]`, count as citations too.
    """
    cited: list[str] = []
    for match in _CITATION_RE.finditer(text):
        cited.extend(part.strip() for part in re.split(r"[,，、;]", match.group(1)) if part.strip())
    body = _CITATION_RE.sub("", text)
    if known_ids is not None:
        known = set(known_ids)
        for cid in known_ids:
            if f"[{cid}]" in body:
                cited.append(cid)
                body = body.replace(f"[{cid}]", "")
        cited = [cid for cid in cited if cid in known]
    unique = tuple(dict.fromkeys(cited))
    return re.sub(r"[ \t]+\n", "\n", body).strip(), unique


def apply_stop(text: str, stop: Sequence[str]) -> str:
    """Cut `text` at the first occurrence of any stop string."""
    cut = len(text)
    for marker in stop:
        if marker and (position := text.find(marker)) != -1:
            cut = min(cut, position)
    return text[:cut]


def answer_with_backend(
    backend: LLMBackend, requests: Sequence[GenerationRequest], params: GenerationParams | None = None
) -> list[TeacherAnswer]:
    """Generate answers for grounded requests and split each into body and cited chunk ids."""
    outputs = backend.generate(requests, params)
    answers = []
    for request, raw in zip(requests, outputs, strict=True):
        known = [cid for cid, _ in request.contexts] if request.contexts else None
        body, cited = split_citations(raw, known)
        answers.append(TeacherAnswer(body, cited, raw))
    return answers
