"""Number-copying decoding: where the prompt states each number, the step rules, and a trained tiny student
that copies its prompt's numbers instead of the ones it learned."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from resources.student.builtin import train_tokenizer
from resources.student.chat import target_text
from resources.student.generation import StudentGenerator
from resources.student.number_copy import DigitVocabulary, copy_choices, number_spans, prompt_numbers
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
def vocabulary(tokenizer) -> DigitVocabulary:
    return DigitVocabulary.of(tokenizer)


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
    spans = number_spans(tokenizer, prompt, vocabulary.texts)
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


def test_after_a_label_number_the_next_number_there_may_follow(tokenizer, vocabulary) -> None:
    allowed, plain_too = _choices(tokenizer, vocabulary, "가격은 P25", " 7")
    assert tokenizer.decode(_ids(tokenizer, " 23288")[:1]) in _decode(tokenizer, allowed)
    assert not plain_too, "the model wanted a number, so the prompt's number there is the choice"
    allowed, plain_too = _choices(tokenizer, vocabulary, "가격은 P25", "원")
    assert plain_too, "the model may also end the number and go on with words"


def test_decoding_stays_free_without_a_matching_context_or_a_number(tokenizer, vocabulary) -> None:
    assert _choices(tokenizer, vocabulary, "반품 기한은", " 7") is None
    assert _choices(tokenizer, vocabulary, "카테고리는 상품", "이") is None


def _count_example(products: int, brands: int):
    return chat_example(f"상품 {products}개, 브랜드 {brands}개", f"상품 {products}개, 브랜드 {brands}개 규모입니다.")


def test_a_trained_student_copies_the_prompts_numbers(tmp_path: Path) -> None:
    rng = random.Random(0)
    examples = [_count_example(rng.randrange(100, 1000), rng.randrange(10, 100)) for _ in range(48)]
    texts = [*PRETRAIN_TEXTS, *(target_text(example) for example in examples)]
    result = train_student(examples, examples[:2], texts, tiny_config(sft_steps=240), tmp_path)
    generator = StudentGenerator.load(result.model_dir)
    asked = [(583, 29), (946, 57), (218, 64), (771, 35)]
    conversations = [_count_example(*numbers)["messages"][:-1] for numbers in asked]
    free = generator.generate(conversations, max_new_tokens=24)
    copied = generator.generate(conversations, max_new_tokens=24, copy_numbers=True)
    expected = [[str(number) for number in numbers] for numbers in asked]
    assert [re.findall(r"\d+", text) for text in free] != expected, f"free decoding already copies: {free}"
    assert [re.findall(r"\d+", text) for text in copied] == expected, copied
    prefilled = [[*conversation, {"role": "assistant", "content": "상품"}] for conversation in conversations]
    assert generator.generate(prefilled, max_new_tokens=24, copy_numbers=True) == copied  # start returned in front


def test_the_context_is_compared_as_text_whatever_tokens_spelled_it(tokenizer, vocabulary) -> None:
    prompt = _ids(tokenizer, PROMPT)
    spans = number_spans(tokenizer, prompt, vocabulary.texts)
    written = _ids(tokenizer, "가격 변") + _ids(tokenizer, "화 중앙") + _ids(tokenizer, "값")
    assert written != _ids(tokenizer, "가격 변화 중앙값"), "the pieces must spell the words with other tokens"
    decode = lambda ids: tokenizer.decode(list(ids))  # noqa: E731
    allowed, _ = copy_choices(written, _ids(tokenizer, " 7")[0], spans, decode, vocabulary)
    assert allowed == {_ids(tokenizer, " -3.4")[0]}
