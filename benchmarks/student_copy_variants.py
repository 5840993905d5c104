"""Benchmark: can the builtin student learn to copy the metrics into its bullets within the CPU budget?

Usage: .venv/bin/python benchmarks/student_copy_variants.py --variant NAME [--steps N] [--threads N]
       [--eval-seeds N] [--out FILE]
Trains the default builtin student (hidden 256, 4 layers, vocab 6,000, AdamW 3e-3, batch 8) on the bullets
task only (generated catalogues of seeds 2–120; seed 1 is validation) for `--steps` SFT steps, then writes
bullets for the categories of unseen generator seeds (900001…) and scores them with the blocking check
(`bullets_outcome`: schema + per-slot faithfulness), the share of categories whose name is copied right, and
the slot-number accuracy (of the numbers each template bullet states, the share the student's bullet in the
same position states too). Variants (each a way to make copying easier, tried 2026-12-02):

- `json`: the task before this benchmark (compact metrics JSON → template bullets JSON; one token per digit).
- `facts`: the prompt as one line per metric (`bullets_facts`, with separators), the words the bullets use
  before each value.
- `drills`: `json` plus one "copy drill" per category (metrics JSON + ten requested keys in random order →
  "key value" lines: every target token is a copy).
- `short-drills`: `json` plus two short drills per category (six fields shown, three asked).
- `plain` (the shipped task now, copy curriculum off): numbers without thousands separators in prompts and
  targets, tokenized as BPE digit chunks (not single digits), and a prompt of comma-separated facts whose
  words before each value are the bullets' words (so copying a value is "find the token I just wrote, copy
  what follows": a one-token induction).
- `plain-warmup`: `plain` after 120 steps of random-token copy sequences (24 random tokens, repeated;
  loss on the repeat), the task that forms induction heads fastest.
- `plain-interleaved` (the shipped default): `plain-warmup` plus one random-copy batch after every three task
  batches (`StudentTrainingConfig.copy_warmup_steps` / `copy_every`).
- `plain-recall`: as `plain-interleaved`, but the synthetic batches are associative recall instead of plain
  copying: eight random (key, two-token value) pairs, then the same keys in another order, each followed by its
  value (loss on the values) — the look-up a bullet does ("P25" → " 232", "88").

Writes benchmarks/results/student_copy_variants.json (one entry per variant, merged with earlier runs).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.catalog.bullets import NUMBER_PATTERN, render_template_bullets  # noqa: E402
from assets.distillation import sft_tasks  # noqa: E402
from assets.distillation.student_metrics import bullets_outcome  # noqa: E402
from resources.atomic import record_json_entry  # noqa: E402
from resources.student import builtin  # noqa: E402
from resources.student.config import StudentTrainingConfig  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_copy_variants.json"
VARIANTS = ("json", "facts", "drills", "short-drills", "plain", "plain-warmup", "plain-interleaved", "plain-recall")
DRILL_SYSTEM = "지표 JSON에서 요청한 값을 그대로 옮기세요."


def flat_fields(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (key, value) a drill can ask for, list items named by position or name."""
    pairs: list[tuple[str, str]] = []
    for key, value in sft_tasks.bullets_prompt_fields(metrics).items():
        if isinstance(value, str):
            pairs.append((key, value))
        elif key == "상위 브랜드":
            pairs += [(f"{key} {i + 1}", name) for i, name in enumerate(value)]
        elif key in ("채널", "키워드"):
            pairs += [(f"{key} {name}", count) for name, count in value]
            pairs += [(f"{key} {i + 1}", name) for i, (name, _) in enumerate(value)]
        elif key == "세그먼트" and value:
            pairs += [(f"세그먼트 {inner}", text) for inner, text in value.items()]
    return pairs


def drill(metrics: dict[str, Any], shown: list[tuple[str, str]], asked: list[tuple[str, str]], name: str) -> dict:
    user = (sft_tasks.compact_json(dict(shown)) if shown else sft_tasks.bullets_user_content(metrics)) + (
        "\n요청: " + ", ".join(key for key, _ in asked)
    )
    messages = [
        {"role": "system", "content": DRILL_SYSTEM},
        {"role": "user", "content": user},
        {"role": "assistant", "content": "\n".join(f"{key} {value}" for key, value in asked)},
    ]
    return {"messages": messages, "task": "drill", "example_id": name, "group": name.split(":")[0]}


def drills(seeds: range, short: bool, rng: random.Random) -> list[dict]:
    out = []
    for seed in seeds:
        for metrics in sft_tasks.generated_metrics(seed):
            pairs = flat_fields(metrics)
            for copy in range(2 if short else 1):
                name = f"seed-{seed}:{metrics['category']}:{copy}"
                if short:
                    shown = rng.sample(pairs, min(6, len(pairs)))
                    out.append(drill(metrics, shown, rng.sample(shown, min(3, len(shown))), name))
                else:
                    out.append(drill(metrics, [], rng.sample(pairs, min(10, len(pairs))), name))
    return out


