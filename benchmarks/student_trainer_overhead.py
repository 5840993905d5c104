"""Benchmark: the student's own training loop vs TRL's SFTTrainer on the same builtin model, data and steps.

Usage: .venv/bin/python benchmarks/student_trainer_overhead.py [--steps 20] [--threads 1] [--examples 256]
Both train the default builtin student (same tokenizer, same seeded initial weights) on the same bullets
examples (prompt → completion, loss on the completion only), batch 8, bf16 autocast on CPUs that have it,
for the same number of steps, and report set-up seconds (dataset preparation, trainer construction), training
seconds and trained tokens/s. Run alternately twice; the machine may be shared, so compare the ratio.
Writes benchmarks/results/student_trainer_overhead.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation.sft_tasks import generated_bullets_examples  # noqa: E402
from resources.atomic import atomic_write_json  # noqa: E402
from resources.student.builtin import build_builtin_model, train_tokenizer  # noqa: E402
from resources.student.config import StudentTrainingConfig  # noqa: E402
from resources.student.encoding import encode_examples  # noqa: E402
from resources.student.modelling import use_bf16  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_trainer_overhead.json"


def own_loop(examples: list, tokenizer_dir: Path, config: StudentTrainingConfig, work: Path) -> dict:
    from resources.student.training import train_student

    work.mkdir(parents=True, exist_ok=True)
    (work / "tokenizer").symlink_to(tokenizer_dir)
    started = time.perf_counter()
    result = train_student(examples, [], [], config, work, resume=False)
    total = time.perf_counter() - started
    return {
        "total_seconds": total,
        "tokens_per_second": result.tokens_per_second,
        "final_loss": result.train_losses[-1],
    }


def trl_sft(examples: list, tokenizer: object, config: StudentTrainingConfig, work: Path) -> dict:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    started = time.perf_counter()
    rows = [{"prompt": e["messages"][:-1], "completion": e["messages"][-1:]} for e in examples]
    args = SFTConfig(
        output_dir=str(work),
        max_steps=config.sft_steps,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.resolved_learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=config.warmup_steps,
        max_length=config.max_length,
        bf16=use_bf16(None, "cpu"),
        use_cpu=True,
        report_to="none",
        save_strategy="no",
        logging_steps=1,
        seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    model = build_builtin_model(tokenizer, config)
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    setup = time.perf_counter() - started
    output = trainer.train()
    total = time.perf_counter() - started
    tokens = sum(
        len(item["input_ids"]) for item in trainer.train_dataset.select(range(min(len(trainer.train_dataset), 10**6)))
    )
    per_example = tokens / len(trainer.train_dataset)
    return {
        "setup_seconds": setup,
        "total_seconds": total,
        "training_seconds": output.metrics["train_runtime"],
        "tokens_per_second": per_example * config.batch_size * config.sft_steps / output.metrics["train_runtime"],
        "final_loss": trainer.state.log_history[-2].get("loss"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--examples", type=int, default=256)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    examples = generated_bullets_examples(range(1, args.examples // 16 + 1))
    config = StudentTrainingConfig(pretrain_steps=0, sft_steps=args.steps, checkpoint_every=0)
    tokenizer = train_tokenizer([m["content"] for e in examples for m in e["messages"]], config.vocab_size)
    encoded, _ = encode_examples(tokenizer, examples, config.max_length)
    runs: dict[str, list[dict]] = {"own_loop": [], "trl_sft_trainer": []}
    with tempfile.TemporaryDirectory() as temp:
        tokenizer_dir = Path(temp) / "tok"
        tokenizer.save_pretrained(tokenizer_dir)
        for attempt in range(2):
            runs["own_loop"].append(own_loop(examples, tokenizer_dir, config, Path(temp) / f"own{attempt}"))
            runs["trl_sft_trainer"].append(trl_sft(examples, tokenizer, config, Path(temp) / f"trl{attempt}"))
            print(runs, flush=True)
    best = {name: max(r["tokens_per_second"] for r in results) for name, results in runs.items()}
    report = {
        "command": " ".join(["benchmarks/student_trainer_overhead.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {args.threads} torch thread(s), shared 2-core machine",
        "steps": args.steps,
        "examples": len(examples),
        "mean_tokens_per_example": sum(len(e.input_ids) for e in encoded) / len(encoded),
        "runs": runs,
        "best_tokens_per_second": best,
        "own_over_trl": best["own_loop"] / best["trl_sft_trainer"],
    }
    atomic_write_json(args.out, report)
    print(report)


if __name__ == "__main__":
    main()
