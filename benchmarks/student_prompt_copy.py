"""Benchmark: report bullets of a trained student, decoded freely and copying from the prompt, on unseen catalogues.

Usage: .venv/bin/python benchmarks/student_prompt_copy.py --model DIR [--eval-seeds N] [--threads N] [--label L]
       [--starts "prompt only" prefilled] [--attempts N [--temperature T]] [--old-facts | --comma-facts]
`DIR` is a student model folder (e.g. the champion's, from `kodistill demo`: the `model` artifact of the
registered version). For the categories of generator seeds never used in training (`UNSEEN_BULLETS_SEEDS`, the
first N), the student writes bullets four times: from the prompt alone ("prompt only") and from the prompt
with the answer's start prefilled up to the name that opens the first bullet ("prefilled",
`sft_tasks.bullets_conversation`, as the report asks), each greedy ("free") and greedy copying from the prompt
("prompt_copy": each number, and each name and reading `sft_tasks.bullets_copy_phrases` lists, copied from the
place in the prompt whose preceding words match, `resources/student/prompt_copy.py`). `--starts` limits the
prompt forms. Each output is judged by the blocking check the report uses (`bullets_outcome`: schema + order +
per-slot faithfulness); reported per decoding: pass rate, schema-valid rate, the share of template numbers the
same-position bullet states, the first problem of failing categories by kind, every problem by kind and by
bullet position, and generated tokens/s. With `--attempts N` (> 1), the copying decodings are also judged as
the report writes them: categories failing the check retried (`--retry-from`: the start, as the report does,
or the first bullet the check faults), sampled at each `--temperature` with seed k at attempt k, up to N
attempts in all (`bullets_retries.outputs_with_retries`; the greedy outputs are reused), with the first
attempt's pass rate, the mean attempts and the seconds the retries took. `--old-facts`: prompts worded as sft
datasets built before 2026-12-02 17:00, `--comma-facts`: as built from then to 2026-12-03 09:00 (facts joined
with ", ", no readings; `student_pretraining_order.py`), for models trained on them. Writes
benchmarks/results/student_prompt_copy.json (entries keyed by `--label`, merged with earlier runs; entries
before 2026-12-03 09:00 UTC call copying of numbers alone "number_copy").
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.catalog.bullets import faithfulness_problems, order_problems  # noqa: E402
from assets.distillation import sft_tasks  # noqa: E402
from assets.distillation.bullets_retries import outputs_with_retries  # noqa: E402
from assets.distillation.student_metrics import bullets_outcome  # noqa: E402
from benchmarks.student_copy_variants import slot_number_accuracy  # noqa: E402
from resources.atomic import record_json_entry  # noqa: E402
from resources.student.generation import RETRY_TEMPERATURE  # noqa: E402

RESULT = ROOT / "benchmarks/results/student_prompt_copy.json"
DECODINGS = (("free", False), ("prompt_copy", True))
_FAULTED_BULLET = re.compile(r"bullet (\d+) ")

_BULLET = re.compile(r"bullet (\d+) ")


def problem_kind(problem: str) -> str:
    """A failing category's first problem, reduced to its kind ("states a number not its metrics" …)."""
    for marker, kind in (
        ("which is not one of its metrics", "wrong number for its slot"),
        ("which its metrics do not support", "wrong reading"),
        ("which these metrics do not have", "slot the metrics lack"),
        ("no JSON object", "no JSON"),
        ("payload category", "wrong category"),
        ("does not name its category", "another category named in the text"),
    ):
        if marker in problem:
            return kind
    return "schema or order"


def judge(texts: list[str], records: list[dict[str, Any]], seconds: float, tokens: float) -> dict[str, Any]:
    outcomes = [bullets_outcome(text, record, None) for text, record in zip(texts, records, strict=True)]
    failures = Counter(problem_kind(o.problems[0]) for o in outcomes if not o.passed and o.problems)
    every = Counter(problem_kind(problem) for o in outcomes for problem in o.problems)
    by_bullet = Counter(match.group(1) for o in outcomes for p in o.problems if (match := _BULLET.match(p)))
    return {
        "pass_rate": round(sum(o.passed for o in outcomes) / len(records), 3),
        "schema_valid_rate": round(sum(o.schema_valid for o in outcomes) / len(records), 3),
        "slot_number_accuracy": round(slot_number_accuracy(texts, records)[0], 3),
        "first_problem_of_failures": dict(failures.most_common()),
        "every_problem_by_kind": dict(every.most_common()),
        "problems_by_bullet_position": dict(sorted(by_bullet.items())),
        "seconds": round(seconds, 1),
        "generated_tokens_per_second": round(tokens),
        "sample": texts[0][:400],
    }


def bullets_resume_conversation(metrics: Mapping[str, Any], kept: Sequence[str]) -> list[dict[str, str]]:
    """`bullets_conversation` whose prefilled start also holds the bullets `kept` (an earlier attempt's bullets
    before its first failing one, numbers plain again as the student writes them) and opens the next, so the
    model rewrites from that bullet on."""
    if not kept:
        return sft_tasks.bullets_conversation(metrics)
    name = sft_tasks.compact_json(str(metrics["category"]))
    written = ",".join(sft_tasks.compact_json(sft_tasks.plain_numbers(str(bullet))) for bullet in kept)
    start = '{"category":' + name + ',"summaryBullets":[' + written + ',"'
    return [*sft_tasks.bullets_prompt(metrics), {"role": "assistant", "content": start}]


