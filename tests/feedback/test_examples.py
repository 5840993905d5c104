"""Pure logic of the feedback group: personal-data scrubbing, example selection, synthetic feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assets.feedback.examples import EXAMPLE_COLUMNS, ExampleBounds, select_examples
from assets.feedback.pii import scrub
from assets.feedback.simulate import simulate_feedback
from resources.errors import InputDataError
from resources.feedback.records import StoredAnswerFeedback
from resources.feedback.validation import feedback_problems
from resources.paths import data_dir

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("연락처 010-1234-5678 로 주세요", "연락처 [전화번호] 로 주세요", "phone"),
        ("연락처 01012345678", "연락처 [전화번호]", "phone"),
        ("사무실 02-123-4567, 지점 031-1234-5678", "사무실 [전화번호], 지점 [전화번호]", "phone"),
        ("국제 +82 10-1234-5678", "국제 [전화번호]", "phone"),
        ("대표번호 1588-1234", "대표번호 [전화번호]", "phone"),
        ("메일 hong.gildong+cs@example.co.kr 입니다", "메일 [이메일] 입니다", "email"),
        ("주민번호 900101-1234567", "주민번호 [주민등록번호]", "resident_number"),
        ("주민번호 9001012234567", "주민번호 [주민등록번호]", "resident_number"),
        ("카드 4111 1111 1111 1111 결제", "카드 [카드번호] 결제", "card"),
        ("카드 5500-0000-0000-0004", "카드 [카드번호]", "card"),
    ],
)
def test_personal_data_is_scrubbed(text: str, expected: str, kind: str) -> None:
    cleaned, counts = scrub(text)
    assert cleaned == expected
    assert counts[kind] >= 1


@pytest.mark.parametrize(
    "text",
    [
        "1회 결제금액이 30만 원 이상인 카드 결제",  # amounts
        "주문번호 20261130123456",  # 14 digits, not Luhn-valid as a card, not a phone
        "문서번호: HB-SEC-120, 제6조",
        "가격 중앙값은 35,900원",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    cleaned, counts = scrub(text)
    assert cleaned == text and not counts


def stored(
    id_: int,
    rating: int,
    input_: str = "질문입니다",
    output: str = "답변입니다",
    correction: str | None = None,
    task: str = "qa",
) -> StoredAnswerFeedback:
    return StoredAnswerFeedback(
        task=task,
        input=input_,
        output=output,
        rating=rating,
        correction=correction,
        model_version="student-v1",
        created_at=NOW + timedelta(minutes=id_),
        id=id_,
    )


def test_examples_are_approved_bounded_scrubbed_and_deduplicated() -> None:
    rows = [
        stored(1, 5),
        stored(2, 2),  # not approved
        stored(3, 1, correction="고친 답변입니다"),  # correction → target
        stored(4, 5, input_="질문입니다"),  # duplicate of 1 (same task, prompt, target): the newer one stays
        stored(5, 4, input_="짧", output="답변입니다"),  # prompt too short
        stored(6, 4, output="가" * 50),  # target too long for the bounds below
        stored(7, 5, input_="제 번호 010-9876-5432 인데요", task="bullets"),
        stored(8, 5, input_="질문입니다", task="bullets"),  # same text, other task: kept
    ]
    selection = select_examples(rows, ExampleBounds(min_prompt_chars=2, max_target_chars=40))
    frame = selection.frame
    assert list(frame.columns) == EXAMPLE_COLUMNS
    assert frame["feedback_id"].tolist() == [3, 4, 7, 8]
    assert frame.set_index("feedback_id").loc[3, "target"] == "고친 답변입니다"
    assert frame.set_index("feedback_id").loc[7, "prompt"] == "제 번호 [전화번호] 인데요"
    assert dict(selection.dropped) == {
        "not approved (rating < 4, no correction)": 1,
        "duplicate": 1,
        "prompt length out of bounds": 1,
        "target length out of bounds": 1,
    }
    assert selection.scrubbed["phone"] == 1
    assert str(frame["created_at"].dt.tz) == "UTC" and frame["rating"].dtype == "int64"


def test_no_rows_give_an_empty_frame_with_the_contract_columns() -> None:
    frame = select_examples([], ExampleBounds()).frame
    assert list(frame.columns) == EXAMPLE_COLUMNS and len(frame) == 0


def test_simulated_feedback_is_valid_seeded_and_tied_to_the_shipped_data() -> None:
    first = simulate_feedback(200, data_dir(), seed=3, now=NOW)
    again = simulate_feedback(200, data_dir(), seed=3, now=NOW)
    assert first == again
    assert first != simulate_feedback(200, data_dir(), seed=4, now=NOW)
    assert all(not feedback_problems(record) for record in first)
    tasks = {record.task for record in first}
    assert tasks == {"qa", "bullets"}
    approved = sum(1 for r in first if r.rating >= 4 or r.correction)
    assert 0.6 * len(first) < approved < 0.97 * len(first)
    assert all(NOW - timedelta(days=7) <= r.created_at <= NOW for r in first)
    docs_text = " ".join(p.read_text(encoding="utf-8") for p in (data_dir() / "raw_docs").glob("*.md"))
    qa_answers = [r.output for r in first if r.task == "qa"]
    assert sum(answer in docs_text for answer in qa_answers) > len(qa_answers) // 3
    assert any(scrub(r.input)[1] for r in first), "some rows carry personal data to scrub"


def test_simulation_needs_the_data(tmp_path) -> None:
    with pytest.raises(InputDataError, match="raw_docs"):
        simulate_feedback(5, tmp_path)
