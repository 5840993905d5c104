"""The extractive teacher on hand-made contexts, groundedness, prompt builders and the backend factory."""

from __future__ import annotations

import random

import pytest

from assets.distillation.grounding import (
    extractive_groundedness,
    generative_groundedness,
    groundedness,
    method_for_backend,
)
from assets.knowledge.reflow import hard_wrap
from resources.errors import InputDataError
from resources.llm.base import (
    NO_ANSWER_TEXT,
    TEACHER_SYSTEM_PROMPT,
    GenerationRequest,
    LLMBackend,
    answer_with_backend,
    build_question_messages,
    build_teacher_messages,
    split_citations,
)
from resources.llm.extractive import ExtractiveTeacher
from resources.llm.factory import backend_from_spec

CONTEXTS = [
    (
        "returns#3",
        "반품 신청은 앱의 주문 내역에서 할 수 있다. 단순 변심 반품은 상품을 받은 날부터 7일 이내에 신청해야 한다. "
        "상품 하자나 오배송은 수령일부터 3개월 이내에 신청할 수 있다.",
    ),
    (
        "security#1",
        "관리자 계정의 비밀번호는 12자 이상이어야 한다. 비밀번호는 90일마다 변경한다.\n"
        "② 비밀번호를 5회 연속 틀리면 계정이 30분 동안 잠긴다.",
    ),
    (
        "fds#0",
        "FDS는 결제마다 0점부터 100점까지 위험 점수를 매긴다. 위험 점수가 80점 이상이면 결제가 자동으로 보류된다. "
        "60점부터 79점까지는 리스크관리팀이 4시간 이내에 검토한다.",
    ),
]


@pytest.fixture(scope="module")
def teacher(tokenizer) -> ExtractiveTeacher:
    return ExtractiveTeacher(tokenizer)


@pytest.mark.parametrize(
    ("question", "expected", "chunk_id"),
    [
        ("단순 변심 반품은 언제까지 신청해야 하나요?", "7일 이내", "returns#3"),
        ("관리자 비밀번호를 몇 번 틀리면 계정이 잠기나요?", "5회 연속", "security#1"),
        ("위험 점수가 80점 이상이면 결제는 어떻게 되나요?", "자동으로 보류", "fds#0"),
        ("관리자 계정 비밀번호는 최소 몇 자인가요?", "12자 이상", "security#1"),
    ],
)
def test_the_answering_sentence_is_picked_and_cited(teacher, tokenizer, question, expected, chunk_id):
    answer = teacher.answer(question, CONTEXTS)
    assert expected in answer.text
    assert chunk_id in answer.cited_ids
    assert set(answer.cited_ids) == {s.chunk_id for s in answer.sentences}
    assert len(answer.text) <= teacher.config.max_chars
    result = extractive_groundedness(answer.text, answer.cited_ids, dict(CONTEXTS), tokenizer)
    assert result.score == 1.0 and not result.unsupported


def test_sentences_are_verbatim_slices_and_list_marks_stay_apart(teacher):
    answer = teacher.answer("비밀번호를 5회 연속 틀리면 어떻게 되나요?", CONTEXTS)
    texts = dict(CONTEXTS)
    for sentence in answer.sentences:
        assert texts[sentence.chunk_id][sentence.start : sentence.end] == sentence.text
    assert not any(s.text.strip() in ("②", "②.") for s in answer.sentences)


WRAPPED_SOURCE = [
    (
        "returns#0",
        "반품 신청은 앱의 주문 내역에서 할 수 있으며 상담원 연결 없이도 접수된다. 단순 변심 반품은 상품을 받은 날부터 "
        "7일 이내에 신청해야 하고 왕복 배송비는 구매자가 부담한다. 상품 하자나 오배송은 수령일부터 3개월 이내에 "
        "신청할 수 있으며 배송비는 판매자가 부담한다. 반품 상품이 판매자에게 도착하면 판매자는 3영업일 안에 검수를 "
        "마쳐야 한다.",
    ),
    (
        "fds#0",
        "FDS는 결제마다 0점부터 100점까지 위험 점수를 매기고 그 근거가 된 탐지 규칙을 함께 기록한다. 위험 점수가 "
        "80점 이상이면 결제가 자동으로 보류되고 구매자에게 추가 인증이 요청된다. 60점부터 79점까지는 "
        "리스크관리팀이 4시간 이내에 검토하며 그 결과는 판매자 화면에 표시되지 않는다.",
    ),
]


