"""`StudentGenerator`: greedy, batched generation from a trained student directory (full model or LoRA adapter).

Prompts are rendered with the directory's chat template up to the assistant turn and tokenized exactly as in
training (`encoding.prompt_ids`), left-padded in batches of similar length, and only the generated tokens
(up to the end-of-turn token) are decoded. `last_tokens_per_second` is the generated tokens per second of the
latest `generate` call. With `number_sources` (one text per conversation), decoding copies numbers: every
number written must be one of that text's numbers (`number_copy.NumberCopyProcessor`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from resources.errors import InputDataError
from resources.student.chat import Message
from resources.student.encoding import prompt_ids
from resources.student.modelling import load_tokenizer
from resources.student.number_copy import DigitVocabulary, NumberCopyProcessor, NumberTrie, prompt_numbers

DEFAULT_BATCH_SIZE = 16


def _load_model(model_dir: Path, device: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    if (model_dir / "adapter_config.json").is_file():
        from peft import PeftModel

        base = json.loads((model_dir / "adapter_config.json").read_text(encoding="utf-8"))["base_model_name_or_path"]
        if not (Path(base) / "config.json").is_file():
            raise InputDataError(f"student {model_dir}: its adapter's base model {base} is not a local model directory")
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=dtype), model_dir)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype)
    return model.to(device).eval()


class StudentGenerator:
    """A loaded student; `generate` answers conversations that end before the assistant's turn."""

    def __init__(self, model: Any, tokenizer: Any, device: str, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.batch_size = batch_size
        self.last_tokens_per_second = 0.0
        self._digits: DigitVocabulary | None = None

    @classmethod
    def load(cls, model_dir: Path, batch_size: int = DEFAULT_BATCH_SIZE) -> StudentGenerator:
        """Load a full model or adapter directory written by `train_student` (or any local HF causal LM)."""
        import torch

        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file() and not (model_dir / "adapter_config.json").is_file():
            raise InputDataError(f"student {model_dir}: not a model or adapter directory")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        tokenizer = load_tokenizer(model_dir)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return cls(_load_model(model_dir, device), tokenizer, device, batch_size)

    def _number_copy(self, tries: Sequence[NumberTrie] | None, width: int) -> list[Any]:
        if tries is None:
            return []
        if self._digits is None:
            self._digits = DigitVocabulary.of(self.tokenizer)
        return [NumberCopyProcessor(self._digits, tries, width)]

    def _batch(
        self, prompts: Sequence[list[int]], max_new_tokens: int, tries: Sequence[NumberTrie] | None = None
    ) -> list[list[int]]:
        import torch
        from transformers import LogitsProcessorList

        pad = self.tokenizer.pad_token_id
        width = max(len(prompt) for prompt in prompts)
        ids = torch.full((len(prompts), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(prompt)
            mask[row, width - len(prompt) :] = 1
        with torch.no_grad():
            out = self.model.generate(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=pad,
                eos_token_id=self.tokenizer.eos_token_id,
                logits_processor=LogitsProcessorList(self._number_copy(tries, width)),
            )
        return [self._until_eos(row) for row in out[:, width:].tolist()]

    def _until_eos(self, tokens: list[int]) -> list[int]:
        eos = self.tokenizer.eos_token_id
        return tokens[: tokens.index(eos)] if eos in tokens else tokens

    def generate(
        self,
        conversations: Sequence[list[Message]],
        max_new_tokens: int = 256,
        number_sources: Sequence[str] | None = None,
    ) -> list[str]:
        """Greedy answers, one per conversation, in order; only the generated tokens are decoded. With
        `number_sources`, each answer's numbers are restricted to those of its source text."""
        started = time.perf_counter()
        prompts = [prompt_ids(self.tokenizer, conversation) for conversation in conversations]
        if number_sources is not None and len(number_sources) != len(prompts):
            raise ValueError(f"{len(number_sources)} number sources for {len(prompts)} conversations")
        tries = None
        if number_sources is not None:
            tries = [NumberTrie.build(self.tokenizer, prompt_numbers(text)) for text in number_sources]
        order = sorted(range(len(prompts)), key=lambda index: len(prompts[index]))
        generated: dict[int, list[int]] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            rows = [tries[i] for i in chunk] if tries is not None else None
            for index, tokens in zip(chunk, self._batch([prompts[i] for i in chunk], max_new_tokens, rows)):
                generated[index] = tokens
        count = sum(len(tokens) for tokens in generated.values())
        self.last_tokens_per_second = count / max(time.perf_counter() - started, 1e-9)
        return [self.tokenizer.decode(generated[i], skip_special_tokens=True) for i in range(len(prompts))]
