"""`train_student`: pretraining and a copy curriculum (builtin only) then supervised fine-tuning with loss on
assistant tokens, or token-level distillation (GKD, DistiLLM-2) from a teacher sharing the student's tokenizer.
`sft_batches` plans the SFT batches: tasks mixed as the examples fall, except in the QA window (`qa_window`),
where `qa_share` of the batches are QA batches.

A plain PyTorch loop rather than TRL's SFTTrainer: one loop carries both phases, the per-step callback, the
resumable checkpoints and the DistiLLM-2 on-policy step, with no per-run dataset preparation (see
docs/benchmarks.md for the measured tokens/s of the two on the builtin student). The GKD loss is TRL's; the SFT
loss is `losses.target_cross_entropy` (the model's own loss, computed on target positions only).

Determinism: the tokenizer, the initial weights, the batch plan and dropout are all seeded by `config.seed`.
Checkpoints (`output_dir/checkpoints/step-N/`: trainable weights as safetensors, optimizer/scheduler/RNG state
as a weights-only torch file) are written atomically every `checkpoint_every` steps; with `resume=True` a run
continues from the newest one and ends with the same weights an uninterrupted run would have.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resources.errors import InputDataError
from resources.student.chat import ChatExample
from resources.student.config import StudentTrainingConfig
from resources.student.encoding import (
    IGNORE_INDEX,
    EncodedExample,
    batch_plan,
    collate,
    copy_batches,
    encode_examples,
    pack_texts,
)
from resources.student.losses import target_cross_entropy
from resources.student.modelling import (
    autocast,
    load_teacher,
    parameter_counts,
    save_student,
    student_model,
    student_tokenizer,
    trainable_state,
    training_device,
    use_bf16,
)

MetricLogger = Callable[[str, float, int], None]
CHECKPOINTS_DIR = "checkpoints"
EVAL_BATCH_SIZE = 16
DISTILLM2_MAX_NEW_TOKENS = 64


@dataclass
class TrainingResult:
    """What a training run produced and measured (see the contract in the module docstring of chat.py)."""

    model_dir: Path
    untrained_dir: Path
    train_losses: list[float]
    validation_loss: float
    untrained_validation_loss: float
    tokens_per_second: float
    wall_seconds: float
    parameters: int
    trainable_parameters: int
    steps: int
    prompt_truncated: int = 0
    target_truncated: int = 0
    resumed_from_step: int = 0


@dataclass
class _Progress:
    step: int = 0
    losses: list[float] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0


@dataclass
class _Run:
    config: StudentTrainingConfig
    model: Any
    tokenizer: Any
    device: str
    teacher: Any = None
    bf16: bool = False


def _tokenizer_texts(train: Sequence[ChatExample], pretrain_texts: Sequence[str]) -> list[str]:
    roles = [f"{role}\n" for role in ("system", "user", "assistant")] * 100  # the template's role lines
    return roles + list(pretrain_texts) + [message["content"] for example in train for message in example["messages"]]


def _check_inputs(train: Sequence[ChatExample], config: StudentTrainingConfig) -> None:
    if not train:
        raise InputDataError("train_student: no training examples")
    if config.distillation == "distillm2" and config.resolved_method == "qlora":
        raise InputDataError("distillation 'distillm2' with method 'qlora' is not supported; use 'lora'")


def _schedule(optimizer: Any, config: StudentTrainingConfig, total: int) -> Any:
    from transformers import get_cosine_schedule_with_warmup

    return get_cosine_schedule_with_warmup(optimizer, min(config.warmup_steps, max(total - 1, 0)), total)


def _optimizer(model: Any, config: StudentTrainingConfig) -> Any:
    import torch

    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.resolved_learning_rate, betas=(0.9, 0.95))


def mean_target_loss(run: _Run, encoded: Sequence[EncodedExample]) -> float:
    """Token-weighted mean cross-entropy on target tokens (assistant tokens) over `encoded`."""
    import torch

    if not encoded:
        return float("nan")
    model = run.model
    was_training = model.training
    model.eval()
    order = sorted(range(len(encoded)), key=lambda index: len(encoded[index].input_ids))
    total, count = 0.0, 0
    with torch.no_grad(), autocast(run.device, run.bf16):
        for start in range(0, len(order), EVAL_BATCH_SIZE):
            batch = collate([encoded[i] for i in order[start : start + EVAL_BATCH_SIZE]], run.tokenizer.pad_token_id)
            batch = {key: value.to(run.device) for key, value in batch.items()}
            total += float(target_cross_entropy(model, batch, reduction="sum"))
            count += int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
    model.train(was_training)
    return total / max(count, 1)


# ---------------------------------------------------------------- one optimisation step


def _logits(model: Any, batch: dict[str, Any]) -> Any:
    return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits


def _teacher_logits(run: _Run, batch: dict[str, Any]) -> Any:
    import torch

    with torch.no_grad():
        return _logits(run.teacher, batch)


def _student_responses(run: _Run, items: Sequence[EncodedExample]) -> list[EncodedExample]:
    """The student's own greedy continuations of the batch's prompts (DistiLLM-2's negative side)."""
    import torch

    tokenizer, pad = run.tokenizer, run.tokenizer.pad_token_id
    prompts = [item.input_ids[: item.prompt_length] for item in items]
    width = max(len(prompt) for prompt in prompts)
    ids = torch.full((len(prompts), width), pad, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt) :] = torch.tensor(prompt)
        mask[row, width - len(prompt) :] = 1
    run.model.eval()
    with torch.no_grad():
        out = run.model.generate(
            input_ids=ids.to(run.device),
            attention_mask=mask.to(run.device),
            max_new_tokens=DISTILLM2_MAX_NEW_TOKENS,
            do_sample=False,
            pad_token_id=pad,
            eos_token_id=tokenizer.eos_token_id,
        )
    run.model.train()
    responses = []
    for prompt, generated in zip(prompts, out[:, width:].tolist()):
        if tokenizer.eos_token_id in generated:
            generated = generated[: generated.index(tokenizer.eos_token_id) + 1]
        generated = generated or [tokenizer.eos_token_id]
        responses.append(EncodedExample(prompt + generated, [-100] * len(prompt) + generated, len(prompt), "student"))
    return responses


