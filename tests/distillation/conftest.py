"""Shared fixtures: one Kiwi tokenizer and one tiny Qwen2 model per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resources.korean import KoreanTokenizer


@pytest.fixture(scope="session")
def tokenizer() -> KoreanTokenizer:
    """A Kiwi tokenizer shared by the tests (building Kiwi costs about a second)."""
    return KoreanTokenizer()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A saved tiny Qwen2-architecture model with a Korean byte-level BPE tokenizer.

    torch runs single-threaded meanwhile: on a shared 2-core machine, OpenMP threads contending
    with other processes make a 64-wide model ~50x slower than one thread.
    """
    import torch

    from tests.distillation.tiny_qwen import build_tiny_qwen

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield build_tiny_qwen(tmp_path_factory.mktemp("tiny-qwen"))
    finally:
        torch.set_num_threads(threads)
