"""Re-flowing hard-wrapped text: joins, page numbers, running headers/footers, hyphenation, kept breaks."""

from __future__ import annotations

import random

import pytest

from assets.knowledge.documents import decode_text, normalize_text, read_document, scan_documents
from assets.knowledge.reflow import (
    PAGE_BREAK,
    hard_wrap,
    is_page_number,
    reflow_text,
    text_looks_hard_wrapped,
)
from resources.paths import data_dir
from resources.text_lines import continues, ends_sentence, looks_hard_wrapped, paragraph_spans, starts_block

PARAGRAPH = (
    "전자금융거래의 안전성을 확보하기 위하여 금융회사는 보안 대책을 수립하여야 한다. 보안 대책에는 접근 통제, "
    "암호화, 침해 사고 대응 절차가 포함되어야 하며 매년 한 번 이상 점검한다. 점검 결과는 정보보호위원회에 "
    "보고하고 미흡한 항목은 3개월 이내에 보완한다. 관리자 계정의 비밀번호는 12자 이상이어야 하고 90일마다 "
    "변경한다. The system keeps authentication information encrypted with AES-256 at rest."
)
SECOND = "두 번째 문단은 여기서 시작된다. 환불은 결제 수단으로 3영업일 이내에 처리된다."


def test_a_wrapped_paragraph_comes_back_whole() -> None:
    for seed in range(20):
        lines = hard_wrap(PARAGRAPH, random.Random(seed))
        assert len(lines) > 4 and all(len(line) <= 45 or " " not in line for line in lines)
        assert reflow_text("\n".join(lines)) == PARAGRAPH


def test_paragraphs_separated_by_blank_lines_stay_apart() -> None:
    rng = random.Random(3)
    text = "\n".join(hard_wrap(PARAGRAPH, rng)) + "\n\n" + "\n".join(hard_wrap(SECOND, rng))
    assert reflow_text(text) == f"{PARAGRAPH}\n\n{SECOND}"


@pytest.mark.parametrize(
    "line", ["3", "- 3 -", "– 12 –", "3 / 12", "3/12", "3 of 12", "Page 3", "p. 3", "3쪽", "12 페이지"]
)
def test_page_number_lines(line: str) -> None:
    assert is_page_number(line)
    wrapped = hard_wrap(PARAGRAPH, random.Random(1))
    assert reflow_text("\n".join([*wrapped[:3], line, *wrapped[3:]])) == PARAGRAPH


@pytest.mark.parametrize("line", ["2019년", "3. 신청 방법", "제3조", "3개월", "1588-0000", "Page two"])
def test_lines_that_are_not_page_numbers(line: str) -> None:
    assert not is_page_number(line)


def test_running_headers_and_footers_are_dropped() -> None:
    rng = random.Random(5)
    lines = hard_wrap(" ".join([PARAGRAPH, SECOND, PARAGRAPH]), rng)
    pages, total = [], 4
    for number in range(total):
        body = lines[number * len(lines) // total : (number + 1) * len(lines) // total]
        pages.append("\n".join(["한빛마켓 보안 규정 v2", *body, f"대외비 {number + 1}/{total}", str(number + 1)]))
    reflowed = reflow_text(PAGE_BREAK.join(pages))
    assert "한빛마켓 보안 규정" not in reflowed and "대외비" not in reflowed
    assert reflowed == " ".join([PARAGRAPH, SECOND, PARAGRAPH])


def test_a_form_feed_page_break_that_ends_a_paragraph_stays_a_paragraph_break() -> None:
    opening = "이 줄은 폭을 정하기 위해 넣은 충분히 긴 줄이며 문장이 끝나지 않고"
    pages = [f"{opening}\n다음 줄로 이어진다.\n- 1 -", "- 2 -\n둘째 쪽의 새 문단이다.", "3\n셋째 쪽의 문단이다."]
    assert reflow_text(PAGE_BREAK.join(pages)) == (
        f"{opening} 다음 줄로 이어진다.\n\n둘째 쪽의 새 문단이다.\n\n셋째 쪽의 문단이다."
    )


def test_a_line_repeated_on_few_pages_or_inside_the_page_is_kept() -> None:
    pages = [
        f"머리말 A\n본문 {i}쪽의 내용은 이렇다.\n반복되는 문장이다.\n끝맺음 {i}의 문장이다.\n{'마지막 줄' * (i + 1)}."
        for i in range(4)
    ]
    pages[0] = pages[0].replace("머리말 A", "특별 머리말")
    reflowed = reflow_text(PAGE_BREAK.join(pages))
    assert reflowed.count("반복되는 문장이다.") == 4 and reflowed.count("의 문장이다.") == 4
    assert "특별 머리말" in reflowed and "머리말 A" not in reflowed


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["the system uses infor-", "mation from the bank"], "the system uses information from the bank"),
        (["reported by COVID-", "19 surveillance"], "reported by COVID-19 surveillance"),
        (["the paper of Jean-", "Paul Sartre"], "the paper of Jean-Paul Sartre"),
        (["가격은 1,000-", "2,000원이다."], "가격은 1,000- 2,000원이다."),
    ],
)
def test_hyphenation_across_lines(lines: list[str], joined: str) -> None:
    long_line = "이 줄은 폭을 정하기 위해 넣은 충분히 긴 줄이며 문장이 끝나지 않는다"
    assert reflow_text("\n".join([long_line, *lines])) == f"{long_line} {joined}"


