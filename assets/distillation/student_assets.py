"""student_model → student_evaluation → champion_model: train, measure and (maybe) promote the student.

* `student_model` (pool `gpu`) trains with `resources.student.training.train_student` on the train split
  (pretraining on the chunks for the builtin base), logs params, per-step loss, validation losses and
  the model folder to MLflow, and registers a version of `kodistill-student`. Checks (blocking): the
  loss is finite; the validation loss is below the untrained model's.
* `student_evaluation` scores the new student, the untrained student, the current champion, the
  teacher and a trivial baseline on the same test sample (`student_eval`), records a table, MLflow
  metrics and a plot, and stores the student's score on its registered version.
* `champion_model` applies the gate (`promotion.decide_promotion`, default margin 5%, floor for the
  first champion), moves the `champion` / `previous` aliases, prunes old versions' artifacts, and a
  blocking check re-verifies the rule from the registry before anything downstream uses the champion.
Each step's MLflow run is tagged with the Dagster run id and asset key; its id and address are metadata.
"""

import hashlib
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from assets.catalog.plots import markdown_image
from assets.config import ChampionConfig, StudentEvaluationConfig, StudentModelConfig
from assets.distillation.promotion import decide_promotion, required_score
from assets.distillation.sft_frame import frame_examples
from assets.distillation.sft_tasks import bullets_copy_phrases
from assets.distillation.student_eval import (
    EvaluationSet,
    attempts_summary,
    bullets_outputs,
    comparison_png,
    evaluation_set,
    model_outputs,
    reference_outputs,
    score_outputs,
)
from assets.metadata import COMPUTE_SECONDS, Stopwatch, readable
from assets.retry_policies import TRAINING_RETRY, non_retryable_errors
from resources.atomic import atomic_path
from resources.mlflow_resource import MlflowTracking, TrackedRun
from resources.model_registry import (
    PREVIOUS,
    alias_version,
    champion_version,
    promote,
    prune_artifacts,
    register_version,
    set_score,
    version_dir,
)
from resources.settings import ProjectPaths
from resources.tokenizer_resource import KoreanTokenizerResource

GROUP = "distillation"
# Training is minutes of CPU: the chain refreshes nightly once its inputs changed (and on demand: the demo,
# student_job, the feedback sensor), never on every document edit.
NIGHTLY = dg.AutomationCondition.on_cron("0 3 * * *")
FINITE_LOSS = dg.AssetCheckSpec(
    "finite_loss", asset="student_model", blocking=True, description="Every training loss is a finite number."
)
BEATS_UNTRAINED = dg.AssetCheckSpec(
    "validation_loss_below_untrained",
    asset="student_model",
    blocking=True,
    description="Validation loss after training is below the same model's loss before training.",
)
MARGIN_RULE = dg.AssetCheckSpec(
    "margin_rule",
    asset="champion_model",
    blocking=True,
    description="The registry's champion is the version the gate chose, and a promotion beat the former "
    "champion by the margin (or the floor for a first champion), re-read from MLflow.",
)
FREE_DECODING = "student, free decoding"  # the new student's bullets without copying from the prompt (bullets-only row)
SUMMARY_COLUMNS = ["system", "score", "qa_span_containment", "qa_morpheme_f1", "bullets_pass_rate", "tokens_per_second"]
RESULT_COLUMNS = [
    "system",
    "model_version",
    "score",
    "qa_span_containment",
    "qa_morpheme_f1",
    "qa_examples",
    "bullets_schema_valid_rate",
    "bullets_faithful_rate",
    "bullets_pass_rate",
    "bullets_first_attempt_pass_rate",
    "bullets_mean_attempts",
    "bullets_fallback_rate",
    "bullets_examples",
    "tokens_per_second",
    "by_type",
]


# ---------------------------------------------------------------- student_model


