"""Synthetic questions: templates per type on a fixed Korean chunk, balance, dedup, LLM path, determinism."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from assets.distillation.evidence import noun_runs
from assets.distillation.questions import (
    QUESTION_TYPES,
    QuestionConfig,
    QuestionDeduplicator,
    SyntheticQuestion,
    clean_question,
    deduplicate_questions,
    generate_questions,
    generate_with_backend,
    josa,
    normalise_question,
    template_candidates,
    type_counts,
    validate_model_question,
)
from resources.llm.base import GenerationParams, GenerationRequest, Message

CHUNK = """제5조(환불 기한)
① 회사는 반품 상품의 검수가 끝난 날부터 3영업일 이내에 환불을 완료하여야 한다.
② ‘구매 확정’이란 구매자가 상품을 정상적으로 받았음을 확인하는 것을 말한다.

반품 처리 절차
1단계. 반품 신청: 구매자는 수령일부터 7일 이내에 앱에서 반품을 신청한다.
2단계. 판매자 승인: 판매자는 신청 다음 영업일부터 2영업일 이내에 승인한다.
3단계. 환불 완료: 검수가 끝나면 결제수단으로 환불한다.

단순 변심 반품과 상품 하자 반품은 배송비 부담이 다르다. 단순 변심 반품은 구매자가, 상품 하자 반품은 판매자가 배송비를 낸다.
예를 들어 포장을 뜯어 사용한 화장품은 단순 변심으로 반품할 수 없다.
판매자가 기한 안에 승인하지 않으면 반품은 자동으로 승인된다.
1회 결제금액이 30만 원 이상이면 추가 인증을 거쳐야 한다."""

OTHER_CHUNKS = [
    {
        "chunk_id": "security#0",
        "doc_id": "security",
        "text": "관리자 계정의 비밀번호는 12자 이상이어야 한다. 비밀번호를 5회 연속 틀리면 계정이 30분 동안 잠긴다. ‘토큰화’란 카드번호를 대체값으로 바꾸는 것을 말한다.",
    },
    {
        "chunk_id": "security#1",
        "doc_id": "security",
        "text": "결제 API 키는 180일마다 교체한다. 유출이 의심되면 즉시 폐기하고 보안운영센터에 보고한다. 예를 들어 키가 공개 저장소에 올라간 경우가 있다.",
    },
    {
        "chunk_id": "privacy#0",
        "doc_id": "privacy",
        "text": "개인정보 유출을 인지하면 72시간 이내에 신고하여야 한다. 신고 절차는 1단계. 인지와 보고, 2단계. 원인 분석 순서로 진행된다. 마스킹과 암호화는 보호 방식이 다르다.",
    },
]

HANGUL = re.compile(r"[가-힣]")


def _is_natural(question: str) -> bool:
    """A finished Korean question: Hangul, ends with '?', no template leftovers, sensible length."""
    return (
        bool(HANGUL.search(question)) and question.endswith("?") and "{" not in question and 6 <= len(question) <= 120
    )


def test_every_type_has_a_natural_template_question_tied_to_the_chunk(tokenizer):
    chunk = {"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}
    questions = generate_questions([chunk], QuestionConfig(per_chunk=6), tokenizer)
    assert sorted(q.qtype for q in questions) == sorted(QUESTION_TYPES)
    for question in questions:
        assert _is_natural(question.question), question
        assert (question.chunk_id, question.doc_id) == ("returns#0", "returns")
        assert question.source == "template"


def _strong(tokenizer) -> dict[str, dict[str, tuple[str, str]]]:
    """Strong template candidates of CHUNK per type: question -> (answer, evidence)."""
    found = template_candidates(CHUNK, tokenizer)
    return {t: {c.text: (c.answer, c.evidence) for c in cs if c.strong} for t, cs in found.items()}


def _asked(strong: dict[str, tuple[str, str]], answer: str) -> list[str]:
    """The strong questions of one type whose answer is `answer`."""
    return [question for question, (span, _) in strong.items() if span == answer]


def test_each_type_asks_for_a_span_of_one_evidence_sentence(tokenizer):
    strong = _strong(tokenizer)
    # a short question names its topic (the heading above its sentence), worded as a 정의 question
    definitions = _asked(strong["정의"], "구매자가 상품을 정상적으로 받았음을 확인하는 것")
    assert definitions and all(q.startswith("제5조(환불 기한)와 관련해, ‘구매 확정’") for q in definitions), definitions
    assert "구매자는 수령일부터 7일 이내에 앱에서 반품을 신청하는 단계는 무엇인가요?" in _asked(
        strong["프로세스"], "반품 신청"
    )
    regulation = strong["규정"]["회사는 반품 상품의 검수가 끝난 날부터 몇 영업일 이내에 환불을 완료하여야 하나요?"]
    assert regulation == ("3영업일", "회사는 반품 상품의 검수가 끝난 날부터 3영업일 이내에 환불을 완료하여야 한다.")
    assert strong["비교"]["단순 변심 반품과 상품 하자 반품은 무엇이 다른가요?"][0] == "배송비 부담"
    assert _asked(strong["적용"], "자동으로 승인된다") and all(
        q.startswith("판매자가 기한 안에 승인하지 않으면 반품은 어떻게 ")
        for q in _asked(strong["적용"], "자동으로 승인된다")
    )
    assert strong["예시"]["예를 들어 포장을 뜯어 사용한 무엇이 단순 변심으로 반품할 수 없나요?"][0] == "화장품"


def test_answer_is_a_span_of_the_evidence_and_never_in_the_question(tokenizer):
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    questions = generate_questions(chunks, QuestionConfig(per_chunk=6), tokenizer)
    texts = {c["chunk_id"]: re.sub(r"\s+", "", c["text"]) for c in chunks}
    for q in questions:
        assert q.answer and q.answer in q.evidence and q.answer not in q.question, q
        assert re.sub(r"\s+", "", q.evidence) in texts[q.chunk_id], q
    for candidates in template_candidates(CHUNK, tokenizer).values():
        assert all(c.answer in c.evidence and c.answer not in c.text for c in candidates)


def test_noun_phrases_keep_mixed_tokens_whole(tokenizer):
    text = "B2B 비즈니스 생존 전략과 3DS 인증은 API 키 관리 방식이 다르다. 제12조(결제 API 키)는 키 교체 주기를 정한다."
    tokens = tokenizer.kiwi.tokenize(text)
    phrases = {text[tokens[i].start : tokens[j - 1].start + tokens[j - 1].len] for i, j in noun_runs(tokens)}
    assert {"B2B 비즈니스 생존 전략", "3DS 인증", "API 키 관리 방식", "제12조"} <= phrases
    answers = {c.answer for cs in template_candidates(text, tokenizer).values() for c in cs}
    assert "2B 비즈니스 생존 전략" not in answers and "B2B 비즈니스 생존 전략" in answers


def test_a_sentence_opening_with_a_demonstrative_names_its_topic(tokenizer):
    text = "## 정산 보류 해제\n이 경우 판매자는 소명 자료를 3영업일 이내에 제출해야 한다."
    questions = [c.text for cs in template_candidates(text, tokenizer).values() for c in cs]
    assert not any("며칠 이내에" in q for q in questions)
    assert any(
        q.startswith("정산 보류 해제와 관련해, ")
        and q.endswith(" 이 경우 판매자는 소명 자료를 몇 영업일 이내에 제출해야 하나요?")
        for q in questions
    ), questions


def test_particles_follow_the_final_consonant():
    assert josa("구매 확정", "은는") == "구매 확정은"
    assert josa("반품 절차", "은는") == "반품 절차는"
    assert josa("단순 변심", "와과") == "단순 변심과"
    assert josa("판매자", "이가") == "판매자가"
    assert josa("30만 원 이상", "이면") == "30만 원 이상이면"
    assert josa("3D Secure", "을를") == "3D Secure를"


def test_counts_are_balanced_over_types_and_documents(tokenizer):
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    questions = generate_questions(chunks, QuestionConfig(per_chunk=3), tokenizer)
    counts = type_counts(questions)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len(questions) == 12
    per_doc = Counter(q.doc_id for q in questions)
    assert set(per_doc) == {"returns", "security", "privacy"}


def test_per_type_target_stops_when_every_type_is_full(tokenizer):
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    questions = generate_questions(chunks, QuestionConfig(per_chunk=6, per_type=2), tokenizer)
    assert type_counts(questions) == {t: 2 for t in QUESTION_TYPES}


def test_generation_is_deterministic_for_a_seed(tokenizer):
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    first = generate_questions(chunks, QuestionConfig(per_chunk=4, seed=7), tokenizer)
    second = generate_questions(chunks, QuestionConfig(per_chunk=4, seed=7), tokenizer)
    assert first == second
    assert len({q.question_id for q in first}) == len(first)


def test_exact_duplicates_are_found_after_normalisation(tokenizer):
    dedup = QuestionDeduplicator(tokenizer, threshold=0.8)
    assert dedup.add("반품 처리 절차는 어떤 단계로 진행되나요?")
    assert not dedup.add("반품  처리 절차는, 어떤 단계로 진행되나요 ?")
    assert normalise_question("‘구매 확정’이란?") == normalise_question("구매확정 이란")


def test_near_duplicates_by_morpheme_jaccard_keep_the_first(tokenizer):
    def q(i: int, text: str) -> SyntheticQuestion:
        return SyntheticQuestion(f"q{i}", text, "프로세스", "c#0", "c")

    questions = [
        q(1, "반품 처리 절차는 어떤 단계로 진행되나요?"),
        q(2, "반품 처리 절차는 보통 어떤 단계로 진행되나요?"),
        q(3, "환불은 언제까지 완료해야 하나요?"),
    ]
    dedup = QuestionDeduplicator(tokenizer, threshold=0.8)
    assert [k.question_id for k in questions if dedup.add(k.question)] == ["q1", "q3"]
    exact_only = QuestionDeduplicator(tokenizer, threshold=1.0)
    assert sum(exact_only.add(k.question) for k in questions) == 3


def test_clean_question_takes_the_first_usable_line():
    assert clean_question("질문: 반품은 언제까지 신청하나요?\n답: 7일") == "반품은 언제까지 신청하나요?"
    assert clean_question('1. "환불 기한은 얼마인가요"') == "환불 기한은 얼마인가요?"
    assert clean_question("!!!###") is None
    assert clean_question("") is None


class _ScriptedBackend:
    """Returns scripted outputs per chunk (request id) in order and records the temperatures it was called with."""

    name = "scripted"

    def __init__(self, outputs: dict[str, list[str]]) -> None:
        self.outputs = {k: list(v) for k, v in outputs.items()}
        self.temperatures: list[float] = []

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        assert params is not None
        self.temperatures.extend([params.temperature] * len(requests))
        assert all("JSON" in r.messages[0]["content"] for r in requests)
        return [self.outputs.get(r.request_id, []).pop(0) if self.outputs.get(r.request_id) else "" for r in requests]

    def format_chat(self, messages: Sequence[Message]) -> str:
        return "\n".join(m["content"] for m in messages)


def _json(question: str, evidence: str, answer: str) -> str:
    return json.dumps({"question": question, "evidence": evidence, "answer": answer}, ensure_ascii=False)


RETURNS_JSON = _json(
    "반품은 수령일부터 며칠 이내에 신청해야 하나요?",
    "1단계. 반품 신청: 구매자는 수령일부터 7일 이내에 앱에서 반품을 신청한다.",
    "7일",
)
KEY_JSON = _json("결제 API 키는 며칠마다 교체해야 하나요?", "결제 API 키는 180일마다 교체한다.", "180일")


def test_llm_path_asks_for_json_validates_it_and_falls_back(tokenizer):
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    outputs = {
        "returns#0": [f"```json\n{RETURNS_JSON}\n```", RETURNS_JSON],  # the second is a duplicate
        "security#0": [
            "@@@",
            _json("비밀번호는 12자 이상이어야 하나요?", "관리자 계정의 비밀번호는 12자 이상이어야 한다.", "12자"),
        ],
        "security#1": [KEY_JSON, _json("키는 언제 폐기하나요?", "키는 분실하면 폐기한다.", "분실하면")],
    }
    backend = _ScriptedBackend(outputs)
    questions = generate_with_backend(
        backend, chunks, QuestionConfig(per_chunk=2), temperatures=(0.1, 0.3, 0.4), tokenizer=tokenizer
    )
    assert sorted(set(backend.temperatures)) == [0.1, 0.3, 0.4]
    llm = [q for q in questions if q.source == "llm"]
    assert [(q.question, q.answer) for q in llm] == [
        ("반품은 수령일부터 며칠 이내에 신청해야 하나요?", "7일"),
        ("결제 API 키는 며칠마다 교체해야 하나요?", "180일"),
    ]
    assert {q.temperature for q in llm} <= {0.1, 0.3, 0.4}
    assert all(q.pattern == "model" for q in llm)
    assert {q.pattern for q in questions if q.source == "template"} <= {"type", "weak", "generic"}
    # duplicate, garbage, leaked answer, evidence not in the chunk, no output: replaced by templates
    assert sum(q.source == "template" for q in questions) == 6 and len(questions) == 8
    assert all(q.answer in q.evidence and q.answer not in q.question for q in questions)
    assert max(type_counts(questions).values()) - min(type_counts(questions).values()) <= 1


def test_model_output_is_validated_like_a_template():
    config = QuestionConfig()
    chunk = OTHER_CHUNKS[1]["text"]
    assert validate_model_question(KEY_JSON, chunk, config) == (
        "결제 API 키는 며칠마다 교체해야 하나요?",
        "결제 API 키는 180일마다 교체한다.",
        "180일",
    )
    assert (
        validate_model_question(
            _json("결제 API 키는 180일마다 교체하나요?", "결제 API 키는 180일마다 교체한다.", "180일"), chunk, config
        )
        is None
    )
    assert (
        validate_model_question(
            _json("키는 며칠마다 교체하나요?", "결제 API 키는 180일마다 교체한다.", "90일"), chunk, config
        )
        is None
    )
    assert (
        validate_model_question(_json("키는 며칠마다 교체하나요?", "키는 90일마다 교체한다.", "90일"), chunk, config)
        is None
    )
    assert validate_model_question("키 교체 주기는 얼마인가요?", chunk, config) is None


def test_deduplication_spans_documents(tokenizer):
    shared = QuestionDeduplicator(tokenizer, threshold=0.8)
    copy = dict(OTHER_CHUNKS[1], chunk_id="copy#0", doc_id="copy")  # another document with the same text
    first = generate_questions([OTHER_CHUNKS[1]], QuestionConfig(per_chunk=2), tokenizer, shared)
    second = generate_questions([copy], QuestionConfig(per_chunk=2), tokenizer, shared)
    assert len(first) == 2
    assert not {q.question for q in first} & {q.question for q in second}
    alone = generate_questions([copy], QuestionConfig(per_chunk=2), tokenizer)
    assert {q.question for q in alone} & {q.question for q in first}  # without sharing they would repeat
    merged = deduplicate_questions([*first, *alone], tokenizer)
    assert merged[: len(first)] == first and len(merged) < len(first) + len(alone)
    assert all(q.doc_id == "copy" for q in merged[len(first) :])


def test_types_stay_balanced_on_a_real_document(tokenizer):
    from assets.distillation.checks import type_balance_problems
    from assets.knowledge.chunking import chunk_document
    from assets.knowledge.documents import read_document

    path = Path(__file__).resolve().parents[2] / "data" / "raw_docs" / "payment_api_key_guide.md"
    document = read_document(path, path.parent)
    chunks = [c.as_dict() for c in chunk_document("payment_api_key_guide", document.text, tokenizer, 256, 48)]
    questions = generate_questions(chunks, QuestionConfig(), tokenizer)
    assert len(questions) == 2 * len(chunks)
    assert type_balance_problems(pd.Series([q.qtype for q in questions])) == []
    assert all(q.answer and q.answer in q.evidence and q.answer not in q.question for q in questions)


def test_bad_configuration_is_rejected():
    with pytest.raises(ValueError, match="question types"):
        QuestionConfig(types=("정의", "unknown"))
    with pytest.raises(ValueError, match="per_chunk"):
        QuestionConfig(per_chunk=0)
