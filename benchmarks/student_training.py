"""Benchmark: train the default builtin student as the demo does, then measure what it learned.

Usage: .venv/bin/python benchmarks/student_training.py [--artifacts artifacts/assets] [--threads N]
       [--sft-steps N] [--pretrain-steps N] [--train-seeds N] [--unseen-seeds N] [--out FILE]
Reads the demo's materialized `chunks` and `teacher_answers` (run `bash scripts/demo.sh` first), builds the
SFT tasks with `assets/distillation/sft_tasks.py` (QA from the teacher's answers, bullets from generated
catalogues of seeds 1..N), splits them by document / seed, trains `train_student` with the default config
(overrides from the options) and reports: training tokens/s and wall time, validation loss vs the untrained
student, the bullets pass rate (schema + numeric faithfulness, the blocking check's rule) on catalogues of
generator seeds never used in training, and QA answer-span containment and morpheme F1 on the test split for
the student, its untrained self, the teacher and a trivial baseline (the first sentence of the top context).
Writes benchmarks/results/student_training.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from assets.catalog.bullets import faithfulness_problems, render_template_bullets, schema_problems  # noqa: E402
from assets.distillation.sft_tasks import (  # noqa: E402
    DEFAULT_BULLETS_SEEDS,
    UNSEEN_BULLETS_SEEDS,
    bullets_conversation,
    generated_bullets_examples,
    generated_metrics,
    qa_examples,
    split_examples,
)
from resources.atomic import atomic_write_json  # noqa: E402
from resources.korean import KoreanTokenizer  # noqa: E402
from resources.student.chat import prompt_messages, target_text  # noqa: E402
from resources.student.config import StudentTrainingConfig  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_training.json"
BULLETS_MAX_NEW_TOKENS = 420
QA_MAX_NEW_TOKENS = 96
UNTRAINED_BULLETS_CATEGORIES = 16


def first_json_object(text: str) -> Any:
    """The first JSON object in `text`, or None."""
    decoder = json.JSONDecoder()
    for start in (index for index, char in enumerate(text) if char == "{"):
        try:
            return decoder.raw_decode(text[start:])[0]
        except json.JSONDecodeError:
            continue
    return None


def bullets_verdicts(texts: list[str], records: list[dict]) -> list[list[str]]:
    """Per category, the blocking check's problems with the student's bullets (empty = passes)."""
    verdicts = []
    for text, record in zip(texts, records):
        parsed = first_json_object(text)
        if not isinstance(parsed, dict):
            verdicts.append(["no JSON object"])
            continue
        payload = {**render_template_bullets(record), **parsed, "generatedBy": "student"}
        problems = schema_problems(payload)
        verdicts.append(problems or faithfulness_problems(payload, record))
    return verdicts


def morpheme_f1(kiwi: KoreanTokenizer, prediction: str, reference: str) -> float:
    predicted, expected = Counter(kiwi.morphemes(prediction)), Counter(kiwi.morphemes(reference))
    overlap = sum((predicted & expected).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / sum(predicted.values()), overlap / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def qa_scores(kiwi: KoreanTokenizer, answers: list[str], rows: list[dict]) -> dict[str, float]:
    contained = [
        bool(row["expected_answer"]) and row["expected_answer"] in answer for answer, row in zip(answers, rows)
    ]
    f1 = [morpheme_f1(kiwi, answer, row["answer"]) for answer, row in zip(answers, rows)]
    return {"span_containment": sum(contained) / len(rows), "morpheme_f1_vs_teacher": sum(f1) / len(rows)}


def first_sentence(kiwi: KoreanTokenizer, text: str) -> str:
    sentences = kiwi.split_sentences(text)
    return sentences[0].text if sentences else text


def load_inputs(artifacts: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    chunks_path, answers_dir = artifacts / "chunks.parquet", artifacts / "teacher_answers"
    if not chunks_path.is_file() or not answers_dir.is_dir():
        sys.exit(f"student_training: {artifacts} has no chunks.parquet / teacher_answers/: run the demo first")
    answers = pd.concat([pd.read_parquet(path) for path in sorted(answers_dir.glob("*.parquet"))], ignore_index=True)
    return pd.read_parquet(chunks_path), answers


def evaluate_bullets(model_dir: Path, records: list[dict]) -> dict[str, Any]:
    from resources.student.generation import StudentGenerator

    generator = StudentGenerator.load(model_dir)
    started = time.perf_counter()
    texts = generator.generate([bullets_conversation(r) for r in records], max_new_tokens=BULLETS_MAX_NEW_TOKENS)
    verdicts = bullets_verdicts(texts, records)
    exact = sum(
        first_json_object(text)
        == {"category": r["category"], "summaryBullets": render_template_bullets(r)["summaryBullets"]}
        for text, r in zip(texts, records)
    )
    failures = Counter(problems[0].split(":")[0][:60] for problems in verdicts if problems)
    return {
        "categories": len(records),
        "pass_rate": sum(not problems for problems in verdicts) / len(records),
        "exact_template_rate": exact / len(records),
        "generation_seconds": time.perf_counter() - started,
        "generated_tokens_per_second": generator.last_tokens_per_second,
        "first_failures": dict(failures.most_common(5)),
        "sample": texts[0],
    }


def evaluate_qa(model_dir: Path, test: list[dict], rows: list[dict], kiwi: KoreanTokenizer) -> dict[str, Any]:
    from resources.student.generation import StudentGenerator

    generator = StudentGenerator.load(model_dir)
    answers = generator.generate([prompt_messages(example) for example in test], max_new_tokens=QA_MAX_NEW_TOKENS)
    return {**qa_scores(kiwi, answers, rows), "sample": answers[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts/assets")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--sft-steps", type=int)
    parser.add_argument("--pretrain-steps", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--hidden-size", type=int)
    parser.add_argument("--num-layers", type=int)
    parser.add_argument("--vocab-size", type=int)
    parser.add_argument("--train-seeds", type=int, default=len(DEFAULT_BULLETS_SEEDS))
    parser.add_argument("--unseen-seeds", type=int, default=len(UNSEEN_BULLETS_SEEDS))
    parser.add_argument("--work", type=Path, default=Path("/tmp/kodistill-student-benchmark"))
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    import torch

    from resources.student.training import train_student

    if args.threads:
        torch.set_num_threads(args.threads)
    overrides = {
        name: getattr(args, name)
        for name in ("sft_steps", "pretrain_steps", "learning_rate", "hidden_size", "num_layers", "vocab_size")
        if getattr(args, name) is not None
    }
    config = StudentTrainingConfig(**overrides)
    chunks, answers = load_inputs(args.artifacts)
    started = time.perf_counter()
    qa = qa_examples(answers.to_dict("records"), dict(zip(chunks["chunk_id"], chunks["text"])))
    bullets = generated_bullets_examples(range(1, args.train_seeds + 1))
    splits = split_examples(qa + bullets)
    dataset_seconds = time.perf_counter() - started
    print(f"dataset: {len(qa)} QA + {len(bullets)} bullets examples in {dataset_seconds:.1f} s", flush=True)
    result = train_student(splits["train"], splits["validation"], list(chunks["text"]), config, args.work)
    print(
        f"trained: {result.steps} steps, {result.tokens_per_second:.0f} tokens/s, {result.wall_seconds:.0f} s",
        flush=True,
    )

    unseen = [record for seed in UNSEEN_BULLETS_SEEDS[: args.unseen_seeds] for record in generated_metrics(seed)]
    student_bullets = evaluate_bullets(result.model_dir, unseen)
    untrained_bullets = evaluate_bullets(result.untrained_dir, unseen[:UNTRAINED_BULLETS_CATEGORIES])
    print(f"bullets pass rate on unseen seeds: {student_bullets['pass_rate']:.3f}", flush=True)

    kiwi = KoreanTokenizer()
    test_qa = [example for example in splits["test"] if example["task"] == "qa"]
    by_id = {row["question_id"]: row for row in answers.to_dict("records")}
    rows = [by_id[example["example_id"]] for example in test_qa]
    chunk_text = dict(zip(chunks["chunk_id"], chunks["text"]))
    baseline = [first_sentence(kiwi, chunk_text[json.loads(row["retrieved"])[0]["chunk_id"]]) for row in rows]
    qa_report = {
        "questions": len(rows),
        "student": evaluate_qa(result.model_dir, test_qa, rows, kiwi),
        "untrained": evaluate_qa(result.untrained_dir, test_qa, rows, kiwi),
        "teacher": qa_scores(kiwi, [target_text(example) for example in test_qa], rows),
        "first_sentence_of_top_context": qa_scores(kiwi, baseline, rows),
    }
    report = {
        "command": " ".join(["benchmarks/student_training.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, {platform.processor() or 'cpu'}",
        "config": config.as_params(),
        "dataset": {
            "qa_examples": len(qa),
            "bullets_examples": len(bullets),
            "train": len(splits["train"]),
            "validation": len(splits["validation"]),
            "test": len(splits["test"]),
            "build_seconds": dataset_seconds,
        },
        "training": {
            key: value
            for key, value in dataclasses.asdict(result).items()
            if key not in ("train_losses", "model_dir", "untrained_dir")
        }
        | {"first_loss": result.train_losses[0], "last_loss": result.train_losses[-1]},
        "bullets_unseen_seeds": {
            "seeds": list(UNSEEN_BULLETS_SEEDS[: args.unseen_seeds]),
            "student": student_bullets,
            "untrained": untrained_bullets,
        },
        "qa_test": qa_report,
    }
    atomic_write_json(args.out, report)
    print(
        json.dumps(
            {k: report[k] for k in ("training", "bullets_unseen_seeds", "qa_test")}, ensure_ascii=False, indent=1
        )
    )


if __name__ == "__main__":
    main()