def kept_bullets(output: str, record: dict[str, Any]) -> list[str]:
    """The output's bullets before the first one the check faults, by its slot's marker and basis (order) or by
    its numbers and reading (faithfulness), whichever comes first — faithfulness is looked at even where the
    order already failed, since a bullet that swallowed the next one breaks the order only after it. None when
    the output passes, has no list of bullets, is about another category, or no fault names a bullet."""
    outcome = bullets_outcome(output, record)
    payload = outcome.payload
    if outcome.passed or payload is None or payload.get("category") != record.get("category"):
        return []
    bullets = payload.get("summaryBullets")
    if not isinstance(bullets, list) or not all(isinstance(bullet, str) for bullet in bullets):
        return []
    problems = order_problems(bullets) + faithfulness_problems(payload, record)
    positions = [int(match.group(1)) for problem in problems if (match := _FAULTED_BULLET.match(problem))]
    return bullets[: min(positions) - 1] if positions else []


def resume_at_first_failing_bullet(conversation: Any, record: dict[str, Any], output: str) -> Any:
    """The retry conversation: the bullets prompt with the failed output's bullets before its first faulted
    one prefilled (`bullets_resume_conversation`), or the original conversation when none are kept."""
    kept = kept_bullets(output, record)
    return bullets_resume_conversation(record, kept) if kept else conversation


RETRY_FROM = {"start": None, "first faulted bullet": resume_at_first_failing_bullet}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--eval-seeds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=420)
    parser.add_argument("--label", default="default")
    parser.add_argument("--old-facts", action="store_true", help="prompts worded as before 2026-12-02 (see there)")
    parser.add_argument(
        "--comma-facts", action="store_true", help="prompts as from 2026-12-02 17:00 to 2026-12-03 09:00 (see there)"
    )
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument(
        "--attempts", type=int, default=1, help="> 1: also retry failing categories (copying, sampled) up to N in all"
    )
    parser.add_argument(
        "--temperature", type=float, nargs="+", default=[RETRY_TEMPERATURE], help="of the sampled retries (each)"
    )
    parser.add_argument("--retry-from", nargs="+", choices=RETRY_FROM, default=["start"], help="where retries restart")
    parser.add_argument(
        "--starts", nargs="+", choices=("prompt only", "prefilled"), default=["prompt only", "prefilled"]
    )
    args = parser.parse_args()

    import torch

    from resources.student.generation import StudentGenerator

    torch.set_num_threads(args.threads)
    if args.old_facts:
        from benchmarks.student_pretraining_order import use_old_facts

        use_old_facts()
    elif args.comma_facts:
        from benchmarks.student_pretraining_order import use_facts_without_readings

        use_facts_without_readings()
    records = [
        r for seed in sft_tasks.UNSEEN_BULLETS_SEEDS[: args.eval_seeds] for r in sft_tasks.generated_metrics(seed)
    ]
    prompted = {
        "prompt only": [sft_tasks.bullets_prompt(record) for record in records],
        "prefilled": [sft_tasks.bullets_conversation(record) for record in records],
    }
    generator = StudentGenerator.load(args.model)
    entry: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {args.threads} torch thread(s), shared 2-core box",
        "model": str(args.model),
        "unseen_categories": len(records),
    }
    decodings = [(f"{start}, {name}", start, copy) for start in args.starts for name, copy in DECODINGS]
    for label, start, copy_from_prompt in decodings:
        started = time.perf_counter()
        phrases = sft_tasks.bullets_copy_phrases if copy_from_prompt else None
        texts = generator.generate(
            prompted[start], max_new_tokens=args.max_new_tokens, copy_from_prompt=copy_from_prompt, copy_phrases=phrases
        )
        entry[label] = judge(texts, records, time.perf_counter() - started, generator.last_tokens_per_second)
        print(label, json.dumps(entry[label], ensure_ascii=False), flush=True)
        retries = [(t, f) for t in args.temperature for f in args.retry_from]
        for temperature, retry_from in retries if copy_from_prompt and args.attempts > 1 else ():
            label = f"{start}, prompt_copy, up to {args.attempts} attempts (T={temperature}, from {retry_from})"
            retry = Retry(args.attempts, temperature, args.max_new_tokens, RETRY_FROM[retry_from])
            entry[label] = with_retries(generator, prompted[start], records, texts, retry)
            print(label, json.dumps(entry[label], ensure_ascii=False), flush=True)
    record_json_entry(args.out, args.label, entry)


@dataclass(frozen=True)
class Retry:
    """How failing categories are retried: attempts in all, sampling temperature, budget, restart point."""

    attempts: int
    temperature: float
    max_new_tokens: int
    resume: Any


def with_retries(
    generator: Any,
    conversations: list[Any],
    records: list[dict[str, Any]],
    greedy: list[str],
    retry: Retry,
) -> dict[str, Any]:
    """The greedy outputs `greedy`, failing categories retried as the report does (`outputs_with_retries`)."""
    from resources.student.generation import Sampling

    def generate(batch: Any, attempt: int) -> list[str]:
        if attempt == 0:
            return greedy
        sampling = Sampling(attempt, retry.temperature)
        return generator.generate(batch, retry.max_new_tokens, True, sft_tasks.bullets_copy_phrases, sampling=sampling)

    started = time.perf_counter()
    result = outputs_with_retries(generate, conversations, records, retry.attempts, retry.resume)
    judged = judge(result.outputs, records, time.perf_counter() - started, generator.last_tokens_per_second)
    return judged | {
        "retry_seconds": judged.pop("seconds"),
        "first_attempt_pass_rate": round(result.first_attempt_pass_rate, 3),
        "mean_attempts": round(result.mean_attempts, 3),
        "attempts_used": dict(sorted(Counter(result.attempts).items())),
    }


if __name__ == "__main__":
    main()
