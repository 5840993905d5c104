"""LoRA on a local (tiny) HF model: adapter saved and reloaded with PEFT to equal outputs; gradient checkpointing
really reaches the adapters; QLoRA is refused clearly without CUDA."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.errors import InputDataError
from resources.student.encoding import encode_examples
from resources.student.modelling import save_student, student_model
from resources.student.training import _Run, step_loss, train_student
from tests.student.conftest import tiny_config


def _lora_run(tiny_hf_dir: Path, **overrides: object) -> _Run:
    from resources.student.modelling import load_tokenizer

    config = tiny_config(base=str(tiny_hf_dir), **overrides)
    tokenizer = load_tokenizer(tiny_hf_dir)
    return _Run(config, student_model(config, tokenizer, "cpu"), tokenizer, "cpu")


def test_gradient_checkpointing_back_propagates_into_the_adapters(tiny_hf_dir: Path, examples: list) -> None:
    run = _lora_run(tiny_hf_dir, gradient_checkpointing=True, learning_rate=None)
    assert run.config.resolved_method == "lora" and run.config.resolved_learning_rate == 1e-4
    assert run.model.base_model.model.is_activation_checkpointing
    run.model.train()
    encoded, _ = encode_examples(run.tokenizer, examples[:4], 96)
    loss, _ = step_loss(run, encoded, pretraining=False)
    loss.backward()
    adapters = {name: p for name, p in run.model.named_parameters() if "lora_" in name}
    assert adapters and all(p.requires_grad for p in adapters.values())
    frozen = [p for name, p in run.model.named_parameters() if "lora_" not in name]
    assert all(not p.requires_grad for p in frozen)
    lora_b = [p for name, p in adapters.items() if "lora_B" in name]
    assert all(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in lora_b)


def test_adapter_saved_and_reloaded_with_peft_gives_equal_outputs(tiny_hf_dir: Path, tmp_path: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    run = _lora_run(tiny_hf_dir)
    with torch.no_grad():
        for name, parameter in run.model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    run.model.eval()
    directory = save_student(run.model, run.tokenizer, tmp_path / "adapter")
    assert (directory / "adapter_model.safetensors").is_file() and not (directory / "model.safetensors").exists()
    reloaded = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_hf_dir), directory).eval()
    ids = torch.tensor([run.tokenizer("반품 기한은?", add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        expected, actual = run.model(ids).logits, reloaded(ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_hf_dir)(ids).logits
    assert torch.allclose(expected, actual, atol=1e-6)
    assert not torch.allclose(expected, base, atol=1e-3)


def test_lora_training_writes_an_adapter_that_generates(tiny_hf_dir: Path, tmp_path: Path, examples: list) -> None:
    from resources.student.generation import StudentGenerator

    config = tiny_config(base=str(tiny_hf_dir), sft_steps=4, learning_rate=1e-3)
    result = train_student(examples, examples[:2], [], config, tmp_path)
    assert (result.model_dir / "adapter_config.json").is_file()
    assert 0 < result.trainable_parameters < result.parameters and result.steps == 4  # no pretraining for HF bases
    assert len(StudentGenerator.load(result.model_dir).generate([examples[0]["messages"][:-1]], 8)) == 1


def test_qlora_without_cuda_is_refused_with_a_clear_error(tiny_hf_dir: Path, tmp_path: Path, examples: list) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the refusal is for CPU-only machines")
    with pytest.raises(InputDataError, match="'qlora' needs a CUDA GPU"):
        train_student(examples, [], [], tiny_config(base=str(tiny_hf_dir), method="qlora"), tmp_path)