def _inside_word(text: str, position: int) -> bool:
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("단순 변심 반품은 언제까지 신청해야 하나요?", "7일 이내"),
        ("위험 점수가 80점 이상이면 결제는 어떻게 되나요?", "자동으로 보류"),
        ("60점부터 79점까지는 누가 검토하나요?", "리스크관리팀"),
    ],
)
def test_hard_wrapped_contexts_give_whole_sentences(teacher, tokenizer, question, expected):
    wrapped = [
        (cid, "\n".join(hard_wrap(text, random.Random(seed)))) for seed, (cid, text) in enumerate(WRAPPED_SOURCE)
    ]
    assert all(text.count("\n") >= 4 for _, text in wrapped)
    whole = {s.text for _, text in WRAPPED_SOURCE for s in tokenizer.split_sentences(text)}
    answer = teacher.answer(question, wrapped)
    assert expected in answer.text
    texts = dict(wrapped)
    for sentence in answer.sentences:
        context = texts[sentence.chunk_id]
        assert context[sentence.start : sentence.end] == sentence.text
        assert not _inside_word(context, sentence.start) and not _inside_word(context, sentence.end)
        assert sentence.text.replace("\n", " ") in whole  # a whole sentence of the unwrapped paragraph
    for line in answer.text.split("\n"):
        assert line in whole
    assert extractive_groundedness(answer.text, answer.cited_ids, texts, tokenizer).score == 1.0


def test_answers_follow_document_order_within_a_context(teacher):
    wrapped = [(cid, "\n".join(hard_wrap(text, random.Random(1)))) for cid, text in WRAPPED_SOURCE]
    answer = teacher.answer("단순 변심 반품 신청 기한과 배송비 부담은 어떻게 되나요?", wrapped)
    positions = [(s.rank, s.start) for s in answer.sentences]
    assert len(positions) >= 2 and positions == sorted(positions)


def test_a_sentence_split_inside_a_word_by_kiwi_is_kept_whole(teacher):
    context = (
        "캐슬링을 할 때에는 룩을 반드시 킹 옆으로 옮겨 캐슬링을 마쳐야 한다. 만약 캐슬링을 시도했으나 의도한 쪽으로의 "
        "캐슬링이 규칙에 어긋나는 것이었다면 킹으로 다른 가능한 수를 두어야 한다. (반대쪽 방향의 캐슬링도 가능하다.)"
    )
    answer = teacher.answer(
        "캐슬링이 규칙에 어긋나는 것이었다면 무엇으로 다른 수를 두어야 하나요?", [("chess#0", context)]
    )
    assert "어긋나는 것이었다면 킹으로 다른 가능한 수를 두어야 한다." in answer.text
    for sentence in answer.sentences:
        assert not _inside_word(context, sentence.start) and not _inside_word(context, sentence.end)


def test_answers_are_deterministic(tokenizer):
    question = "FDS 위험 점수가 60점에서 79점 사이면 누가 검토하나요?"
    first = ExtractiveTeacher(tokenizer).answer(question, CONTEXTS)
    second = ExtractiveTeacher(tokenizer).answer(question, list(CONTEXTS))
    assert first == second
    assert "리스크관리팀" in first.text


def test_no_overlap_means_an_explicit_abstention(teacher, tokenizer):
    answer = teacher.answer("화성의 위성은 몇 개인가요?", CONTEXTS)
    assert answer.text == NO_ANSWER_TEXT and answer.cited_ids == () and not answer.answered
    assert extractive_groundedness(answer.text, (), dict(CONTEXTS), tokenizer).abstained
    assert teacher.answer("반품?", []).text == NO_ANSWER_TEXT


