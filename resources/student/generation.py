"""`StudentGenerator`: greedy, batched generation from a trained student directory (full model or LoRA adapter).

Prompts are rendered with the directory's chat template up to the assistant turn and tokenized exactly as in
training (`encoding.prompt_ids`), left-padded in batches of similar length, and only the generated tokens (up
to the end-of-turn token) are decoded; a conversation that ends with an assistant message has that message as
its answer's prefilled start (returned in front of what the model wrote). `last_tokens_per_second` is the
generated tokens per second of the latest `generate` call. With `copy_from_prompt`, decoding copies each number,
and each phrase the caller lists for a prompt (`copy_phrases`), from the place in the prompt whose preceding
words match what was just written (`prompt_copy.PromptCopyProcessor`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources.errors import InputDataError
from resources.student.chat import Message
from resources.student.encoding import answer_start, prompt_ids_and_start
from resources.student.modelling import load_tokenizer
from resources.student.prompt_copy import CopyVocabulary, PromptCopyProcessor, prompt_spans

DEFAULT_BATCH_SIZE = 16
RETRY_TEMPERATURE = 0.7  # of sampled retries of failing bullets (docs/benchmarks.md, "Retrying failed bullets")
PhraseLister = Callable[[Sequence[Message]], Sequence[str]]  # a conversation's phrases to copy from its prompt


@dataclass(frozen=True)
class Sampling:
    """Seeded sampling at `temperature` instead of greedy decoding (copying from the prompt still applies)."""

    seed: int
    temperature: float = RETRY_TEMPERATURE

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ValueError(f"sampling temperature must be > 0, got {self.temperature}")

    def options(self) -> dict[str, Any]:
        return {"do_sample": True, "temperature": self.temperature, "top_k": 0, "top_p": 1.0}


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
        self._vocabulary: CopyVocabulary | None = None

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

    def _prompt_copy(
        self, prompts: Sequence[list[int]], starts: Sequence[int], phrases: Sequence[Sequence[str]], width: int
    ) -> list[Any]:
        """The copying processor for a batch of prompts whose last `starts[i]` tokens are the answer's
        prefilled start (written text for the copy rules, not a source of numbers); `phrases[i]`: the names
        and readings prompt i lists for copying."""
        if self._vocabulary is None:
            self._vocabulary = CopyVocabulary.of(self.tokenizer)
        texts = self._vocabulary.texts
        spans = [
            prompt_spans(self.tokenizer, p[: len(p) - s], texts, listed)
            for p, s, listed in zip(prompts, starts, phrases, strict=True)
        ]
        return [PromptCopyProcessor(self._vocabulary, spans, self._decode, [width - s for s in starts])]

    def _decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids))

    def _batch(
        self,
        prompts: Sequence[list[int]],
        max_new_tokens: int,
        copy_starts: Sequence[int] | None = None,
        phrases: Sequence[Sequence[str]] = (),
        sampling: Sampling | None = None,
    ) -> list[list[int]]:
        """Greedy (or, with `sampling`, sampled) continuations of left-padded prompts; with `copy_starts`
        (prefilled tokens per prompt), numbers and the listed `phrases` are copied (`_prompt_copy`)."""
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
                **(sampling.options() if sampling else {"do_sample": False}),
                pad_token_id=pad,
                eos_token_id=self.tokenizer.eos_token_id,
                logits_processor=LogitsProcessorList(
                    [] if copy_starts is None else self._prompt_copy(prompts, copy_starts, phrases, width)
                ),
            )
        return [self._until_eos(row) for row in out[:, width:].tolist()]

    def _until_eos(self, tokens: list[int]) -> list[int]:
        eos = self.tokenizer.eos_token_id
        return tokens[: tokens.index(eos)] if eos in tokens else tokens

    def generate(
        self,
        conversations: Sequence[list[Message]],
        max_new_tokens: int = 256,
        copy_from_prompt: bool = False,
        copy_phrases: PhraseLister | None = None,
        sampling: Sampling | None = None,
    ) -> list[str]:
        """Greedy answers, one per conversation, in order; only the generated tokens are decoded, after the
        answer's prefilled start where a conversation ends with an assistant message. With `copy_from_prompt`,
        numbers are copied from where their prompt states them, and so are the phrases `copy_phrases` lists
        for a conversation (e.g. `sft_tasks.bullets_copy_phrases`: names and readings; see `prompt_copy`).
        With `sampling`, tokens are sampled (seeded, reproducible) instead of chosen greedily."""
        import torch

        started = time.perf_counter()
        encoded = [prompt_ids_and_start(self.tokenizer, conversation) for conversation in conversations]
        prompts, starts = [ids for ids, _ in encoded], [start for _, start in encoded]
        order = sorted(range(len(prompts)), key=lambda index: len(prompts[index]))
        generated: dict[int, list[int]] = {}
        devices = [torch.cuda.current_device()] if self.device == "cuda" else []
        with torch.random.fork_rng(devices=devices, enabled=sampling is not None):
            if sampling is not None:
                torch.manual_seed(sampling.seed)
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                copy_starts = [starts[i] for i in chunk] if copy_from_prompt else None
                phrases = [copy_phrases(conversations[i]) if copy_phrases else () for i in chunk]
                batch = self._batch([prompts[i] for i in chunk], max_new_tokens, copy_starts, phrases, sampling)
                for index, tokens in zip(chunk, batch):
                    generated[index] = tokens
        count = sum(len(tokens) for tokens in generated.values())
        self.last_tokens_per_second = count / max(time.perf_counter() - started, 1e-9)
        return [
            answer_start(conversation) + self.tokenizer.decode(generated[i], skip_special_tokens=True)
            for i, conversation in enumerate(conversations)
        ]