def _to_device(batch: dict[str, Any], device: str) -> dict[str, Any]:
    return {key: value.to(device) for key, value in batch.items()}


def step_loss(run: _Run, items: Sequence[EncodedExample], pretraining: bool) -> tuple[Any, int]:
    """The loss of one batch for the configured distillation mode, and the tokens it processed."""
    with autocast(run.device, run.bf16):
        return _step_loss(run, items, pretraining)


def _step_loss(run: _Run, items: Sequence[EncodedExample], pretraining: bool) -> tuple[Any, int]:
    from resources.student.losses import distillm2_loss, gkd_loss

    pad = run.tokenizer.pad_token_id
    batch = _to_device(collate(items, pad), run.device)
    tokens = int(batch["attention_mask"].sum())
    mode = "sft" if pretraining else run.config.distillation
    if mode == "sft":
        return target_cross_entropy(run.model, batch), tokens
    student = _logits(run.model, batch)
    teacher = _teacher_logits(run, batch)
    if mode == "gkd":
        return gkd_loss(student, teacher, batch["labels"], beta=run.config.gkd_beta), tokens
    own = _to_device(collate(_student_responses(run, items), pad), run.device)
    loss = distillm2_loss(
        student,
        teacher,
        batch["labels"],
        _logits(run.model, own),
        _teacher_logits(run, own),
        own["labels"],
        alpha=run.config.distillm2_alpha,
    )
    return loss, tokens + int(own["attention_mask"].sum())


# ---------------------------------------------------------------- checkpoints


def _checkpoint_dirs(output_dir: Path) -> list[Path]:
    root = output_dir / CHECKPOINTS_DIR
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith("step-") and (p / "state.pt").is_file()]
    return sorted(found, key=lambda p: int(p.name.removeprefix("step-")))


def _save_checkpoint(run: _Run, optimizer: Any, scheduler: Any, progress: _Progress, output_dir: Path) -> None:
    import random

    import torch
    from safetensors.torch import save_file

    root = output_dir / CHECKPOINTS_DIR
    final = root / f"step-{progress.step}"
    partial = root / f".partial-step-{progress.step}-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    save_file(trainable_state(run.model), str(partial / "trainable.safetensors"))
    state = {
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "python_rng": list(random.getstate()[1]),
        "progress": {"step": progress.step, "losses": progress.losses, "tokens": progress.tokens},
        "progress_seconds": progress.seconds,
    }
    torch.save(state, partial / "state.pt")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
    for old in _checkpoint_dirs(output_dir)[:-1]:
        shutil.rmtree(old, ignore_errors=True)