def training_config(config: StudentModelConfig) -> Any:
    """The trainer's `StudentTrainingConfig`: fields left at -1 / empty keep the trainer's defaults."""
    from resources.student.config import StudentTrainingConfig

    values = {k: v for k, v in config.model_dump().items() if v != -1 and v != -1.0}
    values["teacher_path"] = values.get("teacher_path") or None
    window = (values.pop("qa_window_start", None), values.pop("qa_window_end", None))
    if window != (None, None):
        default = StudentTrainingConfig().qa_window
        values["qa_window"] = tuple(fallback if given is None else given for given, fallback in zip(window, default))
    try:
        return StudentTrainingConfig(**values)
    except ValueError as error:
        raise dg.Failure(f"student_model config: {str(error).removeprefix('student config: ')}") from error


def _run_key(params: dict[str, Any], frame: pd.DataFrame) -> str:
    """Output folder key: the same config on the same data resumes the same checkpoints."""
    used = frame[frame.split != "test"][["example_id", "split"]].to_json(orient="values")
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode() + used.encode())
    return digest.hexdigest()[:16]


def _model_row(result: Any, version: str, run: TrackedRun) -> pd.DataFrame:
    losses = list(result.train_losses)
    return pd.DataFrame(
        [
            {
                "model_version": version,
                "mlflow_run_id": run.run_id,
                "model_dir": str(result.model_dir),
                "untrained_dir": str(result.untrained_dir),
                "final_loss": float(losses[-1]) if losses else float("nan"),
                "all_losses_finite": bool(losses) and all(math.isfinite(x) for x in losses),
                "validation_loss": float(result.validation_loss),
                "untrained_validation_loss": float(result.untrained_validation_loss),
                "steps": int(result.steps),
                "tokens_per_second": float(result.tokens_per_second),
                "wall_seconds": float(result.wall_seconds),
                "parameters": int(result.parameters),
                "trainable_parameters": int(result.trainable_parameters),
                "prompt_truncated": int(result.prompt_truncated),
                "target_truncated": int(result.target_truncated),
            }
        ]
    )


def _loss_checks(row: pd.Series) -> Iterator[dg.AssetCheckResult]:
    yield dg.AssetCheckResult(
        check_name=FINITE_LOSS.name,
        passed=bool(row.all_losses_finite),
        metadata={"final_loss": readable(row.final_loss)},
    )
    below = math.isfinite(row.validation_loss) and row.validation_loss < row.untrained_validation_loss
    yield dg.AssetCheckResult(
        check_name=BEATS_UNTRAINED.name,
        passed=bool(below),
        description=f"validation loss {row.validation_loss:.4f} vs untrained {row.untrained_validation_loss:.4f}",
        metadata={
            "validation_loss": readable(row.validation_loss),
            "untrained_validation_loss": readable(row.untrained_validation_loss),
        },
    )


