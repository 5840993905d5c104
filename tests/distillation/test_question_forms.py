"""Type-marked question wordings: builders' own forms are kept, every other question gets a frame of its
type that keeps its terms and never contains its answer; generated questions all show their type."""

from __future__ import annotations

import re

import pytest

from assets.distillation.question_forms import (
    FRAMES,
    TYPE_FORMS,
    has_type_form,
    mark_type,
    modifier_clause,
    strip_type_cue,
)
from assets.distillation.questions import QuestionConfig, generate_questions
from resources.llm.base import QUESTION_TYPES
from tests.distillation.test_questions import CHUNK, OTHER_CHUNKS

LIMIT = 180


def _frame_pattern(frame: str) -> re.Pattern[str]:
    """A regex that matches questions worded in `frame` (its fixed words around any text)."""
    parts = [re.escape(part) for part in re.split(r"\{\w\}", frame)]
    return re.compile("^(?:.{2,60}?(?:와|과) 관련해, )?" + ".+".join(parts) + r"\?$")


def shows_its_type(question: str, qtype: str) -> bool:
    """Whether `question` has its type's builder form or one of its type's frames."""
    return has_type_form(question, qtype) or any(_frame_pattern(f).match(question) for f in FRAMES[qtype])


def test_a_builder_form_of_the_type_is_kept() -> None:
    kept = {
        "정의": "구매 확정이란 무엇인가요?",
        "프로세스": "구매자가 앱에서 반품을 신청하는 단계는 무엇인가요?",
        "비교": "단순 변심 반품과 상품 하자 반품은 무엇이 다른가요?",
        "적용": "판매자가 기한 안에 승인하지 않으면 반품은 어떻게 되나요?",
        "예시": "예를 들어 포장을 뜯어 사용한 무엇이 단순 변심으로 반품할 수 없나요?",
    }
    for qtype, question in kept.items():
        assert mark_type(question, "답", qtype, LIMIT) == question


def test_a_question_without_its_type_form_gets_a_frame_after_its_topic() -> None:
    question = "제5조(환불 기한)와 관련해, 회사는 몇 영업일 이내에 환불을 완료하여야 하나요?"
    marked = mark_type(question, "3영업일", "규정", LIMIT)
    assert marked is not None and marked != question
    assert marked.startswith("제5조(환불 기한)와 관련해, ") and marked.endswith(
        "몇 영업일 이내에 환불을 완료하여야 하나요?"
    )
    assert marked.removeprefix("제5조(환불 기한)와 관련해, ").split(" ")[0] in {"규정상", "정해진", "규정에"}
    # the same question asked as another type reads differently
    others = {t: mark_type(question, "3영업일", t, LIMIT) for t in QUESTION_TYPES if t != "규정"}
    assert len({marked, *others.values()}) == len(QUESTION_TYPES)


def test_the_modifier_frame_takes_out_an_opening_question_word() -> None:
    assert modifier_clause("무엇이 반복 결제 패턴으로 점수를 높게 매기나요") == "반복 결제 패턴으로 점수를 높게 매기는"
    assert modifier_clause("무엇이 모든 등급에 똑같이 적용되나요") == "모든 등급에 똑같이 적용되는"
    assert modifier_clause("판매자는 무엇을 받나요") is None  # not at the start: it may be a modified noun
    assert modifier_clause("무엇이 완료되고 구매자가 확정하지 않았나요") is None  # two clauses
    assert modifier_clause("무엇이 완료됐나요") is None  # past tense: "완료됐는" would be wrong


def test_a_frame_containing_the_answer_is_skipped_and_none_when_all_do() -> None:
    question = "무엇이 이 문서의 목적을 정하나요?"
    for qtype in QUESTION_TYPES:
        marked = mark_type(question, "사례", qtype, LIMIT)
        assert marked is None or "사례" not in marked
    assert mark_type(question, "규정", "규정", LIMIT) == "정해진 기준으로 무엇이 이 문서의 목적을 정하나요?"
    assert mark_type("무엇이 이 문서의 목적을 밝히나요?", "정", "규정", LIMIT) is None  # every 규정 frame says 정
    assert mark_type("무엇이 " + "아주 긴 " * 60 + "문장인가요?", "답", "비교", LIMIT) is None


def test_every_generated_question_shows_its_type(tokenizer) -> None:
    chunks = [{"chunk_id": "returns#0", "doc_id": "returns", "text": CHUNK}, *OTHER_CHUNKS]
    questions = generate_questions(chunks, QuestionConfig(per_chunk=6), tokenizer)
    assert len(questions) >= 12 and {q.qtype for q in questions} == set(QUESTION_TYPES)
    for question in questions:
        assert shows_its_type(question.question, question.qtype), question
        assert question.answer in question.evidence and question.answer not in question.question


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_type_has_frames_and_forms(qtype: str) -> None:
    assert qtype in TYPE_FORMS and len(FRAMES[qtype]) >= 3


def test_strip_type_cue_takes_off_exactly_the_frame_in_front() -> None:
    question = "제5조(환불 기한)와 관련해, 회사는 몇 영업일 이내에 환불을 완료하여야 하나요?"
    for qtype in QUESTION_TYPES:
        marked = mark_type(question, "3영업일", qtype, LIMIT)
        assert marked is not None
        stripped = strip_type_cue(marked)
        # a cue in front comes off and gives the builder's question back; a whole-question form stays
        assert stripped == question or (
            stripped == marked and not marked.startswith("제5조(환불 기한)와 관련해, 회사는")
        )
    assert strip_type_cue("구매 확정이란 무엇인가요?") == "구매 확정이란 무엇인가요?"
    assert strip_type_cue("절차상 반품은 어떻게 처리되나요?") == "반품은 어떻게 처리되나요?"
    assert strip_type_cue("반품 절차상 유의할 점은 무엇인가요?") == "반품 절차상 유의할 점은 무엇인가요?"