def _restore_checkpoint(run: _Run, optimizer: Any, scheduler: Any, directory: Path) -> _Progress:
    import torch
    from safetensors.torch import load_file

    weights = load_file(str(directory / "trainable.safetensors"), device=run.device)
    missing = set(weights) - {name for name, _ in run.model.named_parameters()}
    if missing:
        raise InputDataError(f"checkpoint {directory}: does not match this model ({sorted(missing)[:3]} …)")
    run.model.load_state_dict(weights, strict=False)
    state = torch.load(directory / "state.pt", weights_only=True)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    saved = state["progress"]
    return _Progress(saved["step"], list(saved["losses"]), saved["tokens"], float(state["progress_seconds"]))


# ---------------------------------------------------------------- the run


def _replace_dir(source_save: Callable[[Path], Any], target: Path) -> Path:
    partial = target.with_name(f".partial-{target.name}-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    source_save(partial)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    return target


def _copy_curriculum(run: _Run, sft_steps: int) -> tuple[list[list[EncodedExample]], list[list[EncodedExample]]]:
    """The builtin student's copy batches: the warm-up ones and one per `copy_every` SFT steps."""
    config = run.config
    if not config.is_builtin or (not config.copy_every and not config.copy_warmup_steps):
        return [], []
    between = sft_steps // config.copy_every if config.copy_every else 0
    batches = copy_batches(
        config.copy_warmup_steps + between, len(run.tokenizer), config.copy_batch_size, config.copy_length, config.seed
    )
    return batches[: config.copy_warmup_steps], batches[config.copy_warmup_steps :]


def _task_batches(examples: Sequence[EncodedExample], steps: int, config: StudentTrainingConfig, seed: int) -> Any:
    plan = batch_plan([len(e.input_ids) for e in examples], config.batch_size, steps, seed) if examples else []
    return iter([[examples[i] for i in batch] for batch in plan])


def _qa_steps(config: StudentTrainingConfig, share: float) -> list[bool | None]:
    """Per SFT step: True (a QA batch) / False (another task's) inside `qa_window`, None (mixed) outside it."""
    first, last = (round(fraction * config.sft_steps) for fraction in config.qa_window)
    return [
        math.floor((step - first + 1) * share) > math.floor((step - first) * share) if first <= step < last else None
        for step in range(config.sft_steps)
    ]


def sft_batches(sft: Sequence[EncodedExample], config: StudentTrainingConfig) -> list[list[EncodedExample]]:
    """The `sft_steps` SFT batches: inside the `qa_window` fractions of the steps, `qa_share` of the batches are
    QA batches and the rest batches of the other tasks, interleaved evenly (a QA step whenever the running QA
    count falls behind the share); outside the window, batches of all examples alike. Where one side has no
    examples the other fills its steps."""
    qa = [e for e in sft if e.task == "qa"]
    other = [e for e in sft if e.task != "qa"]
    kinds = _qa_steps(config, config.qa_share if qa and other else float(bool(qa)))
    mixed = _task_batches(sft, kinds.count(None), config, config.seed + 1)
    qa_batches = _task_batches(qa, kinds.count(True), config, config.seed + 2)
    other_batches = _task_batches(other, kinds.count(False), config, config.seed + 3)
    return [next(mixed if kind is None else qa_batches if kind else other_batches) for kind in kinds]


def _phases(
    run: _Run, train: Sequence[ChatExample], pretrain_texts: Sequence[str]
) -> tuple[list[tuple[list[EncodedExample], bool]], Any]:
    """The whole deterministic plan: (batch, plain loss?) — copy warm-up, pretraining blocks, then the SFT
    batches with a copy batch after every `copy_every` of them. The copy warm-up comes first: with the 20
    pretraining steps before it, the demo's student never learned the bullets' form (0 of 16 schema-valid vs
    16 of 16 without them; docs/benchmarks.md)."""
    config, tokenizer = run.config, run.tokenizer
    sft, stats = encode_examples(tokenizer, train, config.max_length)
    warmup, between = _copy_curriculum(run, config.sft_steps)
    plan: list[tuple[list[EncodedExample], bool]] = [(batch, True) for batch in warmup]
    if config.is_builtin and config.pretrain_steps and pretrain_texts:
        blocks = pack_texts(tokenizer, pretrain_texts, config.max_length)
        for batch in batch_plan(
            [len(b.input_ids) for b in blocks], config.batch_size, config.pretrain_steps, config.seed
        ):
            plan.append(([blocks[i] for i in batch], True))
    for step, batch in enumerate(sft_batches(sft, config), start=1):
        plan.append((batch, False))
        if config.copy_every and step % config.copy_every == 0 and between:
            plan.append((between.pop(0), True))
    return plan, stats


def train_student(
    train: Sequence[ChatExample],
    validation: Sequence[ChatExample],
    pretrain_texts: Sequence[str],
    config: StudentTrainingConfig,
    output_dir: Path,
    log_metric: MetricLogger | None = None,
    resume: bool = True,
) -> TrainingResult:
    """Train the student as configured; see the module docstring. Writes output_dir/{tokenizer,untrained,model}."""
    import torch
    from tqdm.auto import tqdm

    started = time.perf_counter()
    _check_inputs(train, config)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if not resume:
        shutil.rmtree(output_dir / CHECKPOINTS_DIR, ignore_errors=True)
    device = training_device()
    tokenizer = student_tokenizer(config, _tokenizer_texts(train, pretrain_texts), output_dir)
    run = _Run(config, student_model(config, tokenizer, device), tokenizer, device)
    run.bf16 = use_bf16(config.bf16, device)
    untrained_dir = _replace_dir(lambda d: save_student(run.model, tokenizer, d), output_dir / "untrained")
    if config.distillation != "sft":
        run.teacher = load_teacher(str(config.teacher_path), device, tokenizer)
    validation_encoded, _ = encode_examples(tokenizer, validation, config.max_length)
    untrained_loss = mean_target_loss(run, validation_encoded)
    plan, stats = _phases(run, train, pretrain_texts)
    optimizer = _optimizer(run.model, config)
    scheduler = _schedule(optimizer, config, len(plan))
    checkpoints = _checkpoint_dirs(output_dir) if resume else []
    progress = _restore_checkpoint(run, optimizer, scheduler, checkpoints[-1]) if checkpoints else _Progress()
    resumed_from = progress.step
    if not checkpoints:
        torch.manual_seed(config.seed)
    run.model.train()
    bar = tqdm(total=len(plan), initial=progress.step, desc="student training", unit="step")
    for items, pretraining in plan[progress.step :]:
        tick = time.perf_counter()
        loss, tokens = step_loss(run, items, pretraining)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise FloatingPointError(f"student training: loss is {value} at step {progress.step + 1}")
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in run.model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        progress.step += 1
        progress.losses.append(value)
        progress.tokens += tokens
        progress.seconds += time.perf_counter() - tick
        bar.update(1)
        bar.set_postfix(loss=f"{value:.3f}", phase=items[0].task if pretraining else config.distillation)
        if log_metric is not None:
            log_metric("train_loss", value, progress.step)
        if config.checkpoint_every and progress.step % config.checkpoint_every == 0 and progress.step < len(plan):
            _save_checkpoint(run, optimizer, scheduler, progress, output_dir)
    bar.close()
    validation_loss = mean_target_loss(run, validation_encoded)
    if log_metric is not None:
        log_metric("validation_loss", validation_loss, progress.step)
        log_metric("untrained_validation_loss", untrained_loss, progress.step)
    model_dir = _replace_dir(lambda d: save_student(run.model, tokenizer, d), output_dir / "model")
    shutil.rmtree(output_dir / CHECKPOINTS_DIR, ignore_errors=True)
    parameters, trainable = parameter_counts(run.model)
    return TrainingResult(
        model_dir=model_dir,
        untrained_dir=untrained_dir,
        train_losses=progress.losses,
        validation_loss=validation_loss,
        untrained_validation_loss=untrained_loss,
        tokens_per_second=progress.tokens / max(progress.seconds, 1e-9),
        wall_seconds=time.perf_counter() - started,
        parameters=parameters,
        trainable_parameters=trainable,
        steps=progress.step,
        prompt_truncated=stats.prompt_truncated,
        target_truncated=stats.target_truncated,
        resumed_from_step=resumed_from,
    )
