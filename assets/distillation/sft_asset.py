"""`sft_dataset`: the student's chat examples of three tasks, split by group with no leakage.

QA examples come from `teacher_answers` (question + its top retrieved chunks → the teacher's answer),
bullets examples from catalogues the generator makes with seeds 1..N (category metrics as a fact list → the
template's bullets JSON), feedback examples from the `feedback_examples` asset (approved, scrubbed
feedback; an empty frame while the feedback store holds none). Splits are per source
document / generator seed / feedback id. The table is the asset (Parquet via the IO manager) and is
also written per split as `datasets`-compatible Parquet under `artifacts/distillation/sft/`. Token
lengths (Kiwi morphemes, on a seeded sample per task), statistics and random samples per task go to
metadata and to MLflow.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd

from assets.config import SftDatasetConfig
from assets.distillation.sft_frame import (
    add_token_lengths,
    examples_frame,
    frame_examples,
    length_statistics,
    qa_references,
    random_samples,
    sample_per_task,
    seeded_bullets,
    split_counts,
    write_dataset_splits,
)
from assets.distillation.sft_tasks import (
    catalogue_workers,
    feedback_examples_to_chat,
    qa_examples,
    split_examples,
    split_problems,
)
from assets.distillation.student_assets import NIGHTLY
from assets.metadata import COMPUTE_SECONDS, Stopwatch
from resources.io_managers import ALLOW_MISSING
from resources.korean import KoreanTokenizer
from resources.mlflow_resource import MlflowTracking
from resources.settings import ProjectPaths
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "distillation"
SPLITS_CHECK = dg.AssetCheckSpec(
    "sft_splits_valid",
    asset="sft_dataset",
    blocking=True,
    description="No group (document, generator seed, feedback id) in two splits, no empty target, every task "
    "has training examples; examples over the token budget are counted (the trainer truncates them).",
)


def _kiwi_counter(kiwi: KoreanTokenizer) -> Any:
    def count(texts: list[str]) -> list[int]:
        return [len(tokens) for tokens in kiwi.kiwi.tokenize(texts)] if texts else []

    return count


def build_sft_dataset(
    config: SftDatasetConfig,
    teacher_answers: pd.DataFrame,
    chunks: pd.DataFrame,
    feedback: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The examples table (without token lengths) and the teacher-answer rows that are not examples (why)."""
    answers = teacher_answers.to_dict("records")
    chunk_texts = dict(zip(chunks["chunk_id"].astype(str), chunks["text"].astype(str), strict=True))
    skipped: list[str] = []
    examples = qa_examples(answers, chunk_texts, contexts=config.qa_contexts, skipped=skipped)
    references = qa_references(answers, chunk_texts)
    bullets, bullet_refs = seeded_bullets(range(1, config.bullets_seeds + 1), catalogue_workers())
    examples += bullets
    references.update(bullet_refs)
    if feedback is not None and len(feedback):
        examples += feedback_examples_to_chat(feedback)
    splits = split_examples(examples, config.validation_share, config.test_share, config.split_seed)
    return examples_frame(splits, references), skipped


def _check(frame: pd.DataFrame, lengths: pd.DataFrame, config: SftDatasetConfig) -> dg.AssetCheckResult:
    splits = {split: frame_examples(frame[frame.split == split]) for split in ("train", "validation", "test")}
    problems = split_problems(splits)
    untrained = sorted(set(frame.task) - set(frame[frame.split == "train"].task))
    problems += [f"task {task} has no training example" for task in untrained]
    over = int((lengths.total_tokens > config.max_tokens).sum())
    return dg.AssetCheckResult(
        check_name=SPLITS_CHECK.name,
        passed=not problems,
        description=f"{len(problems)} problem(s); first: {problems[0]}" if problems else "no leakage, no empty target",
        metadata={
            "problems": dg.MetadataValue.json(problems[:20]),
            "over_max_kiwi_tokens": over,
            "over_max_kiwi_tokens_share_in_sample": round(over / len(lengths), 4) if len(lengths) else 0.0,
        },
    )


def _metadata(
    frame: pd.DataFrame, stats: dict, config: SftDatasetConfig, skipped: list[str], paths: dict, mlflow_meta: dict
) -> dict[str, Any]:
    table = pd.DataFrame(stats).T[["examples", "total_tokens_mean", "total_tokens_p90", "total_tokens_max"]]
    return {
        "examples": len(frame),
        "split_counts": dg.MetadataValue.json(split_counts(frame)),
        "token_lengths": dg.MetadataValue.json(stats),
        "token_lengths_table": dg.MetadataValue.md(table.to_markdown()),
        "token_unit": f"Kiwi morphemes (all tags) of prompt and target, seeded sample of <= "
        f"{config.length_sample_per_task} examples per task",
        "samples": dg.MetadataValue.json(random_samples(frame, config.samples_per_task, config.split_seed)),
        "qa_rows_skipped": dg.MetadataValue.json(skipped[:50]),
        "bullets_catalogues": config.bullets_seeds,
        "dataset_dir": dg.MetadataValue.path(str(paths["train"].parent)),
        **mlflow_meta,
    }


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet", "mlflow"},
    ins={"teacher_answers": dg.AssetIn(metadata={ALLOW_MISSING: True})},
    check_specs=[SPLITS_CHECK],
    automation_condition=NIGHTLY,
    code_version="sft-dataset-1",
)
def sft_dataset(
    context: dg.AssetExecutionContext,
    config: SftDatasetConfig,
    teacher_answers: pd.DataFrame,
    chunks: pd.DataFrame,
    feedback_examples: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
    mlflow: MlflowTracking,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Chat examples of the QA, bullets and (approved) feedback tasks, split train/validation/test by source
    group with no leakage; token-length statistics and random samples per task (metadata and MLflow)."""
    yield from materialize_sft_dataset(
        context, config, teacher_answers, chunks, tokenizer, paths, mlflow, feedback=feedback_examples
    )


def materialize_sft_dataset(
    context: dg.AssetExecutionContext,
    config: SftDatasetConfig,
    teacher_answers: pd.DataFrame,
    chunks: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
    mlflow: MlflowTracking,
    feedback: pd.DataFrame | None,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """The body of `sft_dataset` (feedback optional, so wiring `feedback_examples` is one argument)."""
    watch = Stopwatch()
    frame, skipped = build_sft_dataset(config, teacher_answers, chunks, feedback)
    sample = sample_per_task(frame, config.length_sample_per_task, config.split_seed)
    lengths = add_token_lengths(sample, _kiwi_counter(tokenizer.get()))
    stats = length_statistics(lengths, config.max_tokens)
    written = write_dataset_splits(frame, paths.artifact_path("distillation", "sft", "train.parquet").parent)
    with mlflow.asset_run(context) as run:
        run.log_params(config.model_dump())
        run.log_json(stats, "token_lengths.json")
        run.log_json(random_samples(frame, config.samples_per_task, config.split_seed), "samples.json")
        run.log_metrics({f"examples.{task}": float(n) for task, n in frame.task.value_counts().items()})
    context.log.info(f"sft_dataset: {len(frame)} examples; {len(skipped)} teacher answers skipped")
    metadata = _metadata(frame, stats, config, skipped, written, mlflow.link_metadata(run))
    yield dg.Output(frame, metadata={**metadata, COMPUTE_SECONDS: watch.seconds})
    yield _check(frame, lengths, config)
