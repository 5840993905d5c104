"""Number-copying decoding: the rules on text, and a trained tiny student that may only write its source's numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from resources.student.builtin import train_tokenizer
from resources.student.generation import StudentGenerator
from resources.student.number_copy import DigitVocabulary, NumberTrie, allowed_tokens, prompt_numbers
from resources.student.training import train_student
from tests.student.conftest import PRETRAIN_TEXTS, tiny_config

PROMPT = "상품 194개, P25 23288원, 가격 변화 중앙값 -3.4%, 평점 4.52점, 변화 +1.2%, 11번가"


def test_prompt_numbers_are_cut_as_the_tokenizer_cuts_them() -> None:
    assert prompt_numbers(PROMPT) == {"194", "25", "23288", "-3.4", "4.52", "+1.2", "11"}


@pytest.fixture(scope="module")
def tokenizer():
    texts = [PROMPT, "상품 46838개 1945원 46개 3.4% 7일 기준입니다.", *PRETRAIN_TEXTS] * 4
    return train_tokenizer(texts, 300)


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _writable(tokenizer, trie: NumberTrie, digits: DigitVocabulary, text: str) -> bool:
    """Whether constrained decoding may write `text` token by token (its canonical tokenization)."""
    ids = _ids(tokenizer, text)
    return all(bool(allowed_tokens(ids[:end], trie, digits.has_digit)[ids[end]]) for end in range(len(ids)))


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("상품 194개, 평점 4.52점", True),
        ("P25 23288원", True),
        ("중앙값 -3.4%로", True),
        ("변화 +1.2%", True),
        ("11번가", True),
        ("상품 46개", False),  # not a number of the prompt
        ("상품 1945원", False),  # 194 extended into another number
        ("중앙값 3.4%", False),  # the sign is part of the number
        ("기한 7일", False),
        ("기준입니다.", True),  # no number at all
    ],
)
def test_only_the_prompts_numbers_can_be_written(tokenizer, text: str, ok: bool) -> None:
    trie = NumberTrie.build(tokenizer, prompt_numbers(PROMPT))
    assert _writable(tokenizer, trie, DigitVocabulary.of(tokenizer), text) is ok


def test_an_unfinished_number_cannot_end(tokenizer) -> None:
    trie = NumberTrie.build(tokenizer, {"23288"})
    digits = DigitVocabulary.of(tokenizer)
    first = _ids(tokenizer, " 23288")[:-1]
    assert first, "the fixture tokenizer cuts 23288 into more than one token"
    mask = allowed_tokens(first, trie, digits.has_digit)
    assert int(mask.sum()) == 1 and not bool(mask[_ids(tokenizer, "원")[0]])


def test_a_trained_student_writes_only_its_sources_numbers(tmp_path: Path, examples: list) -> None:
    result = train_student(examples, examples[:2], PRETRAIN_TEXTS, tiny_config(sft_steps=80), tmp_path)
    generator = StudentGenerator.load(result.model_dir)
    conversations = [example["messages"][:-1] for example in examples]
    sources = ["기한은 42일입니다"] * len(conversations)
    free = generator.generate(conversations, max_new_tokens=24)
    copied = generator.generate(conversations, max_new_tokens=24, number_sources=sources)
    numbers = lambda texts: {n for text in texts for n in re.findall(r"\d+(?:\.\d+)*", text)}  # noqa: E731
    assert numbers(free) - {"42"}, "the trained student writes its training numbers when free"
    assert numbers(copied) <= {"42"}
    with pytest.raises(ValueError, match="number sources"):
        generator.generate(conversations, number_sources=sources[:1])