def test_real_paragraph_breaks_are_kept() -> None:
    text = "\n".join(
        [
            "제1장 총칙",
            "이 규정은 회사가 제공하는 전자금융거래의 안전성을",
            "확보하기 위하여 필요한 사항을 정함을 목적으로",
            "한다. 회사는 보안 대책을 수립하여야 한다.",
            "- 첫째 항목은 접근 통제이며 관리자가 매월 점검",
            "- 둘째 항목",
            "1. 번호가 붙은 항목",
            "② 원문자 항목",
            "구분 | 기준 | 주기",
            "접근 통제 | 관리자 | 매월",
            "",
            "새 문단이 시작되며 앞 문단과 합쳐지지 않는다.",
        ]
    )
    assert reflow_text(text).split("\n") == [
        "제1장 총칙",
        "이 규정은 회사가 제공하는 전자금융거래의 안전성을 확보하기 위하여 필요한 사항을 정함을 목적으로 "
        "한다. 회사는 보안 대책을 수립하여야 한다.",
        "- 첫째 항목은 접근 통제이며 관리자가 매월 점검",
        "- 둘째 항목",
        "1. 번호가 붙은 항목",
        "② 원문자 항목",
        "구분 | 기준 | 주기",
        "접근 통제 | 관리자 | 매월",
        "",
        "새 문단이 시작되며 앞 문단과 합쳐지지 않는다.",
    ]


def test_a_short_standalone_label_is_not_glued_to_the_next_line() -> None:
    text = "문서번호: HB-PRV-160\n개인정보 보호 규정은 회사가 처리하는 개인정보의 보호에\n관한 사항을 정한다."
    assert (
        reflow_text(text)
        == "문서번호: HB-PRV-160\n개인정보 보호 규정은 회사가 처리하는 개인정보의 보호에 관한 사항을 정한다."
    )


def test_running_text_wrapped_before_an_article_reference_is_joined() -> None:
    assert continues("요건을 갖추어야 하므로(전자금융거래법", "제2조 제15호) 전자화폐는", 28, False)
    assert not continues("회사는 보안 대책을 수립하여야 한다.", "제2조(정의) 이 규정에서", 28, False)
    assert not continues("회사는 보안 대책을 수립하여야 하며", "제2조(정의) 이 규정에서", 60, False)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 항목", True),
        ("-", True),
        ("• 항목", True),
        ("② 항목", True),
        ("1. 항목", True),
        ("3) 항목", True),
        ("(2) 항목", True),
        ("가. 항목", True),
        ("Q1. 질문", True),
        ("A: 답", True),
        ("제3조(정의)", True),
        ("## 제목", True),
        ("A.I.는 인공지능이다", False),
        ("2019년에 시작했다", False),
        ("-5도까지 내려간다", False),
    ],
)
def test_block_starts(line: str, expected: bool) -> None:
    assert starts_block(line) is expected


def test_sentence_ends() -> None:
    assert all(ends_sentence(s) for s in ["했다.", "있나요?", '라고 했다."', "다음과 같다:", "끝…"])
    assert not any(ends_sentence(s) for s in ["했다", "전자금융거래의 안전성을", "(전자금융거래법"])


def test_the_hard_wrap_test_is_conservative() -> None:
    wrapped = "\n".join(hard_wrap(" ".join([PARAGRAPH, SECOND, PARAGRAPH]), random.Random(0)))
    assert text_looks_hard_wrapped(wrapped)
    sentences = "\n".join(f"{i}번째 문장은 한 줄에 하나씩 쓰여 있고 마침표로 끝난다." for i in range(12))
    assert not text_looks_hard_wrapped(sentences)
    bullets = "\n".join(f"- 용어 {i} — 짧은 설명이 붙은 용어 목록의 한 항목" for i in range(12))
    assert not text_looks_hard_wrapped(bullets)
    assert not looks_hard_wrapped(wrapped.split("\n")[:5])  # too few lines to judge
    assert not text_looks_hard_wrapped(PARAGRAPH * 3)


def test_paragraph_spans_keep_every_line_of_ordinary_text() -> None:
    text = "문서번호: HB-1\n반품은 7일 이내에 신청한다.\n② 비밀번호를 5회 틀리면 잠긴다."
    assert [text[a:b] for a, b in paragraph_spans(text)] == text.split("\n")
    korean = PARAGRAPH[: PARAGRAPH.index(" The system")]
    wrapped = "\n".join(hard_wrap(korean, random.Random(2)))
    assert [wrapped[a:b].replace("\n", " ") for a, b in paragraph_spans(wrapped)] == [korean]


def test_shipped_documents_are_not_changed_by_reflow() -> None:
    root = data_dir() / "raw_docs"
    scan = scan_documents(root)
    if len(scan.found) < 2:
        pytest.skip("fewer than 2 shipped sample documents")
    for path in scan.found.values():
        text = read_document(path, root).text
        assert not text_looks_hard_wrapped(text), path.name
        if path.suffix == ".txt":
            assert text == normalize_text(decode_text(path.read_bytes())[0]), path.name


def test_a_hard_wrapped_txt_is_reflowed_when_read(tmp_path) -> None:
    rng = random.Random(7)
    body = "\n".join(hard_wrap(PARAGRAPH, rng)) + "\n- 2 -\n" + "\n".join(hard_wrap(SECOND + " " + PARAGRAPH, rng))
    path = tmp_path / "wrapped.txt"
    path.write_text(body, encoding="utf-8")
    assert read_document(path, tmp_path).text == f"{PARAGRAPH} {SECOND} {PARAGRAPH}"
