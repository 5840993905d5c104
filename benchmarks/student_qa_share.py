"""Benchmark: does giving QA a fixed share of the SFT batches teach the builtin student QA, and what does it cost
the bullets?

Usage: .venv/bin/python benchmarks/student_qa_share.py --name N [--qa-share 0.5] [--qa-window START END]
       [--sft-steps N] [--seed 0] [--copy-every N] [--artifacts DIR] [--threads 2] [--work DIR]
Trains the demo's default builtin student (`StudentTrainingConfig` defaults; `qa_share`, `qa_window`,
`sft_steps` and `seed` as given; `--qa-window 0 0` for the plan before the QA window, where batches mix the
tasks as the examples fall) on the splits a `kodistill demo` run wrote (`DIR/assets/sft_dataset.parquet`, pretraining on
`DIR/assets/chunks.parquet`), then scores the trained and the untrained student exactly as
`student_evaluation` does (`evaluation_set` with the asset's default sample, `model_outputs` with its default
budgets and copying from the prompt for bullets, `score_outputs` with Kiwi morphemes), except that bullets get
the greedy attempt only (no retries: the model's own pass rate).
Writes benchmarks/results/student_qa_share.json (keyed by `--name`).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import record_json_entry  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_qa_share.json"
REPORTED = (
    "qa_span_containment",
    "qa_morpheme_f1",
    "bullets_schema_valid_rate",
    "bullets_pass_rate",
    "score",
    "tokens_per_second",
)


def _score(model_dir: Path, items: Any, morphemes: Any) -> dict[str, Any]:
    from assets.config import StudentEvaluationConfig
    from assets.distillation.student_assets import _load_generate
    from assets.distillation.student_eval import model_outputs, score_outputs

    config = StudentEvaluationConfig()
    generate, generator = _load_generate(str(model_dir))
    qa, bullets = model_outputs(
        generate, items, config.qa_max_new_tokens, config.bullets_max_new_tokens, config.copy_from_prompt, 1
    )
    summary = score_outputs(items, qa, bullets.outputs, morphemes) | {
        "tokens_per_second": generator.last_tokens_per_second
    }
    return {key: round(float(summary[key]), 4) for key in REPORTED} | {"qa_samples": qa[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--qa-share", type=float, default=0.5)
    parser.add_argument("--qa-window", type=float, nargs=2, default=(0.3, 0.7), metavar=("START", "END"))
    parser.add_argument("--sft-steps", type=int, default=None, help="default: StudentTrainingConfig's")
    parser.add_argument("--seed", type=int, default=0, help="the training seed: weights, batch plan, copy batches")
    parser.add_argument("--copy-every", type=int, default=None, help="default: StudentTrainingConfig's (0: none)")
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kodistill-qa-share"))
    args = parser.parse_args()

    import pandas as pd
    import torch

    from assets.config import StudentEvaluationConfig
    from assets.distillation.sft_frame import frame_examples
    from assets.distillation.student_eval import evaluation_set
    from resources.korean import KoreanTokenizer
    from resources.student.config import StudentTrainingConfig
    from resources.student.training import train_student

    torch.set_num_threads(args.threads)
    frame = pd.read_parquet(args.artifacts / "assets" / "sft_dataset.parquet")
    chunks = pd.read_parquet(args.artifacts / "assets" / "chunks.parquet").text.astype(str).tolist()
    steps = {"sft_steps": args.sft_steps} if args.sft_steps else {}
    if args.copy_every is not None:
        steps["copy_every"] = args.copy_every
    config = StudentTrainingConfig(
        qa_share=args.qa_share, qa_window=tuple(args.qa_window), seed=args.seed, checkpoint_every=0, **steps
    )
    train, validation = (frame_examples(frame[frame.split == split]) for split in ("train", "validation"))
    result = train_student(train, validation, chunks, config, args.work / args.name, resume=False)
    evaluation = StudentEvaluationConfig()
    items = evaluation_set(
        frame[frame.split == "test"], evaluation.max_qa_examples, evaluation.max_bullets_examples, evaluation.seed
    )
    morphemes = KoreanTokenizer().morphemes_batch
    entry = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {args.threads} torch threads, shared 2-core box",
        "settings": {
            "qa_share": config.qa_share,
            "qa_window": list(config.qa_window),
            "sft_steps": config.sft_steps,
            "seed": config.seed,
            "copy_every": config.copy_every,
            "artifacts": str(args.artifacts),
        },
        "train_seconds": round(result.wall_seconds),
        "training_tokens_per_second": round(result.tokens_per_second),
        "steps": result.steps,
        "validation_loss": round(result.validation_loss, 3),
        "test_sample": {"qa": len(items.qa), "bullets": len(items.bullets)},
        "student": _score(result.model_dir, items, morphemes),
        "untrained student": _score(result.untrained_dir, items, morphemes),
    }
    record_json_entry(RESULT, args.name, entry)
    print(json.dumps({args.name: entry}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
