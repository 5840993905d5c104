"""The SFT dataset as one table: examples of the three tasks with their split, evaluation references,
token lengths, statistics and random samples; written per split as Hugging Face `datasets` Parquet.

The chat examples themselves come from `assets.distillation.sft_tasks` (QA from teacher answers, bullets
from generated catalogues, approved feedback); this module adds what evaluation needs to judge a model
on an example (`reference`: the QA question's type, recorded answer span and top context; a bullets
category's metrics record), lays everything out as a DataFrame, and summarises it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assets.distillation.sft_tasks import SPLITS, _context_ids, bullets_examples, relabelled_metrics_of
from resources.atomic import atomic_path
from resources.student.chat import ChatExample, prompt_messages, target_text

SFT_COLUMNS = ["example_id", "task", "group", "split", "messages", "qtype", "reference"]
DATASET_COLUMNS = ["example_id", "task", "group", "messages"]


def qa_references(answers: Iterable[Mapping[str, Any]], chunk_texts: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Question id → {"qtype", "answer_span", "top_context"} for every teacher-answers row."""
    references = {}
    for row in answers:
        top = next((chunk_texts[c] for c in _context_ids(row.get("retrieved")) if c in chunk_texts), "")
        references[str(row["question_id"])] = {
            "qtype": str(row.get("qtype", "")),
            "answer_span": str(row.get("expected_answer") or ""),
            "top_context": top,
        }
    return references


def seeded_bullets(seeds: Iterable[int], workers: int = 1) -> tuple[list[ChatExample], dict[str, dict[str, Any]]]:
    """Bullets examples of the generated catalogues of `seeds` (category names shuffled: `relabelled_metrics`,
    made in `workers` processes), and example id → {"metrics": record}."""
    examples: list[ChatExample] = []
    references: dict[str, dict[str, Any]] = {}
    seeds = list(seeds)
    for seed, records in zip(seeds, relabelled_metrics_of(seeds, workers), strict=True):
        built = bullets_examples(records, f"seed-{seed}")
        examples += built
        references.update({e["example_id"]: {"metrics": r} for e, r in zip(built, records, strict=True)})
    return examples, references


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def examples_frame(
    splits: Mapping[str, Sequence[ChatExample]], references: Mapping[str, dict[str, Any]]
) -> pd.DataFrame:
    """One row per example: id, task, group, split, messages, qtype (QA) and the JSON reference."""
    rows = []
    for split in SPLITS:
        for example in splits.get(split, []):
            reference = references.get(example.get("example_id", ""), {})
            rows.append(
                {
                    "example_id": example.get("example_id", ""),
                    "task": example["task"],
                    "group": example.get("group", ""),
                    "split": split,
                    "messages": [dict(m) for m in example["messages"]],
                    "qtype": str(reference.get("qtype", "")),
                    "reference": json.dumps(reference, ensure_ascii=False, default=_jsonable),
                }
            )
    return pd.DataFrame(rows, columns=SFT_COLUMNS)


def frame_examples(frame: pd.DataFrame) -> list[ChatExample]:
    """Rows of an SFT table back to chat examples (Parquet arrays become lists of plain dicts again)."""
    return [
        {
            "messages": [{"role": str(m["role"]), "content": str(m["content"])} for m in row.messages],
            "task": row.task,
            "example_id": row.example_id,
            "group": row.group,
        }
        for row in frame.itertuples(index=False)
    ]


def add_token_lengths(frame: pd.DataFrame, count: Callable[[list[str]], list[int]]) -> pd.DataFrame:
    """Prompt and target lengths (`count` maps texts to token counts, e.g. Kiwi morphemes) and their sum."""
    examples = frame_examples(frame)
    prompts = ["\n".join(m["content"] for m in prompt_messages(e)) for e in examples]
    targets = [target_text(e) for e in examples]
    prompt_tokens, target_tokens = count(prompts), count(targets)
    return frame.assign(
        prompt_tokens=prompt_tokens,
        target_tokens=target_tokens,
        total_tokens=[p + t for p, t in zip(prompt_tokens, target_tokens, strict=True)],
    )


def sample_per_task(frame: pd.DataFrame, per_task: int, seed: int = 0) -> pd.DataFrame:
    """At most `per_task` rows of each task, a seeded random sample (all rows of a smaller task)."""
    parts = [group.sample(n=min(per_task, len(group)), random_state=seed) for _, group in frame.groupby("task")]
    return pd.concat(parts) if parts else frame


def length_statistics(frame: pd.DataFrame, max_tokens: int) -> dict[str, dict[str, float]]:
    """Per task: examples, mean / p50 / p90 / max prompt, target and total tokens, and examples over `max_tokens`."""
    stats = {}
    for task, group in frame.groupby("task", sort=True):
        entry: dict[str, float] = {
            "examples": int(len(group)),
            "over_max_tokens": int((group.total_tokens > max_tokens).sum()),
        }
        for column in ("prompt_tokens", "target_tokens", "total_tokens"):
            values = group[column]
            entry.update(
                {
                    f"{column}_mean": round(float(values.mean()), 1),
                    f"{column}_p50": float(values.quantile(0.5)),
                    f"{column}_p90": float(values.quantile(0.9)),
                    f"{column}_max": int(values.max()),
                }
            )
        stats[str(task)] = entry
    return stats


def split_counts(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Task → split → examples."""
    table = frame.groupby(["task", "split"]).size()
    return {str(task): {str(split): int(n) for split, n in table[task].items()} for task in table.index.levels[0]}


def random_samples(frame: pd.DataFrame, per_task: int, seed: int = 0) -> dict[str, list[dict[str, str]]]:
    """`per_task` seeded random examples of each task as {"example_id", "prompt", "target"}."""
    rng = random.Random(seed)
    samples = {}
    for task, group in frame.groupby("task", sort=True):
        picked = rng.sample(range(len(group)), min(per_task, len(group)))
        rows = [group.iloc[i] for i in sorted(picked)]
        samples[str(task)] = [
            {
                "example_id": row.example_id,
                "prompt": "\n".join(str(m["content"]) for m in list(row.messages)[:-1]),
                "target": str(list(row.messages)[-1]["content"]),
            }
            for row in rows
        ]
    return samples


def write_dataset_splits(frame: pd.DataFrame, folder: Path) -> dict[str, Path]:
    """`folder/<split>.parquet` per split (columns example_id, task, group, messages), atomically; loadable
    with `datasets.load_dataset("parquet", data_files={...})`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in SPLITS:
        path = folder / f"{split}.parquet"
        with atomic_path(path) as tmp:
            frame.loc[frame.split == split, DATASET_COLUMNS].reset_index(drop=True).to_parquet(tmp, index=False)
        paths[split] = path
    return paths
