"""Tests of sentence-aware, token-bounded, overlapping chunking and chunk deduplication."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from assets.knowledge.chunking import MAX_WINDOW_CHARS, Chunk, chunk_document, deduplicate_chunks, paragraph_windows
from resources.korean import KoreanTokenizer
from resources.paths import shared_dir

PARAGRAPH = (
    "전자금융거래법은 전자금융거래의 법률관계를 명확히 하여 안전성과 신뢰성을 확보하는 것을 목적으로 한다. "
    "금융회사는 전자금융거래가 안전하게 처리될 수 있도록 보안 대책을 수립하고 시행하여야 한다. "
    "이용자의 비밀번호는 최소 8자 이상이어야 하며, 3개월마다 변경하는 것을 권장한다. "
    "The Financial Security Institute publishes guidelines every year (e.g. ISMS-P 2.0). "
    "2023년 기준 간편결제 이용 건수는 하루 평균 2,342만 건으로 전년 대비 14.3% 증가했다! "
    "사고가 발생하면 금융회사는 지체 없이 금융위원회에 보고하여야 하나요? "
)


@pytest.fixture(scope="module")
def tokenizer() -> KoreanTokenizer:
    return KoreanTokenizer()


def check_chunks(chunks: list[Chunk], text: str, doc_id: str, tokenizer: KoreanTokenizer, max_tokens: int) -> None:
    """The documented guarantees of `chunk_document`."""
    assert chunks, "non-blank text gives at least one chunk"
    for position, chunk in enumerate(chunks):
        assert chunk.doc_id == doc_id
        assert chunk.position == position
        assert chunk.chunk_id == f"{doc_id}#{position:04d}"
        assert chunk.text and chunk.text == chunk.text.strip()
        assert text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.token_count == tokenizer.count_tokens(chunk.text)
        assert 0 < chunk.token_count <= max_tokens
        assert chunk.chunk_hash == hashlib.sha256(chunk.text.encode("utf-8")).hexdigest()
    for previous, current in zip(chunks, chunks[1:]):
        assert current.char_start > previous.char_start
        assert current.char_end > previous.char_end
    covered = [False] * len(text)
    for chunk in chunks:
        covered[chunk.char_start : chunk.char_end] = [True] * (chunk.char_end - chunk.char_start)
    assert all(flag or char.isspace() for flag, char in zip(covered, text)), "every non-space char is in a chunk"


def test_short_text_is_one_chunk(tokenizer: KoreanTokenizer) -> None:
    text = "  결제 보안 규정입니다.  짧은 문서.\n"
    chunks = chunk_document("doc-md", text, tokenizer)
    assert [(c.text, c.char_start, c.position) for c in chunks] == [("결제 보안 규정입니다.  짧은 문서.", 2, 0)]
    check_chunks(chunks, text, "doc-md", tokenizer, 256)


@pytest.mark.parametrize("text", ["", "   \n\t  \n"])
def test_blank_text_gives_no_chunks(tokenizer: KoreanTokenizer, text: str) -> None:
    assert chunk_document("doc", text, tokenizer) == []


@pytest.mark.parametrize(("max_tokens", "overlap_tokens"), [(256, 48), (64, 16), (24, 0), (8, 2), (9, 8)])
def test_budget_respected_everywhere(tokenizer: KoreanTokenizer, max_tokens: int, overlap_tokens: int) -> None:
    text = "\n\n".join([PARAGRAPH] * 6)
    chunks = chunk_document("rules-md", text, tokenizer, max_tokens=max_tokens, overlap_tokens=overlap_tokens)
    check_chunks(chunks, text, "rules-md", tokenizer, max_tokens)


def test_whole_sentences_are_packed(tokenizer: KoreanTokenizer) -> None:
    text = PARAGRAPH * 3
    sentences = tokenizer.split_sentences(text)
    boundaries = {s.start for s in sentences} | {s.end for s in sentences}
    chunks = chunk_document("doc", text, tokenizer, max_tokens=80, overlap_tokens=0)
    check_chunks(chunks, text, "doc", tokenizer, 80)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.char_start in boundaries and chunk.char_end in boundaries


def test_text_without_sentence_ends(tokenizer: KoreanTokenizer) -> None:
    text = " ".join(["결제 보안 규정 준수 여부 점검 항목 목록"] * 120)
    chunks = chunk_document("doc", text, tokenizer, max_tokens=40, overlap_tokens=8)
    check_chunks(chunks, text, "doc", tokenizer, 40)
    assert len(chunks) >= tokenizer.count_tokens(text) // 40
    assert all(c.token_count >= 30 for c in chunks[:-1]), "pieces are packed close to the budget"


def test_one_very_long_sentence_is_cut_at_word_boundaries(tokenizer: KoreanTokenizer) -> None:
    sentence = (
        "금융회사는 "
        + ", ".join(f"{i}번째 보안 통제 항목을 점검하고" for i in range(150))
        + " 그 결과를 보고하여야 한다."
    )
    text = f"짧은 첫 문장이다. {sentence} 마지막 문장이다."
    chunks = chunk_document("doc", text, tokenizer, max_tokens=32, overlap_tokens=8)
    check_chunks(chunks, text, "doc", tokenizer, 32)
    words = {index for index, char in enumerate(text) if char.isspace()}
    for chunk in chunks:
        assert chunk.char_start == 0 or chunk.char_start - 1 in words
        assert chunk.char_end == len(text) or chunk.char_end in words


def test_table_seen_as_one_sentence_is_cut_at_line_breaks(tokenizer: KoreanTokenizer) -> None:
    rows = [f"{i}등급 | 거래액 {i},000만 원 이상 | 주문이행률 9{i}% 이상 | 수수료 {i}%p 할인" for i in range(1, 9)]
    text = "등급 | 거래액 | 주문이행률 | 혜택\n" + "\n".join(rows)
    assert len(tokenizer.split_sentences(text)) == 1  # no sentence ends: Kiwi sees one sentence
    chunks = chunk_document("table", text, tokenizer, max_tokens=40, overlap_tokens=0)
    check_chunks(chunks, text, "table", tokenizer, 40)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.char_start == 0 or text[chunk.char_start - 1] == "\n"
        assert chunk.char_end == len(text) or text[chunk.char_end] == "\n"


def test_one_word_over_budget_is_cut_at_morphemes(tokenizer: KoreanTokenizer) -> None:
    text = "보안규정을준수하여야하며위반시제재를받는다" * 12
    chunks = chunk_document("doc", text, tokenizer, max_tokens=10, overlap_tokens=2)
    check_chunks(chunks, text, "doc", tokenizer, 10)
    assert len(chunks) > 5
    assert "".join(c.text for c in chunks) == text


def test_mixed_korean_english_numbers(tokenizer: KoreanTokenizer) -> None:
    text = (
        "API v2.3.1 릴리스: 응답 시간 p95 120ms → 85ms (29.2% 개선). "
        "KorQuAD 1.0 EM 84.5, F1 92.1; BM25+Dense hybrid가 top-3 recall@3 0.91을 기록했다. "
        "URL https://example.com/docs?id=42 참고. 이메일 support@example.co.kr 로 문의. "
    ) * 10
    chunks = chunk_document("mixed-txt", text, tokenizer, max_tokens=48, overlap_tokens=12)
    check_chunks(chunks, text, "mixed-txt", tokenizer, 48)
    assert any("https://example.com/docs?id=42" in c.text for c in chunks)


def test_unbalanced_quote_does_not_merge_later_paragraphs(tokenizer: KoreanTokenizer) -> None:
    """Kiwi pairs an unclosed quote with a later one and returns everything between as one sentence
    (seen in KorQuAD: 'a부터 ... Don't); splitting per paragraph keeps the other paragraphs intact."""
    body = "금융회사는 보안 대책을 수립하여야 한다. 이용자는 비밀번호를 변경해야 한다. 사고는 즉시 보고한다."
    text = "\n\n".join(
        ["열은 'a부터 h까지의 알파벳이 붙어 있다.", *[body] * 12, "싱글 'I Don't Need a Man'은 성공했다."]
    )
    assert len(tokenizer.split_sentences(text)) == 1  # the Kiwi behaviour this guards against
    chunks = chunk_document("doc", text, tokenizer, max_tokens=40, overlap_tokens=0)
    check_chunks(chunks, text, "doc", tokenizer, 40)
    assert all(chunk.text.endswith(".") for chunk in chunks)


def test_overlap_is_trailing_whole_sentences_within_budget(tokenizer: KoreanTokenizer) -> None:
    text = PARAGRAPH * 4
    sentences = tokenizer.split_sentences(text)
    by_start = {s.start: s for s in sentences}
    chunks = chunk_document("doc", text, tokenizer, max_tokens=90, overlap_tokens=30)
    check_chunks(chunks, text, "doc", tokenizer, 90)
    overlapping = 0
    for previous, current in zip(chunks, chunks[1:]):
        assert current.char_start in by_start
        if current.char_start < previous.char_end:
            overlapping += 1
            shared = [s for s in sentences if current.char_start <= s.start and s.end <= previous.char_end]
            assert shared and shared[-1].end == previous.char_end
            assert sum(s.token_count for s in shared) <= 30
    assert overlapping >= len(chunks) // 2


def test_zero_overlap_means_disjoint_chunks(tokenizer: KoreanTokenizer) -> None:
    text = PARAGRAPH * 4
    chunks = chunk_document("doc", text, tokenizer, max_tokens=60, overlap_tokens=0)
    check_chunks(chunks, text, "doc", tokenizer, 60)
    assert all(current.char_start >= previous.char_end for previous, current in zip(chunks, chunks[1:]))


def test_ids_are_stable_and_deterministic(tokenizer: KoreanTokenizer) -> None:
    text = PARAGRAPH * 3
    first = chunk_document("payment_security_regulation-md", text, tokenizer, max_tokens=64, overlap_tokens=16)
    second = chunk_document("payment_security_regulation-md", text, tokenizer, max_tokens=64, overlap_tokens=16)
    assert first == second
    assert first[0].chunk_id == "payment_security_regulation-md#0000"
    assert first[1].chunk_id == "payment_security_regulation-md#0001"
    assert json.loads(json.dumps(first[0].as_dict()))["chunk_id"] == first[0].chunk_id


def test_deduplicate_keeps_first_and_counts(tokenizer: KoreanTokenizer) -> None:
    block = "동일한 문단이 반복된다. 두 번째 문장도 같다."
    text = "\n\n".join([block] * 4)
    chunks = chunk_document("doc", text, tokenizer, max_tokens=16, overlap_tokens=0)
    kept, removed = deduplicate_chunks(chunks)
    assert removed == len(chunks) - len(kept) > 0
    assert len({c.chunk_hash for c in kept}) == len(kept)
    assert kept[0] is chunks[0]
    assert [c.position for c in kept] == sorted(c.position for c in kept)
    assert deduplicate_chunks([]) == ([], 0)


def test_deduplicate_across_documents(tokenizer: KoreanTokenizer) -> None:
    a = chunk_document("a", "공통 문장입니다.", tokenizer)
    b = chunk_document("b", "공통 문장입니다.", tokenizer)
    kept, removed = deduplicate_chunks(a + b)
    assert (kept, removed) == (a, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_tokens": 7}, "max_tokens must be at least 8"),
        ({"max_tokens": 32, "overlap_tokens": 32}, "must be smaller than max_tokens"),
        ({"max_tokens": 32, "overlap_tokens": 40}, "must be smaller than max_tokens"),
        ({"overlap_tokens": -1}, "overlap_tokens must be >= 0"),
        ({"max_tokens": 64.0}, "max_tokens must be an integer"),
        ({"overlap_tokens": True}, "overlap_tokens must be an integer"),
    ],
)
def test_argument_validation(tokenizer: KoreanTokenizer, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chunk_document("doc", "문장.", tokenizer, **kwargs)


def test_empty_doc_id_is_rejected(tokenizer: KoreanTokenizer) -> None:
    with pytest.raises(ValueError, match="doc_id"):
        chunk_document("", "문장.", tokenizer)


def test_korquad_contexts_respect_budget(tokenizer: KoreanTokenizer) -> None:
    path = shared_dir() / "datasets" / "korquad-v1.0-dev" / "KorQuAD_v1.0_dev.json"
    if not path.is_file():
        pytest.skip("KorQuAD dev set not available")
    articles = json.loads(Path(path).read_text(encoding="utf-8"))["data"][:3]
    for index, article in enumerate(articles):
        text = "\n\n".join(paragraph["context"] for paragraph in article["paragraphs"])
        chunks = chunk_document(f"korquad-{index}", text, tokenizer, max_tokens=128, overlap_tokens=24)
        check_chunks(chunks, text, f"korquad-{index}", tokenizer, 128)


# ------------------------------------------------------------------------- one huge paragraph


def _single_paragraph(n_chars: int) -> str:
    """Lines of the shipped markdown documents joined by spaces (no newline), repeated to `n_chars`."""
    root = Path(__file__).resolve().parents[2] / "data" / "raw_docs"
    lines = [
        line.strip(" #->*|")
        for path in sorted(root.glob("*.md"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    base = " ".join(line for line in lines if len(line) > 10)
    return (base + " ") * (n_chars // (len(base) + 1)) + base[: n_chars % (len(base) + 1)]


def test_paragraph_windows_are_bounded_cut_at_natural_breaks_and_lose_nothing() -> None:
    text = "첫 문장이다. 둘째 문장이다! 셋째 문장인가? " * 40 + "공백없는긴단어" * 60 + "\n마지막 줄이다."
    windows = paragraph_windows(text, 0, len(text), max_chars=100)
    assert all(0 < end - start <= 100 for start, end in windows)
    assert all(text[start:end] == text[start:end].strip() for start, end in windows)
    joined = "".join(text[s:e] for s, e in windows)
    assert joined.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    prose = [text[s:e] for s, e in windows if e <= text.index("공백없는")]
    assert all(window[-1] in ".!?" for window in prose[:-1])  # prose is cut after sentence punctuation
    assert paragraph_windows("  짧은 문단.  ", 0, 10) == [(2, 8)]  # under the limit: the stripped span itself
    with pytest.raises(ValueError, match="max_chars"):
        paragraph_windows(text, 0, len(text), max_chars=1)


def test_a_huge_paragraph_is_split_in_bounded_windows_quickly(tokenizer: KoreanTokenizer, monkeypatch) -> None:
    text = _single_paragraph(300_000)
    assert "\n" not in text and len(text) == 300_000
    lengths: list[int] = []
    real = tokenizer.split_sentences

    def recording(part: str):
        lengths.append(len(part))
        return real(part)

    monkeypatch.setattr(tokenizer, "split_sentences", recording)
    started = time.perf_counter()
    chunks = chunk_document("big-txt", text, tokenizer)
    elapsed = time.perf_counter() - started
    assert max(lengths) <= MAX_WINDOW_CHARS  # Kiwi never sees more than one window at a time
    assert elapsed < 240, f"chunking 300k characters took {elapsed:.0f}s"  # generous: about 15 s on 2 cores
    check_chunks(chunks, text, "big-txt", tokenizer, 256)


@pytest.mark.parametrize(("max_tokens", "overlap_tokens"), [(64, 16), (32, 0), (256, 48)])
def test_long_paragraphs_between_short_ones_keep_every_guarantee(
    tokenizer: KoreanTokenizer, max_tokens: int, overlap_tokens: int
) -> None:
    prose = _single_paragraph(MAX_WINDOW_CHARS + 1_500)
    no_breaks = "결제보안규정" * ((MAX_WINDOW_CHARS + 600) // 6)  # no space, no punctuation at all
    text = f"{PARAGRAPH}\n\n{no_breaks}\n\n{prose}\n\n{PARAGRAPH}"
    chunks = chunk_document("mixed-txt", text, tokenizer, max_tokens, overlap_tokens)
    check_chunks(chunks, text, "mixed-txt", tokenizer, max_tokens)
    inside = [c for c in chunks if text.index(prose) <= c.char_start and c.char_end <= text.index(prose) + len(prose)]
    assert len(inside) > 5
    shared = [text[b.char_start : a.char_end] for a, b in zip(inside, inside[1:]) if b.char_start < a.char_end]
    if overlap_tokens == 0:
        assert shared == []
    else:  # trailing whole sentences of the previous chunk, within the overlap budget (up to Kiwi's recount)
        assert shared and all(tokenizer.count_tokens(part) <= overlap_tokens + 2 for part in shared)