def digit_tokenizer(texts: Any, vocab_size: int) -> Any:
    """The builtin tokenizer before this benchmark: every digit its own token."""
    from tokenizers import pre_tokenizers

    split = [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    return builtin.train_tokenizer(texts, vocab_size, pre_tokenizers.Sequence(split))


def recall_batch(rng: random.Random, vocab: int, batch: int = 32, pairs: int = 8) -> tuple[list[Any], bool]:
    from resources.student.encoding import IGNORE_INDEX, EncodedExample

    items = []
    for _ in range(batch):
        keys = rng.sample(range(3, vocab), pairs)
        values = {key: [rng.randrange(3, vocab), rng.randrange(3, vocab)] for key in keys}
        ids = [token for key in keys for token in (key, *values[key])]
        labels = [IGNORE_INDEX] * len(ids)
        for key in rng.sample(keys, pairs):
            ids += [key, *values[key]]
            labels += [IGNORE_INDEX, *values[key]]
        items.append(EncodedExample(ids, labels, 0, "pretrain"))
    return items, False


def add_copy_batches(warmup: int, every: int, make: Callable[..., Any]) -> None:
    """Synthetic batches from `make`: `warmup` before the task batches, and one after every `every` task batches."""
    import resources.student.training as training

    original = training._phases

    def phases(run: Any, train: Any, pretrain_texts: Any) -> Any:
        plan, stats = original(run, train, pretrain_texts)
        rng = random.Random(0)
        vocab = len(run.tokenizer)
        mixed = [make(rng, vocab) for _ in range(warmup)]
        for index, step in enumerate(plan, start=1):
            mixed.append(step)
            if every and index % every == 0:
                mixed.append(make(rng, vocab))
        return mixed, stats

    training._phases = phases


def install(variant: str) -> dict[str, int]:
    """Patch the task builders / tokenizer / training plan for `variant` (benchmark process only); returns the
    copy-curriculum settings of its `StudentTrainingConfig` (the shipped default is `plain-interleaved`)."""
    import resources.student.modelling as modelling

    if not variant.startswith("plain"):  # the task as it was: metrics JSON, separators, one token per digit
        modelling.train_tokenizer = digit_tokenizer
        sft_tasks.bullets_user_content = lambda metrics: sft_tasks.compact_json(
            sft_tasks.bullets_prompt_fields(metrics)
        )
        sft_tasks.bullets_target = lambda metrics: sft_tasks.compact_json(
            {key: render_template_bullets(dict(metrics))[key] for key in ("category", "summaryBullets")}
        )
    if variant == "facts":
        sft_tasks.bullets_user_content = lambda metrics: "\n".join(
            map(sft_tasks.grouped_numbers, sft_tasks.bullets_facts(metrics))
        )
    if variant == "plain-recall":
        add_copy_batches(120, 3, recall_batch)
    curriculum = {"plain-warmup": (120, 0), "plain-interleaved": (120, 3)}.get(variant, (0, 0))
    return {"copy_warmup_steps": curriculum[0], "copy_every": curriculum[1]}


def slot_number_accuracy(texts: list[str], records: list[dict]) -> tuple[float, float]:
    """(share of template numbers the same-position output bullet states, share of categories named right)."""
    found = total = named = 0
    for text, record in zip(texts, records, strict=True):
        expected = json.loads(sft_tasks.bullets_target(record))["summaryBullets"]
        named += f'"category":"{record["category"]}"' in text
        written = re.findall(r'"((?:[^"\\]|\\.)*)"', text.split('"summaryBullets"', 1)[-1])
        for position, bullet in enumerate(expected):
            numbers = NUMBER_PATTERN.findall(bullet)
            got = NUMBER_PATTERN.findall(written[position]) if position < len(written) else []
            total += len(numbers)
            found += sum(1 for number in numbers if number in got)
    return found / max(total, 1), named / max(len(records), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-seeds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kodistill-copy-variants"))
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    import torch

    from resources.student.generation import StudentGenerator
    from resources.student.training import train_student

    torch.set_num_threads(args.threads)
    curriculum = install(args.variant)
    examples = sft_tasks.generated_bullets_examples(range(1, 121))
    train = [example for example in examples if example["group"] != "seed-1"]
    validation = [example for example in examples if example["group"] == "seed-1"][:16]
    if args.variant in ("drills", "short-drills"):
        train += drills(range(2, 121), args.variant == "short-drills", random.Random(0))
    config = StudentTrainingConfig(pretrain_steps=0, sft_steps=args.steps, checkpoint_every=0, **curriculum)
    started = time.perf_counter()
    result = train_student(train, validation, [], config, args.work / args.variant, resume=False)
    train_seconds = time.perf_counter() - started
    records = [
        r for seed in sft_tasks.UNSEEN_BULLETS_SEEDS[: args.eval_seeds] for r in sft_tasks.generated_metrics(seed)
    ]
    texts = StudentGenerator.load(result.model_dir).generate(
        [sft_tasks.bullets_conversation(record) for record in records], max_new_tokens=420
    )
    outcomes = [bullets_outcome(text, record, None) for text, record in zip(texts, records, strict=True)]
    numbers, named = slot_number_accuracy(texts, records)
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {args.threads} torch thread(s), shared 2-core box",
        "sft_steps": args.steps,
        "total_steps": result.steps,
        "train_examples": len(train),
        "train_seconds": round(train_seconds, 1),
        "tokens_per_second": round(result.tokens_per_second),
        "validation_loss": round(result.validation_loss, 3),
        "untrained_validation_loss": round(result.untrained_validation_loss, 3),
        "unseen_categories": len(records),
        "pass_rate": sum(outcome.passed for outcome in outcomes) / len(records),
        "schema_valid_rate": sum(outcome.schema_valid for outcome in outcomes) / len(records),
        "slot_number_accuracy": round(numbers, 3),
        "category_named_right": round(named, 3),
        "sample": texts[0][:400],
    }
    record_json_entry(args.out, args.variant, entry)
    print(json.dumps({args.variant: entry}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
