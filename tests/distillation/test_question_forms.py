"""Whole-question forms: a question is kept, in one of its type's wordings of the same question, only when
its whole form shows its type; no cue is put in front; the wording never contains the answer; generated
questions either show their type or are ranked "generic"."""

from __future__ import annotations

import pytest

from assets.distillation.evidence import chunk_evidence, evidence_candidates
from assets.distillation.question_forms import (
    LEGACY_CUE_PREFIXES,
    TYPE_FORM_BUILDERS,
    has_type_form,
    mark_type,
    modifier_clause,
    strip_type_cue,
    type_forms,
)
from assets.distillation.questions import QuestionConfig, generate_questions
from resources.korean import KoreanTokenizer
from resources.llm.base import QUESTION_TYPES
from tests.distillation.test_questions import CHUNK, OTHER_CHUNKS

LIMIT = 180


def test_each_type_keeps_or_rewords_a_question_of_its_form() -> None:
    worded = {
        "정의": ("구매 확정이란 무엇인가요?", "구매 확정"),
        "프로세스": ("판매자는 입고를 확인한 후에는 무엇을 하나요?", "입고를 확인한 후에는"),
        "규정": ("회사는 몇 영업일 이내에 환불을 완료하여야 하나요?", "몇 영업일 이내에 환불을 완료하여야"),
        "예시": ("반품이 제한되는 상품에는 어떤 것들이 있나요?", "반품이 제한되는 상품"),
        "비교": ("계좌 환불과 카드 환불은 어떻게 다른가요?", "계좌 환불과 카드 환불"),
        "적용": ("판매자가 기한 안에 승인하지 않으면 반품은 어떻게 되나요?", "승인하지 않으면 반품은"),
    }
    for qtype, (question, kept_words) in worded.items():
        marked = mark_type(question, "답", qtype, LIMIT)
        assert marked is not None and kept_words in marked and marked.endswith("?"), (qtype, marked)
        assert has_type_form(marked, qtype), marked  # a reworded question still shows its type
        assert marked in {f"{form}?" for form in type_forms(question, qtype)}
        assert not marked.startswith(LEGACY_CUE_PREFIXES)


def test_a_question_whose_form_does_not_show_the_type_gets_no_wording() -> None:
    question = "회사는 몇 영업일 이내에 환불을 완료하여야 하나요?"
    for qtype in ("정의", "프로세스", "예시", "비교", "적용"):
        assert mark_type(question, "3영업일", qtype, LIMIT) is None, qtype
    # a condition makes a number question a 적용 one, not a 규정 one
    conditional = "1회 결제금액이 30만 원 이상이면 무엇을 거쳐야 하나요?"
    assert mark_type(conditional, "추가 인증", "규정", LIMIT) is None
    assert mark_type(conditional, "추가 인증", "적용", LIMIT) == conditional


def test_a_defined_term_is_asked_in_several_wordings_that_keep_the_term() -> None:
    forms = type_forms("구매 확정이란 무엇인가요?", "정의")
    assert len(forms) >= 4 and all("구매 확정" in form for form in forms)
    assert "구매 확정은 무슨 뜻인가요" in forms and "구매 확정이 뭔가요" in forms
    assert "토큰화는 어떤 의미인가요" in type_forms("토큰화란 무엇인가요?", "정의")
    pair = type_forms("단순 변심 반품과 상품 하자 반품은 어떻게 다른가요?", "비교")
    assert "단순 변심 반품과 상품 하자 반품의 차이는 무엇인가요" in pair and len(pair) >= 3


def test_a_wording_that_would_contain_the_answer_is_skipped() -> None:
    question = "토큰화란 무엇인가요?"
    for answer in ("뜻", "의미", "뭔가요"):
        marked = mark_type(question, answer, "정의", LIMIT)
        assert marked is not None and answer not in marked
    assert mark_type(question, "무엇", "정의", LIMIT) is not None  # "토큰화가 뭔가요?" has no 무엇
    assert mark_type("무엇이 " + "아주 긴 " * 60 + "적용되나요?", "답", "예시", LIMIT) is None


