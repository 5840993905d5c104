"""Benchmark: one SFT step of the builtin student with the model's own loss vs `target_cross_entropy`.

Usage: .venv/bin/python benchmarks/student_step_loss.py [--batches 40] [--artifacts DIR] [--threads 2]
Builds the demo's default builtin student (`StudentTrainingConfig` defaults: tokenizer trained on the splits and
chunks, seeded initial weights) from the splits a `kodistill demo` run wrote (`DIR/assets/sft_dataset.parquet`,
`DIR/assets/chunks.parquet`), takes the first `--batches` batches of its SFT plan (`sft_batches`: bullets and QA
as the trainer sees them, right-padded) and times forward + backward under bf16 autocast (where the CPU has it)
for each batch twice, alternating: `model(**batch).loss` (the full logits with the attention mask, as before)
and `target_cross_entropy` (no mask, LM head on target positions only). The weights do not change, so both see
the same model; the largest difference between the two losses is reported. The machine is shared: compare the
ratio, measured in one run. Writes benchmarks/results/student_step_loss.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_step_loss.json"


def _timed(loss_of: Any, model: Any, batch: dict[str, Any], bf16: bool) -> tuple[float, float]:
    from resources.student.modelling import autocast

    started = time.perf_counter()
    with autocast("cpu", bf16):
        loss = loss_of(model, batch)
    loss.backward()
    model.zero_grad(set_to_none=True)
    return time.perf_counter() - started, float(loss.detach())


def _model_loss(model: Any, batch: dict[str, Any]) -> Any:
    return model(**batch).loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import pandas as pd
    import torch

    from assets.distillation.sft_frame import frame_examples
    from resources.student.builtin import build_builtin_model, train_tokenizer
    from resources.student.config import StudentTrainingConfig
    from resources.student.encoding import collate, encode_examples
    from resources.student.losses import target_cross_entropy
    from resources.student.modelling import use_bf16
    from resources.student.training import _tokenizer_texts, sft_batches

    torch.set_num_threads(args.threads)
    frame = pd.read_parquet(args.artifacts / "assets" / "sft_dataset.parquet")
    chunks = pd.read_parquet(args.artifacts / "assets" / "chunks.parquet").text.astype(str).tolist()
    config = StudentTrainingConfig()
    train = frame_examples(frame[frame.split == "train"])
    tokenizer = train_tokenizer(_tokenizer_texts(train, chunks), config.vocab_size)
    torch.manual_seed(config.seed)
    model = build_builtin_model(tokenizer, config).train()
    bf16 = use_bf16(config.bf16, "cpu")
    encoded, _ = encode_examples(tokenizer, train, config.max_length)
    batches = [collate(items, tokenizer.pad_token_id) for items in sft_batches(encoded, config)[: args.batches]]
    _timed(target_cross_entropy, model, batches[0], bf16)  # warm-up: allocator and kernels
    seconds: dict[str, list[float]] = {"model_loss": [], "target_cross_entropy": []}
    largest_difference = 0.0
    for batch in batches:
        before, expected = _timed(_model_loss, model, batch, bf16)
        after, actual = _timed(target_cross_entropy, model, batch, bf16)
        seconds["model_loss"].append(before)
        seconds["target_cross_entropy"].append(after)
        largest_difference = max(largest_difference, abs(expected - actual))
    tokens = sum(int(batch["attention_mask"].sum()) for batch in batches)
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {args.threads} torch threads, bf16 {bf16}, shared 2-core box",
        "batches": len(batches),
        "tokens": tokens,
        "padded_positions": sum(int(batch["attention_mask"].numel()) for batch in batches) - tokens,
        "median_step_seconds": {name: round(statistics.median(values), 4) for name, values in seconds.items()},
        "tokens_per_second": {name: round(tokens / sum(values)) for name, values in seconds.items()},
        "speed_ratio": round(sum(seconds["model_loss"]) / sum(seconds["target_cross_entropy"]), 3),
        "largest_loss_difference": largest_difference,
    }
    atomic_write_json(RESULT, entry)
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()
