"""Chat examples → token ids with labels on the assistant target only, and padded batches.

The prompt (everything before the assistant turn, with the generation prompt) and the completion (target +
end-of-turn token) are tokenized separately and concatenated: generation tokenizes the same prompt text the
same way, so training and inference see identical prompt tokens. A conversation given to generation may end
with the start of the assistant's answer (prefilled): `prompt_ids` appends its tokens, as training tokenizes
the start of the target. An example longer than `max_length` loses prompt tokens from its start (the
question and the nearest context stay); one whose target alone does not fit keeps the target's beginning.
Both are counted. `copy_batches` makes the builtin student's copy-curriculum batches (random token sequences
repeated once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from resources.student.chat import ChatExample, Message

IGNORE_INDEX = -100


@dataclass
class EncodedExample:
    """Token ids, with `labels` equal to the ids on target tokens and IGNORE_INDEX elsewhere."""

    input_ids: list[int]
    labels: list[int]
    prompt_length: int
    task: str


@dataclass
class EncodingStats:
    """How many examples were cut to fit `max_length` (prompt start removed / target cut)."""

    prompt_truncated: int = 0
    target_truncated: int = 0
    lengths: list[int] = field(default_factory=list)


def prompt_text(tokenizer: Any, messages: Sequence[Message]) -> str:
    """The chat-template rendering of a conversation up to the assistant's turn, generation prompt included."""
    return tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)


def answer_start(messages: Sequence[Message]) -> str:
    """The assistant's prefilled start when the conversation ends with an assistant message, else ""."""
    return messages[-1]["content"] if messages and messages[-1]["role"] == "assistant" else ""


def prompt_ids(tokenizer: Any, messages: Sequence[Message]) -> list[int]:
    """Token ids of `prompt_text` (no extra special tokens: the template has them). A conversation ending with
    an assistant message is continued: the ids of the messages before it, then the ids of its text (the
    answer's prefilled start, tokenized as the start of a target is in training)."""
    return prompt_ids_and_start(tokenizer, messages)[0]


def prompt_ids_and_start(tokenizer: Any, messages: Sequence[Message]) -> tuple[list[int], int]:
    """`prompt_ids` and how many of its last ids are the answer's prefilled start (0 without one)."""
    start = answer_start(messages)
    if not start:
        return tokenizer(prompt_text(tokenizer, messages), add_special_tokens=False)["input_ids"], 0
    start_ids = tokenizer(start, add_special_tokens=False)["input_ids"]
    return prompt_ids(tokenizer, messages[:-1]) + start_ids, len(start_ids)


def completion_ids(tokenizer: Any, content: str) -> list[int]:
    """Token ids of an assistant target followed by the end-of-turn (EOS) token."""
    return tokenizer(content, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]


def encode_example(tokenizer: Any, example: ChatExample, max_length: int, stats: EncodingStats) -> EncodedExample:
    """One example's ids and assistant-only labels, cut to `max_length` as the module docstring says."""
    prompt = prompt_ids(tokenizer, example["messages"][:-1])
    target = completion_ids(tokenizer, example["messages"][-1]["content"])
    if len(target) >= max_length:
        stats.target_truncated += 1
        target = target[: max_length - min(len(prompt), max_length // 2)]
    room = max_length - len(target)
    if len(prompt) > room:
        stats.prompt_truncated += 1
        prompt = prompt[len(prompt) - room :]
    stats.lengths.append(len(prompt) + len(target))
    return EncodedExample(prompt + target, [IGNORE_INDEX] * len(prompt) + target, len(prompt), example["task"])


def encode_examples(
    tokenizer: Any, examples: Sequence[ChatExample], max_length: int
) -> tuple[list[EncodedExample], EncodingStats]:
    """Every example encoded, with the truncation counts."""
    stats = EncodingStats()
    return [encode_example(tokenizer, example, max_length, stats) for example in examples], stats


def pack_texts(tokenizer: Any, texts: Sequence[str], block: int) -> list[EncodedExample]:
    """Pretraining blocks: texts tokenized, joined by EOS and cut into `block`-token pieces (all tokens labelled)."""
    stream: list[int] = []
    for text in texts:
        stream += tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    blocks = [stream[start : start + block] for start in range(0, len(stream), block)]
    return [EncodedExample(ids, list(ids), 0, "pretrain") for ids in blocks if len(ids) > 1]


def copy_batches(count: int, vocab_size: int, batch_size: int, length: int, seed: int) -> list[list[EncodedExample]]:
    """`count` batches of the copy task: `length` random token ids (special ids 0–2 excluded) followed by the
    same ids again, labelled on the repeat only — the model must look back and copy."""
    import random

    rng = random.Random(seed)
    batches = []
    for _ in range(count):
        batch = []
        for _ in range(batch_size):
            tokens = [rng.randrange(3, vocab_size) for _ in range(length)]
            batch.append(EncodedExample(tokens + tokens, [IGNORE_INDEX] * length + tokens, 0, "copy"))
        batches.append(batch)
    return batches


def collate(batch: Sequence[EncodedExample], pad_id: int) -> dict[str, Any]:
    """Right-padded tensors: input_ids, attention_mask, labels (padding labelled IGNORE_INDEX)."""
    import torch

    width = max(len(item.input_ids) for item in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, item in enumerate(batch):
        ids[row, : len(item.input_ids)] = torch.tensor(item.input_ids)
        labels[row, : len(item.labels)] = torch.tensor(item.labels)
        mask[row, : len(item.input_ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def batch_plan(lengths: Sequence[int], batch_size: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of example indices, deterministic for `seed`: each epoch is shuffled, cut into
    pools of 16 batches sorted by length (little padding), and the batches shuffled again."""
    import random

    rng = random.Random(seed)
    plan: list[list[int]] = []
    while len(plan) < steps:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        pool = batch_size * 16
        epoch: list[list[int]] = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda index: lengths[index])
            epoch += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        rng.shuffle(epoch)
        plan += epoch
    return plan[:steps]