def test_backend_interface_returns_text_with_a_citation_line(teacher):
    assert isinstance(teacher, LLMBackend)
    request = GenerationRequest.for_question("단순 변심 반품은 언제까지 신청해야 하나요?", CONTEXTS, "q1")
    [raw] = teacher.generate([request])
    assert raw.endswith("[출처: returns#3]")
    [answer] = answer_with_backend(teacher, [request])
    assert answer.cited_ids == ("returns#3",) and "7일 이내" in answer.text and "출처" not in answer.text


def test_generative_groundedness_is_morpheme_precision(tokenizer):
    contexts = dict(CONTEXTS)
    faithful = generative_groundedness(
        "단순 변심 반품은 7일 이내에 신청합니다. [출처: returns#3]", (), contexts, tokenizer
    )
    assert faithful.score == 1.0
    invented = generative_groundedness(
        "단순 변심 반품은 14일 이내에 우체국에서 신청합니다.", ("returns#3",), contexts, tokenizer
    )
    assert 0.0 < invented.score < 1.0 and "우체국" in invented.unsupported
    wrong_id = groundedness("7일 이내", ("nope#1",), contexts, tokenizer, method="generative")
    assert wrong_id.invalid_citations == ("nope#1",) and wrong_id.score == 0.0
    assert method_for_backend("extractive") == "extractive" and method_for_backend("hf:/m") == "generative"


def test_extractive_groundedness_flags_paraphrase(tokenizer):
    result = extractive_groundedness(
        "단순 변심 반품은 일주일 안에 신청한다.", ("returns#3",), dict(CONTEXTS), tokenizer
    )
    assert result.score == 0.0 and result.unsupported


def test_prompt_builders_are_korean_and_carry_ids():
    messages = build_teacher_messages("환불은 언제 되나요?", CONTEXTS[:2])
    assert messages[0] == {"role": "system", "content": TEACHER_SYSTEM_PROMPT}
    assert "(ID: returns#3)" in messages[1]["content"] and "(ID: security#1)" in messages[1]["content"]
    assert "[질문]\n환불은 언제 되나요?" in messages[1]["content"]
    assert "출처" in TEACHER_SYSTEM_PROMPT and "한국어" in TEACHER_SYSTEM_PROMPT
    question_messages = build_question_messages("반품은 7일 이내에 신청한다.", "규정")
    assert "규정" in question_messages[1]["content"]
    with pytest.raises(ValueError, match="unknown question type"):
        build_question_messages("텍스트", "기타")


def test_split_citations_keeps_only_known_ids():
    body, cited = split_citations("답변입니다. [security#1]\n[출처: returns#3, made-up#9]", ["returns#3", "security#1"])
    assert body == "답변입니다."
    assert cited == ("returns#3", "security#1")


def test_factory_builds_backends_and_rejects_bad_specs(tmp_path):
    assert backend_from_spec("extractive").name == "extractive"
    with pytest.raises(InputDataError, match="expected 'extractive' or 'hf:"):
        backend_from_spec("gpt-4")
    with pytest.raises(InputDataError):
        backend_from_spec("hf:")
    with pytest.raises(InputDataError, match="unknown option"):
        backend_from_spec("extractive", temperature_schedule=3)


PROCESS_CONTEXT = (
    "process#0",
    "반품 처리는 다섯 단계로 진행된다. 1단계로 구매자가 앱에서 반품을 신청한다. "
    "2단계로 판매자가 2영업일 이내에 신청을 승인한다. 3단계로 지정 택배사가 상품을 회수한다. "
    "4단계로 판매자가 입고된 상품을 검수한다. 5단계로 회사가 환불을 완료한다.",
)
COMPARISON_CONTEXTS = [
    (
        "card#0",
        "카드 환불과 취소는 카드사가 처리한다. 카드 환불은 카드사 사정에 따라 3~7영업일이 걸린다. "
        "카드 환불 내역은 카드사 앱에서 확인한다.",
    ),
    ("faq#1", "배송 조회는 주문 내역에서 한다."),
    ("faq#2", "교환 신청은 앱에서 한다."),
    (
        "bank#0",
        "무통장 결제 주문은 환불 계좌를 등록하면 다음 영업일에 돈이 입금되는데, 등록한 계좌의 예금주가 주문자와 같아야 한다.",
    ),
]