def test_the_modifier_form_takes_out_an_opening_question_word() -> None:
    assert modifier_clause("무엇이 반복 결제 패턴으로 점수를 높게 매기나요") == "반복 결제 패턴으로 점수를 높게 매기는"
    assert modifier_clause("무엇이 모든 등급에 똑같이 적용되나요") == "모든 등급에 똑같이 적용되는"
    assert modifier_clause("판매자는 무엇을 받나요") is None  # not at the start: it may be a modified noun
    assert modifier_clause("무엇이 완료되고 구매자가 확정하지 않았나요") is None  # two clauses
    assert modifier_clause("무엇이 완료됐나요") is None  # past tense: "완료됐는" would be wrong
    assert type_forms("무엇이 모든 등급에 똑같이 적용되나요?", "정의") == [
        "모든 등급에 똑같이 적용되는 것을 무엇이라고 하나요"
    ]


def test_the_topic_lead_stays_in_front() -> None:
    question = "반품 처리 절차와 관련해, 반품 처리 절차의 2단계는 무엇인가요?"
    marked = mark_type(question, "판매자 승인", "프로세스", LIMIT)
    assert marked is not None and marked.startswith("반품 처리 절차와 관련해, ") and "2" in marked


def test_every_generated_question_shows_its_type_unless_generic(tokenizer: KoreanTokenizer) -> None:
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    questions = generate_questions(chunks, QuestionConfig(per_chunk=6), tokenizer)
    assert len(questions) >= 12 and {q.qtype for q in questions} == set(QUESTION_TYPES)
    worded = [q for q in questions if q.pattern != "generic"]
    assert len(worded) >= len(questions) // 2
    for question in questions:
        assert question.pattern == "generic" or has_type_form(question.question, question.qtype), question
        assert question.answer in question.evidence and question.answer not in question.question
        assert strip_type_cue(question.question) == question.question or question.question.startswith("예를 들어")


def test_new_builders_make_whole_question_forms_from_the_sentence(tokenizer: KoreanTokenizer) -> None:
    text = (
        "반품이 제한되는 상품에는 신선식품, 주문 제작 상품, 디지털 콘텐츠 등이 있다.\n"
        "계좌 환불은 카드 환불보다 처리가 빠르다.\n"
        "판매자는 입고를 확인한 후 3영업일 이내에 환불을 처리한다."
    )
    candidates = evidence_candidates(chunk_evidence(text, tokenizer), tokenizer.kiwi, QUESTION_TYPES)
    texts = {qtype: {(c.text, c.answer) for c in found if c.rank == 0} for qtype, found in candidates.items()}
    assert any(
        q.endswith("어떤 것들이 있나요?") and a.startswith("신선식품, 주문 제작 상품") for q, a in texts["예시"]
    ), texts["예시"]
    assert any("계좌 환불과 카드 환불" in q and a == "처리가 빠르다" for q, a in texts["비교"]), texts["비교"]
    assert any(
        q.startswith("판매자는 입고를 확인한 후에는 ") and a.startswith("3영업일 이내에") for q, a in texts["프로세스"]
    ), texts["프로세스"]


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_type_has_forms(qtype: str) -> None:
    assert qtype in TYPE_FORM_BUILDERS and TYPE_FORM_BUILDERS[qtype]("", "") == []


def test_strip_type_cue_takes_off_only_an_earlier_generator_cue() -> None:
    assert strip_type_cue("구매 확정이란 무엇인가요?") == "구매 확정이란 무엇인가요?"
    assert strip_type_cue("절차상 반품은 어떻게 처리되나요?") == "반품은 어떻게 처리되나요?"
    assert strip_type_cue("제5조와 관련해, 규정상 환불은 며칠 걸리나요?") == "제5조와 관련해, 환불은 며칠 걸리나요?"
    assert strip_type_cue("반품 절차상 유의할 점은 무엇인가요?") == "반품 절차상 유의할 점은 무엇인가요?"
