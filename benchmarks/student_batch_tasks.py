"""Which task each SFT batch of the default student's training held: the QA share of the batches at given steps.

Rebuilds the default `sft_dataset` train split from a materialized project (teacher_answers, chunks), encodes it
with the tokenizer a `student_model` run saved, replays the deterministic `batch_plan` of the default
`StudentTrainingConfig`, and prints the QA share of the batches at the steps named (progress-bar step numbers,
pretraining steps included) and of all other steps up to the last one named. Used to check what the loss spikes
seen in the demo's progress bar were.

    .venv/bin/python benchmarks/student_batch_tasks.py --project /tmp/demo/main --steps 37 64 76 77 114
"""

from __future__ import annotations

import argparse
import glob
from pathlib import Path

import pandas as pd

from assets.config import SftDatasetConfig
from assets.distillation.sft_asset import build_sft_dataset
from assets.distillation.sft_frame import frame_examples
from resources.student.config import StudentTrainingConfig
from resources.student.encoding import batch_plan, encode_examples
from resources.student.modelling import load_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="a project folder after `kodistill demo`")
    parser.add_argument("--tokenizer", type=Path, help="a run's tokenizer folder (default: the largest vocabulary)")
    parser.add_argument("--steps", type=int, nargs="+", required=True, help="progress-bar step numbers")
    args = parser.parse_args()
    assets = args.project / "artifacts" / "assets"
    answers = pd.concat(map(pd.read_parquet, sorted(glob.glob(str(assets / "teacher_answers" / "*.parquet")))))
    frame, _ = build_sft_dataset(SftDatasetConfig(), answers, pd.read_parquet(assets / "chunks.parquet"), None)
    train = frame_examples(frame[frame.split == "train"])
    folders = (
        [args.tokenizer] if args.tokenizer else glob.glob(str(args.project / "artifacts/student/runs/*/tokenizer"))
    )
    tokenizer = max((load_tokenizer(Path(f)) for f in folders), key=lambda t: t.vocab_size)
    config = StudentTrainingConfig()
    encoded, _ = encode_examples(tokenizer, train, config.max_length)
    plan = batch_plan([len(e.input_ids) for e in encoded], config.batch_size, config.sft_steps, config.seed + 1)
    tasks = [example["task"] for example in train]

    def qa_share(step: int) -> float:
        batch = plan[step - 1 - config.pretrain_steps]
        return sum(tasks[i] == "qa" for i in batch) / len(batch)

    print(f"train examples {len(train)}, of them QA {tasks.count('qa')}")
    print("QA share at the named steps:", {step: round(qa_share(step), 2) for step in args.steps})
    others = [s for s in range(config.pretrain_steps + 1, max(args.steps) + 1) if s not in args.steps]
    shares = [qa_share(s) for s in others]
    print(
        f"other steps: {sum(x > 0 for x in shares)} of {len(shares)} batches hold QA, mean QA share "
        f"{sum(shares) / len(shares):.3f}, all-QA batches {sum(x == 1 for x in shares)}"
    )


if __name__ == "__main__":
    main()
