"""Fixtures for the student tests: tiny chat examples, a tiny config, and a saved tiny Qwen2 "HF model" directory.

torch runs single-threaded in these tests: on the shared 2-core machine OpenMP threads contending with other
processes make tiny models many times slower than one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resources.student.chat import ChatExample
from resources.student.config import StudentTrainingConfig

FACTS: tuple[tuple[str, str], ...] = (
    ("반품 기한은?", "상품을 받은 날부터 7일 이내입니다."),
    ("하자 반품 기한은?", "수령일부터 3개월 이내입니다."),
    ("승인 기한은?", "신청 다음 영업일부터 2영업일 이내입니다."),
    ("배송비는 누가 내나요?", "단순 변심이면 구매자가 부담합니다."),
    ("환불은 언제 되나요?", "검수 뒤 3영업일 이내에 돌아갑니다."),
    ("비밀번호 길이는?", "12자 이상이어야 합니다."),
    ("계정 잠금 시간은?", "5회 틀리면 30분 동안 잠깁니다."),
    ("API 키 교체 주기는?", "180일마다 교체합니다."),
)
PRETRAIN_TEXTS: tuple[str, ...] = tuple(f"{question} {answer}" for question, answer in FACTS) * 3


def chat_example(question: str, answer: str, group: str = "doc") -> ChatExample:
    messages = [
        {"role": "system", "content": "문서 근거로 답하세요."},
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ]
    return {"messages": messages, "task": "qa", "example_id": question, "group": group}


@pytest.fixture(autouse=True)
def single_thread() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def examples() -> list[ChatExample]:
    return [chat_example(question, answer) for question, answer in FACTS]


def tiny_config(**overrides: object) -> StudentTrainingConfig:
    settings: dict = dict(
        hidden_size=32,
        num_layers=2,
        num_heads=2,
        vocab_size=400,
        pretrain_steps=2,
        sft_steps=30,
        batch_size=4,
        max_length=96,
        warmup_steps=2,
        learning_rate=3e-3,
        checkpoint_every=0,
        copy_warmup_steps=0,
        copy_every=0,
    )
    settings.update(overrides)
    return StudentTrainingConfig(**settings)


@pytest.fixture(scope="session")
def tiny_hf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved builtin-architecture model with its tokenizer: stands in for a local HF model directory."""
    import torch

    from resources.student.builtin import build_builtin_model, train_tokenizer
    from resources.student.modelling import save_student

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        tokenizer = train_tokenizer(list(PRETRAIN_TEXTS), 400)
        model = build_builtin_model(tokenizer, tiny_config())
        return save_student(model, tokenizer, tmp_path_factory.mktemp("tiny-hf") / "model")
    finally:
        torch.set_num_threads(threads)