@dg.asset(
    group_name=GROUP,
    kinds={"pytorch", "mlflow"},
    pool="gpu",
    retry_policy=TRAINING_RETRY,
    check_specs=[FINITE_LOSS, BEATS_UNTRAINED],
    automation_condition=NIGHTLY,
    code_version="student-model-2",
)
def student_model(
    context: dg.AssetExecutionContext,
    config: StudentModelConfig,
    sft_dataset: pd.DataFrame,
    chunks: pd.DataFrame,
    paths: ProjectPaths,
    mlflow: MlflowTracking,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """The student trained on the train split (builtin: pretrained on the chunks first), logged to MLflow and
    registered as a new version of the registered model; its validation loss against the untrained model."""
    from resources.student.training import train_student

    watch = Stopwatch()
    training = training_config(config)
    train, validation = (frame_examples(sft_dataset[sft_dataset.split == s]) for s in ("train", "validation"))
    output_dir = paths.artifact_path("student", "runs", _run_key(training.as_params(), sft_dataset), "x").parent
    with mlflow.asset_run(context) as run:
        run.log_params({**training.as_params(), "train_examples": len(train), "validation_examples": len(validation)})
        with non_retryable_errors():  # bad input and CPU out-of-memory fail at once; the rest is retried
            result = train_student(
                train, validation, chunks["text"].astype(str).tolist(), training, output_dir, log_metric=run.log_metric
            )
        run.log_metrics(  # train_loss per step and both validation losses come through log_metric
            {
                "train_tokens_per_second": result.tokens_per_second,
                "train_wall_seconds": result.wall_seconds,
                "parameters": float(result.parameters),
            }
        )
        source = run.log_dir(result.model_dir, "model")
        version = register_version(
            mlflow.client(),
            mlflow.registered_model,
            source,
            run.run_id,
            {"dagster.run_id": context.run_id, "base": training.base},
        )
    row = _model_row(result, version, run).iloc[0]
    context.log.info(
        f"student_model: version {version}, validation loss {row.validation_loss:.4f} "
        f"(untrained {row.untrained_validation_loss:.4f}), {row.tokens_per_second:.0f} tokens/s"
    )
    metadata = {
        "model_version": version,
        "model_dir": dg.MetadataValue.path(str(result.model_dir)),
        **{
            name: readable(row[name])
            for name in (
                "validation_loss",
                "untrained_validation_loss",
                "final_loss",
                "tokens_per_second",
                "wall_seconds",
            )
        },
        "steps": int(row.steps),
        "parameters": int(row.parameters),
        "trainable_parameters": int(row.trainable_parameters),
        "prompt_truncated": int(row.prompt_truncated),
        "target_truncated": int(row.target_truncated),
        **mlflow.link_metadata(run),
        COMPUTE_SECONDS: watch.seconds,
    }
    yield dg.Output(_model_row(result, version, run), metadata=metadata)
    yield from _loss_checks(row)


# ---------------------------------------------------------------- student_evaluation


def _load_generate(model_dir: str) -> tuple[Any, Any]:
    """(generate(conversations, max_new_tokens, copy_from_prompt, attempt) -> texts, generator) for a model folder;
    with `copy_from_prompt` (bullets), the names and readings the prompt lists are copied too
    (`bullets_copy_phrases`); attempt 0 is greedy, attempt k sampled with seed k (a retry)."""
    from resources.student.generation import Sampling, StudentGenerator

    generator = StudentGenerator.load(Path(model_dir))

    def generate(conversations: Any, tokens: int, copy_from_prompt: bool, attempt: int = 0) -> list[str]:
        phrases = bullets_copy_phrases if copy_from_prompt else None
        sampling = Sampling(attempt) if attempt else None
        return generator.generate(
            conversations, tokens, copy_from_prompt=copy_from_prompt, copy_phrases=phrases, sampling=sampling
        )

    return generate, generator


def _champion_dir(mlflow: MlflowTracking, paths: ProjectPaths, exclude: str) -> tuple[str | None, str | None]:
    """(version, local folder) of the current champion unless it is `exclude` or has no artifacts."""
    client = mlflow.client()
    champion = champion_version(client, mlflow.registered_model)
    if champion is None or champion.version == exclude:
        return None, None
    cache = paths.artifact_path("student", "registry", "x").parent
    try:
        return champion.version, str(version_dir(client, mlflow.registered_model, champion.version, cache))
    except Exception as error:  # noqa: BLE001 - a champion that cannot be fetched is reported, not fatal
        return champion.version, f"unavailable: {error}"


def _model_system(
    name: str,
    version: str,
    model_dir: str,
    items: EvaluationSet,
    config: StudentEvaluationConfig,
    morphemes: Any,
    show_free_decoding: bool = False,
    retry: bool = True,
) -> list[dict[str, Any]]:
    """The model's row (bullets retried up to `config.bullets_attempts` as the report writes them, or with
    `retry=False` its first attempt only); with `show_free_decoding` and copying from the prompt on, also its
    bullets decoded freely, greedy and without retries (a bullets-only row "student, free decoding"), so the
    table shows what copying from the prompt and retrying change."""
    generate, generator = _load_generate(model_dir)
    greedy_speed: list[float] = []  # tokens/s of the latest greedy call (the bullets'), not of retries' small batches

    def measured(conversations: Any, tokens: int, copy_from_prompt: bool, attempt: int = 0) -> list[str]:
        texts = generate(conversations, tokens, copy_from_prompt, attempt)
        if attempt == 0:
            greedy_speed[:] = [generator.last_tokens_per_second]
        return texts

    qa, bullets = model_outputs(
        measured,
        items,
        config.qa_max_new_tokens,
        config.bullets_max_new_tokens,
        config.copy_from_prompt,
        config.bullets_attempts if retry else 1,
    )
    summary = {**score_outputs(items, qa, bullets.outputs, morphemes), **attempts_summary(bullets)}
    speed = greedy_speed[0] if greedy_speed else generator.last_tokens_per_second
    rows = [{"system": name, "model_version": version, "tokens_per_second": speed, **summary}]
    if show_free_decoding and config.copy_from_prompt and items.bullets:
        free = bullets_outputs(generate, items, config.bullets_max_new_tokens, False).outputs
        free_row = {"system": FREE_DECODING, "model_version": version, **score_outputs(items, None, free, morphemes)}
        rows.append({**free_row, "tokens_per_second": generator.last_tokens_per_second})
    return rows


def _results_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(rows).reindex(columns=RESULT_COLUMNS)
    table["by_type"] = [json.dumps(v if isinstance(v, dict) else {}, ensure_ascii=False) for v in table["by_type"]]
    table["model_version"] = table["model_version"].fillna("").astype(str)
    return table


def _log_evaluation(run: TrackedRun, table: pd.DataFrame, png: bytes, folder: Path) -> None:
    for row in table.to_dict("records"):
        prefix = re.sub(r"\W+", "_", row["system"])  # MLflow metric names: no commas
        run.log_metrics({f"{prefix}.{k}": v for k, v in row.items() if isinstance(v, float) and k != "by_type"})
    plot = folder / "student_evaluation.png"
    with atomic_path(plot) as tmp:
        tmp.write_bytes(png)
    run.log_file(plot)
    run.log_json(table.to_dict("records"), "student_evaluation.json")


@dg.asset(
    group_name=GROUP,
    kinds={"pytorch", "mlflow"},
    pool="gpu",
    retry_policy=TRAINING_RETRY,
    automation_condition=NIGHTLY,
    code_version="student-evaluation-1",
)
def student_evaluation(
    context: dg.AssetExecutionContext,
    config: StudentEvaluationConfig,
    student_model: pd.DataFrame,
    sft_dataset: pd.DataFrame,
    tokenizer: KoreanTokenizerResource,
    paths: ProjectPaths,
    mlflow: MlflowTracking,
) -> dg.Output[pd.DataFrame]:
    """The new student vs the untrained student, the current champion, the teacher and a trivial baseline
    (first sentence of the top context) on a test sample: QA span containment and morpheme F1 (per question
    type), bullets schema-valid / faithful / fallback rates, generation tokens/s; table, plot, MLflow metrics."""
    watch = Stopwatch()
    model = student_model.iloc[0]
    items = evaluation_set(
        sft_dataset[sft_dataset.split == "test"], config.max_qa_examples, config.max_bullets_examples, config.seed
    )
    kiwi = tokenizer.get()
    rows = [
        *_model_system("student", model.model_version, model.model_dir, items, config, kiwi.morphemes_batch, True),
        # first attempt only: its retries (~75 s in the demo) fail as its first attempt does, and the gate
        # compares the new student with the champion, both retried
        *_model_system("untrained student", "", model.untrained_dir, items, config, kiwi.morphemes_batch, retry=False),
    ]
    champion, champion_dir = _champion_dir(mlflow, paths, exclude=model.model_version)
    if champion_dir and not champion_dir.startswith("unavailable"):
        rows += _model_system("champion", champion, champion_dir, items, config, kiwi.morphemes_batch)
    elif champion_dir:
        context.log.warning(f"champion v{champion} not evaluated: {champion_dir}")
    for name, (qa, bullets) in reference_outputs(items).items():
        rows.append({"system": name, **score_outputs(items, qa, bullets, kiwi.morphemes_batch)})
    table = _results_table(rows)
    png = comparison_png(table)
    set_score(mlflow.client(), mlflow.registered_model, model.model_version, float(table.score.iloc[0]))
    with mlflow.asset_run(context) as run:
        run.set_tags({"model_version": model.model_version})
        _log_evaluation(run, table, png, paths.artifact_path("student", "evaluation", "x").parent)
    shown = table.drop(columns=["by_type"]).map(lambda v: readable(v) if isinstance(v, float) else v)
    metadata = {
        "comparison": dg.MetadataValue.md(shown.to_markdown(index=False)),
        "summary": dg.MetadataValue.md(shown[SUMMARY_COLUMNS].to_markdown(index=False)),
        "plot": dg.MetadataValue.md(markdown_image(png, "student vs references")),
        "student_by_question_type": dg.MetadataValue.json(json.loads(table.by_type.iloc[0])),
        "student_score": readable(float(table.score.iloc[0])),
        "qa_examples": len(items.qa),
        "bullets_examples": len(items.bullets),
        **mlflow.link_metadata(run),
        COMPUTE_SECONDS: watch.seconds,
    }
    return dg.Output(table, metadata=metadata)


# ---------------------------------------------------------------- champion_model


def _system_score(table: pd.DataFrame, system: str) -> float | None:
    found = table[table.system == system]
    return float(found.score.iloc[0]) if len(found) else None


def _margin_check(mlflow: MlflowTracking, decision: Any, candidate: str, config: ChampionConfig) -> dg.AssetCheckResult:
    """Re-read the aliases: the champion is the candidate iff promoted, and its score met the requirement."""
    client = mlflow.client()
    champion = champion_version(client, mlflow.registered_model)
    problems = []
    if decision.promote and (champion is None or champion.version != candidate):
        problems.append(f"gate promoted v{candidate} but the champion alias points at {champion and champion.version}")
    if not decision.promote and champion is not None and champion.version == candidate:
        problems.append(f"gate refused v{candidate} but it is the champion")
    if decision.promote and champion is not None and champion.score is not None:
        needed = required_score(decision.champion_score, config.margin, config.floor)
        if champion.score + 1e-9 < needed:
            problems.append(f"champion score {champion.score:.4f} < required {needed:.4f}")
    return dg.AssetCheckResult(
        check_name=MARGIN_RULE.name,
        passed=not problems,
        description="; ".join(problems) or decision.reason,
        metadata={"champion_version": champion.version if champion else "none"},
    )


@dg.asset(
    group_name=GROUP,
    kinds={"mlflow"},
    check_specs=[MARGIN_RULE],
    automation_condition=NIGHTLY,
    code_version="champion-model-1",
)
def champion_model(
    context: dg.AssetExecutionContext,
    config: ChampionConfig,
    student_evaluation: pd.DataFrame,
    student_model: pd.DataFrame,
    mlflow: MlflowTracking,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Promotes the new student to MLflow alias `champion` (former champion → `previous`) only if its test
    score beats the champion's by the margin (the first one: reaches the floor); prunes old artifacts."""
    watch = Stopwatch()
    candidate = str(student_model.model_version.iloc[0])
    client = mlflow.client()
    current = champion_version(client, mlflow.registered_model)
    champion_score = _system_score(student_evaluation, "champion")
    if current is not None and champion_score is None:
        champion_score = current.score if current.score is not None else 0.0
    decision = decide_promotion(
        float(_system_score(student_evaluation, "student")), champion_score, config.margin, config.floor
    )
    if decision.promote:
        promote(client, mlflow.registered_model, candidate)
    pruned = prune_artifacts(client, mlflow.registered_model, config.keep_versions)
    after = champion_version(client, mlflow.registered_model)
    previous = alias_version(client, mlflow.registered_model, PREVIOUS)
    context.log.info(f"champion_model: {'PROMOTED' if decision.promote else 'kept'} — {decision.reason}")
    row = {
        **decision.as_dict(),
        "candidate_version": candidate,
        "champion_version": after.version if after else "",
        "previous_version": previous.version if previous else "",
    }
    metadata = {
        "decision": "promoted" if decision.promote else "kept current champion",
        "reason": decision.reason,
        "candidate_score": readable(decision.candidate_score),
        "champion_score": readable(champion_score) if champion_score is not None else "none",
        "required_score": readable(decision.required_score),
        "champion_version": row["champion_version"] or "none",
        "previous_version": row["previous_version"] or "none",
        "artifacts_pruned": dg.MetadataValue.json(pruned),
        "mlflow_ui_command": mlflow.ui_command(),
        COMPUTE_SECONDS: watch.seconds,
    }
    yield dg.Output(pd.DataFrame([row]), metadata=metadata)
    yield _margin_check(mlflow, decision, candidate, config)