def test_shapes_by_type_change_the_answer_and_stay_verbatim(teacher):
    """The question's type picks the answer's shape; every shaped answer is still verbatim and cited."""
    question = "반품은 어떤 순서로 처리되나요?"
    default = teacher.answer(question, [PROCESS_CONTEXT])
    steps = teacher.answer(question, [PROCESS_CONTEXT], qtype="프로세스")
    assert len(steps.sentences) > len(default.sentences)
    starts = [s.start for s in steps.sentences]
    assert starts == sorted(starts)  # the steps in document order
    assert [s.text[:3] for s in steps.sentences] == ["반품 ", "1단계", "2단계", "3단계", "4단계"]
    for answer in (default, steps):
        assert all(s.text == PROCESS_CONTEXT[1][s.start : s.end] for s in answer.sentences)
        assert answer.cited_ids == ("process#0",)
    unknown = teacher.answer(question, [PROCESS_CONTEXT], qtype="기타")
    assert unknown == default  # a type without its own shape: the default


def test_comparison_shape_adds_the_other_side(teacher):
    question = "카드 환불과 계좌 환불은 어떻게 다른가요?"
    default = teacher.answer(question, COMPARISON_CONTEXTS)
    shaped = teacher.answer(question, COMPARISON_CONTEXTS, qtype="비교")
    assert default.cited_ids == ("card#0",) and "계좌" not in default.text
    assert shaped.cited_ids == ("card#0", "bank#0") and shaped.text.startswith(default.text)


def test_definition_shape_puts_the_defining_sentence_first(teacher):
    context = (
        "terms#0",
        "수령일은 반품 기한을 세는 기준이 되므로 수령일을 정확히 아는 것이 중요하다. "
        "수령일이란 택배사 시스템에 배송 완료가 기록된 날을 말한다.",
    )
    default = teacher.answer("수령일이란 무엇인가요?", [context])
    shaped = teacher.answer("수령일이란 무엇인가요?", [context], qtype="정의")
    assert default.text.startswith("수령일은") and shaped.text.startswith("수령일이란 택배사")
    assert sorted(s.text for s in shaped.sentences) == sorted(s.text for s in default.sentences)


def test_rule_shape_leads_with_the_sentence_with_the_number(teacher):
    context = (
        "rule#0",
        "환불 처리는 고객 만족에 중요한 업무로서 회사는 환불 처리를 신속하게 하는 책임을 진다. "
        "회사는 입고 확인일부터 3영업일 이내에 환불한다.",
    )
    question = "회사의 환불 처리 책임은 어떻게 정해져 있나요?"
    assert teacher.answer(question, [context]).text.startswith("환불 처리는")
    assert teacher.answer(question, [context], qtype="규정").text.startswith("회사는 입고 확인일부터 3영업일 이내에")


def test_the_type_reaches_the_prompt_and_the_extractive_teacher(teacher):
    contexts = [PROCESS_CONTEXT]
    plain = GenerationRequest.for_question("반품은 어떤 순서로 처리되나요?", contexts)
    typed = GenerationRequest.for_question("반품은 어떤 순서로 처리되나요?", contexts, qtype="프로세스")
    assert plain.qtype is None and typed.qtype == "프로세스"
    assert "[답변 형식]" not in plain.messages[1]["content"]
    assert "[답변 형식]\n절차 질문입니다." in typed.messages[1]["content"]
    assert typed.messages[1]["content"].endswith("[답변]")
    assert teacher.generate([typed]) != teacher.generate([plain])
    with pytest.raises(ValueError, match="unknown question type"):
        build_teacher_messages("질문?", contexts, "기타")
