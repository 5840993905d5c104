"""A short builtin training run lowers the loss, resumes from its checkpoint to the same result, and generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.errors import InputDataError
from resources.student.encoding import EncodedExample, encode_examples
from resources.student.generation import StudentGenerator
from resources.student.modelling import student_tokenizer, use_bf16
from resources.student.training import _phases, _Run, mean_target_loss, sft_batches, train_student
from tests.student.conftest import PRETRAIN_TEXTS, tiny_config


class Interrupt(Exception):
    pass


def test_short_run_lowers_loss_and_logs_every_step(tmp_path: Path, examples: list) -> None:
    logged: list[tuple[str, float, int]] = []
    config = tiny_config()
    result = train_student(
        examples, examples[:4], PRETRAIN_TEXTS, config, tmp_path, log_metric=lambda *a: logged.append(a)
    )
    assert result.steps == len(result.train_losses) == config.pretrain_steps + config.sft_steps
    assert [step for name, _, step in logged if name == "train_loss"] == list(range(1, result.steps + 1))
    assert result.validation_loss < result.untrained_validation_loss - 1.0
    assert sum(result.train_losses[-5:]) / 5 < sum(result.train_losses[2:7]) / 5
    assert result.tokens_per_second > 0 and result.trainable_parameters == result.parameters > 0
    assert (result.model_dir / "model.safetensors").is_file() and (result.untrained_dir / "model.safetensors").is_file()
    assert not (tmp_path / "checkpoints").exists()
    reloaded = StudentGenerator.load(result.model_dir)  # the saved student is the trained one, token for token
    run = _Run(config, reloaded.model, reloaded.tokenizer, "cpu", bf16=use_bf16(config.bf16, "cpu"))
    encoded, _ = encode_examples(reloaded.tokenizer, examples[:4], config.max_length)
    assert mean_target_loss(run, encoded) == pytest.approx(result.validation_loss, rel=1e-4)


def test_generation_decodes_only_new_tokens_in_order(tmp_path: Path, examples: list) -> None:
    result = train_student(examples, examples[:2], PRETRAIN_TEXTS, tiny_config(sft_steps=60), tmp_path)
    generator = StudentGenerator.load(result.model_dir)
    conversations = [example["messages"][:-1] for example in examples[:3]]
    answers = generator.generate(conversations, max_new_tokens=24)
    assert len(answers) == 3 and all("<|im_start|>" not in answer and "system" not in answer for answer in answers)
    assert generator.generate(conversations[::-1], max_new_tokens=24) == answers[::-1]
    assert generator.last_tokens_per_second > 0


def test_interrupted_run_resumes_from_its_checkpoint_to_the_same_weights(tmp_path: Path, examples: list) -> None:
    config = tiny_config(sft_steps=12, checkpoint_every=5)
    full = train_student(examples, examples[:2], PRETRAIN_TEXTS, config, tmp_path / "full")

    def stop_at_step_8(name: str, value: float, step: int) -> None:
        if step == 8:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_student(examples, examples[:2], PRETRAIN_TEXTS, config, tmp_path / "cut", log_metric=stop_at_step_8)
    assert (tmp_path / "cut/checkpoints/step-5/trainable.safetensors").is_file()
    resumed = train_student(examples, examples[:2], PRETRAIN_TEXTS, config, tmp_path / "cut")
    assert resumed.resumed_from_step == 5
    assert resumed.train_losses == pytest.approx(full.train_losses, rel=1e-4)
    assert resumed.validation_loss == pytest.approx(full.validation_loss, rel=1e-4)


def test_bad_configs_are_named(tmp_path: Path, examples: list) -> None:
    with pytest.raises(ValueError, match="distillation 'gkd' needs teacher_path"):
        tiny_config(distillation="gkd")
    with pytest.raises(ValueError, match="method must be one of"):
        tiny_config(method="prefix")
    with pytest.raises(InputDataError, match="no config.json"):
        train_student(examples, [], [], tiny_config(base=str(tmp_path)), tmp_path / "out")
    with pytest.raises(InputDataError, match="no training examples"):
        train_student([], [], [], tiny_config(), tmp_path / "out")


def test_copy_curriculum_batches_are_planned_and_teach_copying(tmp_path: Path, examples: list) -> None:
    config = tiny_config(
        hidden_size=128,
        num_heads=4,
        sft_steps=6,
        copy_warmup_steps=150,
        copy_every=3,
        copy_batch_size=16,
        copy_length=12,
    )
    tokenizer = student_tokenizer(config, [text for example in examples for text in _texts(example)], tmp_path)
    run = _Run(config, None, tokenizer, "cpu")
    plan, _ = _phases(run, examples, PRETRAIN_TEXTS)
    kinds = [items[0].task for items, _ in plan]
    assert kinds[:150] == ["copy"] * 150 and kinds[150:152] == ["pretrain", "pretrain"]  # copy warm-up first
    assert [kind == "copy" for kind in kinds[152:]] == [False, False, False, True] * 2  # one after every third
    first = plan[0][0][0]
    assert first.input_ids[:12] == first.input_ids[12:] and first.labels[:12] == [-100] * 12
    assert first.labels[12:] == first.input_ids[12:] and min(first.input_ids) >= 3
    result = train_student(examples, examples[:4], PRETRAIN_TEXTS, config, tmp_path / "run")
    copy_losses = [loss for loss, kind in zip(result.train_losses, kinds) if kind == "copy"]
    assert sum(copy_losses[-10:]) / 10 < sum(copy_losses[:10]) / 10 - 1.0  # random tokens: only copying helps


def _texts(example: dict) -> list[str]:
    return [message["content"] for message in example["messages"]]


def _encoded(task: str, count: int) -> list[EncodedExample]:
    return [EncodedExample([i + 3] * (4 + i % 5), [i + 3] * (4 + i % 5), 0, task) for i in range(count)]


def test_qa_share_interleaves_task_pure_batches_evenly() -> None:
    sft = _encoded("qa", 10) + _encoded("bullets", 60) + _encoded("feedback", 6)
    batches = sft_batches(sft, tiny_config(sft_steps=12, qa_share=0.25, qa_window=(0.0, 1.0)))
    tasks = [{item.task for item in batch} for batch in batches]
    assert [task == {"qa"} for task in tasks] == [False, False, False, True] * 3  # a QA batch every fourth step
    assert all("qa" not in task for task in tasks if task != {"qa"}) and all(1 <= len(b) <= 4 for b in batches)
    assert sft_batches(sft, tiny_config(sft_steps=12, qa_share=0.25, qa_window=(0.0, 1.0))) == batches  # deterministic
    windowed = sft_batches(sft, tiny_config(sft_steps=10, qa_share=0.5, qa_window=(0.3, 0.7)))
    assert [{i.task for i in b} == {"qa"} for b in windowed[3:7]] == [False, True, False, True]
    assert [i.task for b in windowed[:3] + windowed[7:] for i in b].count("qa") < 6  # outside: as examples fall


def test_qa_share_without_one_task_uses_the_other_and_an_empty_window_keeps_the_mix() -> None:
    only_bullets = sft_batches(_encoded("bullets", 20), tiny_config(sft_steps=6, qa_share=0.5))
    assert len(only_bullets) == 6 and all(i.task == "bullets" for b in only_bullets for i in b)
    only_qa = sft_batches(_encoded("qa", 20), tiny_config(sft_steps=6, qa_share=0.5))
    assert len(only_qa) == 6 and all(i.task == "qa" for b in only_qa for i in b)
    mixed = sft_batches(_encoded("qa", 20) + _encoded("bullets", 20), tiny_config(sft_steps=10, qa_window=(0, 0)))
    assert len(mixed) == 10 and any({i.task for i in b} == {"qa", "bullets"} for b in mixed)  # batches mix tasks
    with pytest.raises(ValueError, match=r"qa_share must be in \[0, 1\], got 1.5"):
        tiny_config(qa_share=1.5)
    with pytest.raises(ValueError, match=r"qa_window must be two fractions 0 <= start <= end <= 1, got \(0.7, 0.3\)"):
        tiny_config(qa_window=(0.7, 0.3))
