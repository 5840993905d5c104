"""Benchmark: what in the demo's training plan keeps the builtin student from learning the bullets' form.

Usage: .venv/bin/python benchmarks/student_pretraining_order.py --name N --tasks all|bullets
       --pretrain none|tokenizer|steps [--order copy-first|pretrain-first] [--seed S] [--sft-steps 320]
       [--artifacts DIR] [--old-facts] [--qa-repeat N]
Trains the default builtin student (one torch thread) on the sft_dataset splits a `kodistill demo` run wrote
(`DIR/distillation/sft/{train,validation}.parquet`; `--tasks bullets` keeps the bullets examples only), with
the shipped chunks (`DIR/assets/chunks.parquet`) either unused (`none`), used for the tokenizer only
(`tokenizer`: pretraining texts with 0 pretraining steps) or also pretrained on for 20 steps (`steps`, as
the demo does). `--order pretrain-first` restores the plan before 2026-12-02 (pretraining blocks, then the
copy warm-up); the shipped plan puts the copy warm-up first. Then writes bullets for the 16 categories of
generator seed 900001 (never trained on) and judges them with the report's blocking check. `--old-facts`
words the prompt as sft datasets built before 2026-12-02 did ("리뷰 없는 상품이", "가격 변화 중앙값"), for
splits from such a run. `--qa-repeat N` repeats each QA training example N times (QA weighted up against the
1,500 bullets examples). Writes benchmarks/results/student_pretraining_order.json (keyed by `--name`).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.distillation import sft_tasks  # noqa: E402
from assets.distillation.student_metrics import bullets_outcome  # noqa: E402
from resources.atomic import record_json_entry  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_pretraining_order.json"
EVAL_SEED = 900_001


def load_split(artifacts: Path, split: str, tasks: str) -> list[dict[str, Any]]:
    import pandas as pd

    frame = pd.read_parquet(artifacts / "distillation" / "sft" / f"{split}.parquet")
    if tasks == "bullets":
        frame = frame[frame.task == "bullets"]
    return [
        {
            "messages": [dict(m) for m in row.messages],
            "task": row.task,
            "example_id": row.example_id,
            "group": row.group,
        }
        for row in frame.itertuples()
    ]


def use_pretrain_first_order() -> None:
    """The plan as it was: pretraining blocks, then the copy warm-up, then SFT with interleaved copy batches."""
    import resources.student.training as training

    shipped = training._phases

    def phases(run: Any, train: Any, pretrain_texts: Any) -> Any:
        plan, stats = shipped(run, train, pretrain_texts)
        pretrain = [step for step in plan if step[0][0].task == "pretrain"]
        return pretrain + [step for step in plan if step[0][0].task != "pretrain"], stats

    training._phases = phases


_READING_AFTER_PERCENT = re.compile(
    r"^((?:리뷰가 1건도 없는 상품이|1~2점 리뷰 비중은|최근 6개월 가격 변화 중앙값) [^%]+%).+$"
)
_READING_AFTER_HHI = re.compile(r"^(HHI\) \d+) 기준 .+$")


def without_readings(fact: str) -> str:
    """A fact as prompts worded it before the readings (보합세, 고집중 시장 …) became facts (2026-12-02 evening)."""
    return _READING_AFTER_HHI.sub(r"\1", _READING_AFTER_PERCENT.sub(r"\1", fact))


def _comma_facts(facts: list[str]) -> list[str]:
    """Facts as before 2026-12-03 09:00: the three price percentiles as separate facts, the unit price without
    "단위가격 중앙값은", "HHI)" without "집중도 지수(" (those prompts joined facts with ", ", not as a JSON list)."""
    split: list[str] = []
    for fact in facts:
        split += fact.removeprefix("가격은 ").split(", ") if fact.startswith("가격은 P25") else [fact]
    return [fact.removeprefix("단위가격 중앙값은 ").removeprefix("집중도 지수(") for fact in split]


def use_facts_without_readings() -> None:
    """Prompts as sft datasets built from 2026-12-02 17:00 to 2026-12-03 09:00 worded them (no readings,
    facts joined with ", ")."""
    shipped = sft_tasks.bullets_facts
    sft_tasks.bullets_facts = lambda metrics: [without_readings(fact) for fact in _comma_facts(shipped(metrics))]
    sft_tasks.bullets_user_content = lambda metrics: ", ".join(sft_tasks.bullets_facts(metrics))


def use_old_facts() -> None:
    """Prompts as sft datasets built before 2026-12-02 17:00 worded them (no readings, shorter phrases)."""
    use_facts_without_readings()
    shipped = sft_tasks.bullets_facts

    def facts(metrics: Any) -> list[str]:
        return [
            fact.replace("리뷰가 1건도 없는 상품이", "리뷰 없는 상품이").replace("최근 6개월 가격 변화", "가격 변화")
            for fact in shipped(metrics)
        ]

    sft_tasks.bullets_facts = facts


def judge(texts: list[str], records: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = [bullets_outcome(text, record, None) for text, record in zip(texts, records, strict=True)]
    return {
        "schema_valid": sum(o.schema_valid for o in outcomes),
        "passed": sum(o.passed for o in outcomes),
        "categories": len(records),
        "first_problems": [o.problems[0][:160] for o in outcomes if o.problems][:4],
        "sample": texts[0][:300],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--tasks", choices=("all", "bullets"), default="all")
    parser.add_argument("--pretrain", choices=("none", "tokenizer", "steps"), default="steps")
    parser.add_argument("--order", choices=("copy-first", "pretrain-first"), default="copy-first")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sft-steps", type=int, default=320)
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--old-facts", action="store_true")
    parser.add_argument("--qa-repeat", type=int, default=1, help="each QA training example this many times")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kodistill-pretraining-order"))
    args = parser.parse_args()

    import pandas as pd
    import torch

    from resources.student.config import StudentTrainingConfig
    from resources.student.generation import StudentGenerator
    from resources.student.training import train_student

    torch.set_num_threads(1)
    if args.order == "pretrain-first":
        use_pretrain_first_order()
    if args.old_facts:
        use_old_facts()
    train = load_split(args.artifacts, "train", args.tasks)
    train += [row for row in train if row["task"] == "qa"] * (args.qa_repeat - 1)
    validation = load_split(args.artifacts, "validation", args.tasks)[:32]
    chunks = pd.read_parquet(args.artifacts / "assets" / "chunks.parquet").text.tolist()
    texts = chunks if args.pretrain != "none" else []
    steps = 20 if args.pretrain == "steps" else 0
    config = StudentTrainingConfig(pretrain_steps=steps, sft_steps=args.sft_steps, checkpoint_every=0, seed=args.seed)
    started = time.perf_counter()
    result = train_student(train, validation, texts, config, args.work / args.name, resume=False)
    seconds = time.perf_counter() - started
    records = sft_tasks.generated_metrics(EVAL_SEED)
    conversations = [sft_tasks.bullets_conversation(record) for record in records]
    outputs = StudentGenerator.load(result.model_dir).generate(conversations, max_new_tokens=420)
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, 1 torch thread, shared 2-core box",
        "settings": {k: str(v) for k, v in vars(args).items()},
        "train_examples": len(train),
        "train_seconds": round(seconds),
        "validation_loss": round(result.validation_loss, 3),
        "bullets_free_decoding": judge(outputs, records),
    }
    record_json_entry(RESULT, args.name, entry)
    print(json.dumps({args.name: entry}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
