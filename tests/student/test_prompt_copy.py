"""Copying from the prompt while decoding: where the prompt states each number and listed phrase, the step
rules, and trained tiny students that copy their prompt's numbers and names instead of the ones they learned."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from resources.student.builtin import train_tokenizer
from resources.student.chat import target_text
from resources.student.generation import Sampling, StudentGenerator
from resources.student.prompt_copy import (
    CopyVocabulary,
    PromptSpans,
    copy_choices,
    number_spans,
    prompt_numbers,
    prompt_spans,
)
from resources.student.training import train_student
from tests.student.conftest import PRETRAIN_TEXTS, chat_example, tiny_config

PROMPT = "상품 194개, 누적 리뷰 51190건, P25 23288원, 가격 변화 중앙값 -3.4%, 평점 4.52점, 변화 +1.2%, 11번가"


def test_prompt_numbers_are_cut_as_the_tokenizer_cuts_them() -> None:
    assert prompt_numbers(PROMPT) == {"194", "51190", "25", "23288", "-3.4", "4.52", "+1.2", "11"}


@pytest.fixture(scope="module")
def tokenizer():
    texts = [PROMPT, "상품 46838개 1945원 46개 3.4% 7일 기준입니다. 누적 리뷰 511건", *PRETRAIN_TEXTS] * 4
    return train_tokenizer(texts, 300)


@pytest.fixture(scope="module")
def vocabulary(tokenizer) -> CopyVocabulary:
    return CopyVocabulary.of(tokenizer)


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def test_spans_are_whole_numbers_where_the_prompt_states_them(tokenizer, vocabulary) -> None:
    prompt = _ids(tokenizer, PROMPT)
    spans = number_spans(tokenizer, prompt, vocabulary.texts)
    found = {tokenizer.decode(list(span.tokens)).strip() for span in spans}
    assert found == prompt_numbers(PROMPT), "51190's inner 11 is not the 11 of 11번가"
    for span in spans:
        assert tuple(prompt[span.start : span.start + len(span.tokens)]) == span.tokens


def _choices(tokenizer, vocabulary, written: str, top: str):
    prompt = _ids(tokenizer, PROMPT)
    spans = PromptSpans(number_spans(tokenizer, prompt, vocabulary.texts), [])
    decode = lambda ids: tokenizer.decode(list(ids))  # noqa: E731
    return copy_choices(_ids(tokenizer, written), _ids(tokenizer, top)[0], spans, decode, vocabulary)


def _decode(tokenizer, ids) -> set[str]:
    return {tokenizer.decode([token]) for token in ids}


def test_a_number_is_taken_from_the_place_whose_words_match(tokenizer, vocabulary) -> None:
    allowed, plain_too = _choices(tokenizer, vocabulary, "카테고리는 상품", " 46")
    assert _decode(tokenizer, allowed) == {tokenizer.decode(_ids(tokenizer, " 194")[:1])} and not plain_too
    allowed, plain_too = _choices(tokenizer, vocabulary, "리뷰 가중 평균 평점", " 4.52")
    assert _decode(tokenizer, allowed) == {tokenizer.decode(_ids(tokenizer, " 4.52")[:1])}


def test_a_started_number_is_finished_token_for_token(tokenizer, vocabulary) -> None:
    whole = _ids(tokenizer, " 51190")
    assert len(whole) > 1, "the fixture tokenizer cuts 51190 into more than one token"
    written = tokenizer.decode(_ids(tokenizer, "누적 리뷰") + whole[:1])
    allowed, plain_too = _choices(tokenizer, vocabulary, written, "건")
    assert allowed == {whole[1]} and not plain_too


def test_after_a_label_number_the_next_number_there_follows(tokenizer, vocabulary) -> None:
    first = tokenizer.decode(_ids(tokenizer, " 23288")[:1])
    for top in (" 7", "원"):
        allowed, plain_too = _choices(tokenizer, vocabulary, "가격은 P25", top)
        assert first in _decode(tokenizer, allowed) and not plain_too, "P25 is followed by its price, not '원'"
    allowed, plain_too = _choices(tokenizer, vocabulary, "카테고리는 상품 194", "개")
    assert plain_too, "after a number with none right after it in the prompt, words may follow"


def test_decoding_stays_free_without_a_matching_context_or_a_number(tokenizer, vocabulary) -> None:
    assert _choices(tokenizer, vocabulary, "반품 기한은", " 7") is None
    assert _choices(tokenizer, vocabulary, "카테고리는 상품", "이") is None


def _count_example(products: int, brands: int):
    return chat_example(f"상품 {products}개, 브랜드 {brands}개", f"상품 {products}개, 브랜드 {brands}개 규모입니다.")


@pytest.fixture(scope="module")
def counting_student(tmp_path_factory) -> StudentGenerator:
    rng = random.Random(0)
    examples = [_count_example(rng.randrange(100, 1000), rng.randrange(10, 100)) for _ in range(48)]
    texts = [*PRETRAIN_TEXTS, *(target_text(example) for example in examples)]
    result = train_student(examples, examples[:2], texts, tiny_config(sft_steps=240), tmp_path_factory.mktemp("s"))
    return StudentGenerator.load(result.model_dir)


def test_a_trained_student_copies_the_prompts_numbers(counting_student: StudentGenerator) -> None:
    generator = counting_student
    asked = [(583, 29), (946, 57), (218, 64), (771, 35)]
    conversations = [_count_example(*numbers)["messages"][:-1] for numbers in asked]
    free = generator.generate(conversations, max_new_tokens=24)
    copied = generator.generate(conversations, max_new_tokens=24, copy_from_prompt=True)
    expected = [[str(number) for number in numbers] for numbers in asked]
    assert [re.findall(r"\d+", text) for text in free] != expected, f"free decoding already copies: {free}"
    assert [re.findall(r"\d+", text) for text in copied] == expected, copied
    prefilled = [[*conversation, {"role": "assistant", "content": "상품"}] for conversation in conversations]
    assert generator.generate(prefilled, max_new_tokens=24, copy_from_prompt=True) == copied  # start returned in front


def test_sampled_decoding_is_seeded_and_leaves_the_callers_rng_alone(counting_student: StudentGenerator) -> None:
    import torch

    conversations = [_count_example(*numbers)["messages"][:-1] for numbers in [(583, 29), (946, 57), (218, 64)]]
    greedy = counting_student.generate(conversations, 24, copy_from_prompt=True)
    torch.manual_seed(123)
    expected_draw = torch.rand(3)
    torch.manual_seed(123)
    hot = [counting_student.generate(conversations, 24, True, sampling=Sampling(seed, 5.0)) for seed in (1, 1, 2)]
    assert torch.equal(torch.rand(3), expected_draw)  # sampling ran in a forked RNG state
    assert hot[0] == hot[1] and hot[0] != hot[2]  # same seed, same texts; another seed, other texts
    assert hot[0] != greedy
    with pytest.raises(ValueError, match="temperature"):
        Sampling(1, 0.0)


def test_the_context_is_compared_as_text_whatever_tokens_spelled_it(tokenizer, vocabulary) -> None:
    prompt = _ids(tokenizer, PROMPT)
    spans = PromptSpans(number_spans(tokenizer, prompt, vocabulary.texts), [])
    written = _ids(tokenizer, "가격 변") + _ids(tokenizer, "화 중앙") + _ids(tokenizer, "값")
    assert written != _ids(tokenizer, "가격 변화 중앙값"), "the pieces must spell the words with other tokens"
    decode = lambda ids: tokenizer.decode(list(ids))  # noqa: E731
    allowed, _ = copy_choices(written, _ids(tokenizer, " 7")[0], spans, decode, vocabulary)
    assert allowed == {_ids(tokenizer, " -3.4")[0]}


FACTS_PROMPT = '["상위 3개 브랜드(하이펫·웰니스독)","HHI) 2177 기준 중간 수준으로 집중된 시장","채널은 네이버쇼핑 38.2%, 11번가 7.4%"]'
PHRASES = ("하이펫", "웰니스독", "중간 수준으로 집중된 시장", "네이버쇼핑", "11번가")


@pytest.fixture(scope="module")
def facts_tokenizer():
    texts = [FACTS_PROMPT, "리뷰 작성 채널은 네이버쇼핑 38.2% 순으로 많습니다(수집 상품 기준).", *PRETRAIN_TEXTS] * 4
    return train_tokenizer(texts, 300)


def _phrase_choices(tokenizer, written: str | list[int], top: str):
    vocabulary = CopyVocabulary.of(tokenizer)
    spans = prompt_spans(tokenizer, _ids(tokenizer, FACTS_PROMPT), vocabulary.texts, PHRASES)
    decode = lambda ids: tokenizer.decode(list(ids))  # noqa: E731
    ids = _ids(tokenizer, written) if isinstance(written, str) else written
    return copy_choices(ids, _ids(tokenizer, top)[0], spans, decode, vocabulary), spans


def _texts(tokenizer, ids) -> set[bytes]:
    pieces = CopyVocabulary.of(tokenizer).pieces
    return {pieces[i] for i in ids}


def test_listed_phrases_are_spans_and_cover_their_numbers(facts_tokenizer) -> None:
    _, spans = _phrase_choices(facts_tokenizer, "채널은", " 네")
    assert {span.text.decode().strip() for span in spans.phrases} == {"하이펫·", "웰니스독)", *PHRASES[2:]}
    numbers = {facts_tokenizer.decode(list(span.tokens)).strip() for span in spans.numbers}
    assert numbers == {"3", "2177", "38.2", "7.4"}, "the 11 of 11번가 is copied as part of the phrase"
    anchors = {span.text.decode().strip("·) "): span.required for span in spans.phrases}  # in bytes
    assert anchors["웰니스독"] == len("하이펫·".encode()) and anchors["11번가"] == len(b"38.2%,")


def test_a_phrase_is_entered_where_its_anchor_was_written_whatever_the_model_wanted(facts_tokenizer) -> None:
    (allowed, plain_too), _ = _phrase_choices(facts_tokenizer, "리뷰 작성 채널은", " 쿠")
    assert allowed and not plain_too
    assert all(_ok(text, " 네이버쇼핑") for text in _texts(facts_tokenizer, allowed))
    (allowed, _), _ = _phrase_choices(facts_tokenizer, "집중도 지수(HHI) 2177 기준", " 소")
    assert allowed and all(_ok(text, " 중간 수준으로 집중된 시장") for text in _texts(facts_tokenizer, allowed))


def test_a_phrase_needs_its_whole_anchor_not_a_shared_word(facts_tokenizer) -> None:
    choices, _ = _phrase_choices(facts_tokenizer, "규모입니다(수집 상품 기준", ")")
    assert choices is None, "' 기준' alone is not the concentration reading's anchor '2177 기준'"
    choices, _ = _phrase_choices(facts_tokenizer, "리뷰 작성 채널은 네이버쇼핑 12.5%,", " 네")
    assert choices is None, "the second channel follows 38.2%, not any number"


def test_a_phrase_is_spelled_on_in_any_tokens_and_may_glue_on_at_its_end(facts_tokenizer) -> None:
    (allowed, _), _ = _phrase_choices(facts_tokenizer, "(HHI) 2177 기준 중간 수준으로 집중", " 자")
    assert allowed and all(_ok(text, "된 시장") for text in _texts(facts_tokenizer, allowed))
    (allowed, _), _ = _phrase_choices(facts_tokenizer, "(HHI) 2177 기준 중간 수준으로 집중된 시", "입니다")
    assert all(_ok(text, "장") for text in _texts(facts_tokenizer, allowed))
    choices, _ = _phrase_choices(facts_tokenizer, "(HHI) 2177 기준 중간 수준으로 집중된 시장", "입니다")
    assert choices is None, "a finished phrase leaves decoding free"
    (allowed, _), _ = _phrase_choices(facts_tokenizer, "리뷰 기준 상위 3개 브랜드(하이", "펫")
    assert allowed and all("펫·".encode().startswith(piece) for piece in _texts(facts_tokenizer, allowed)), (
        "a name inside its fact is copied with the punctuation after it, nothing glued on"
    )


def _ok(piece: bytes, remaining: str) -> bool:
    return remaining.encode().startswith(piece) or piece.startswith(remaining.encode())


NAMES = ("가람상회", "나래몰", "다온샵", "라온마켓", "마루스토어", "바다몰", "사랑상점", "아라마트", "자연샵", "하늘몰")


def _channel_example(name: str, share: float):
    return chat_example(f'["채널은 {name} {share}%"]', f"리뷰 작성 채널은 {name} {share}% 순으로 많습니다.")


def test_a_trained_student_copies_names_it_never_saw(tmp_path: Path) -> None:
    rng = random.Random(1)
    seen, unseen = NAMES[:6], NAMES[6:]
    examples = [_channel_example(rng.choice(seen), round(rng.uniform(10, 60), 1)) for _ in range(48)]
    texts = [*PRETRAIN_TEXTS, *(target_text(example) for example in examples), *unseen]
    result = train_student(examples, examples[:2], texts, tiny_config(sft_steps=200), tmp_path)
    generator = StudentGenerator.load(result.model_dir)
    asked = [(name, round(rng.uniform(10, 60), 1)) for name in unseen]
    conversations = [_channel_example(*pair)["messages"][:-1] for pair in asked]
    lister = lambda conversation: [conversation[-1]["content"].split(" ")[1]]  # noqa: E731 - the channel name
    free = generator.generate(conversations, max_new_tokens=24, copy_from_prompt=True)
    copied = generator.generate(conversations, max_new_tokens=24, copy_from_prompt=True, copy_phrases=lister)
    assert sum(name in text for (name, _), text in zip(asked, free)) < len(asked), f"already copies: {free}"
    assert all(text.startswith(f"리뷰 작성 채널은 {name}") for (name, _), text in zip(asked, copied)), copied
