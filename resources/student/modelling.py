"""Loading, building, adapting and saving the student model (heavy imports inside the functions).

`student_tokenizer` trains the builtin tokenizer (or reuses the teacher's, so the logits of the two align) or
loads a local HF directory's; `student_model` builds the builtin Qwen2 or loads a local HF causal LM, then
wraps it in a LoRA adapter (PEFT) for "lora"/"qlora" — QLoRA loads the base in 4 bits through bitsandbytes
and is refused on a machine without CUDA. Gradient checkpointing uses the non-reentrant implementation and
makes the embedding outputs require grad, so gradients do reach the adapters. `save_student` writes
safetensors only: the full model, or the adapter whose config names its base directory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from resources.errors import InputDataError
from resources.student.builtin import build_builtin_model, train_tokenizer
from resources.student.config import StudentTrainingConfig

LORA_TARGET_MODULES: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TOKENIZER_DIR = "tokenizer"
PLAIN_TOKENIZER_CLASSES: frozenset[str] = frozenset({"TokenizersBackend", "PreTrainedTokenizerFast"})


def training_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def use_bf16(config_bf16: bool | None, device: str) -> bool:
    """Whether to compute in bfloat16: as configured, else on CUDA and on CPUs with native bf16 support."""
    import torch

    if config_bf16 is not None:
        return config_bf16
    return device == "cuda" or bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def autocast(device: str, enabled: bool) -> Any:
    """A bfloat16 autocast context for `device` (a no-op when not enabled)."""
    import torch

    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=enabled)


def check_local_model_dir(path: str, option: str) -> Path:
    """A local Hugging Face model directory (config.json present), or InputDataError naming `option`."""
    directory = Path(path)
    if not (directory / "config.json").is_file():
        raise InputDataError(f"{option} {path}: not a local Hugging Face model directory (no config.json)")
    return directory


def load_tokenizer(directory: str | Path) -> Any:
    """A saved tokenizer exactly as it was trained. A tokenizer saved as a plain `tokenizers` backend (the
    builtin one) is loaded as such: `AutoTokenizer` would follow the model directory's `model_type` (qwen2) and
    swap in Qwen2's own pre-tokenizer and normalizer, silently changing every token id."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    config_path = Path(directory) / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    if config.get("tokenizer_class") in PLAIN_TOKENIZER_CLASSES:
        return PreTrainedTokenizerFast.from_pretrained(directory)
    return AutoTokenizer.from_pretrained(directory)


def student_tokenizer(config: StudentTrainingConfig, texts: Sequence[str], output_dir: Path) -> Any:
    """The student's tokenizer, saved once under output_dir/tokenizer and reused on resume."""
    saved = output_dir / TOKENIZER_DIR
    if (saved / "tokenizer.json").is_file():
        return load_tokenizer(saved)
    if config.teacher_path and config.is_builtin:
        tokenizer = load_tokenizer(check_local_model_dir(config.teacher_path, "teacher_path"))
    elif config.is_builtin:
        tokenizer = train_tokenizer(texts, config.vocab_size)
    else:
        tokenizer = load_tokenizer(check_local_model_dir(config.base, "base"))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.save_pretrained(saved)
    return tokenizer


def _quantization(config: StudentTrainingConfig) -> Any:
    import torch

    if not torch.cuda.is_available():
        raise InputDataError("method 'qlora' needs a CUDA GPU (bitsandbytes 4-bit); none here — use method 'lora'")
    try:
        from transformers import BitsAndBytesConfig
    except ImportError as error:  # pragma: no cover - transformers always has it
        raise InputDataError(f"method 'qlora': {error}") from error
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as error:
        raise InputDataError("method 'qlora' needs bitsandbytes: pip install -e '.[gpu]'") from error
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def _base_model(config: StudentTrainingConfig, tokenizer: Any, device: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    if config.is_builtin:
        return build_builtin_model(tokenizer, config).to(device)
    method = config.resolved_method
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if device == "cuda" else torch.float32}
    if method == "qlora":
        kwargs.update(quantization_config=_quantization(config), device_map={"": 0})
    model = AutoModelForCausalLM.from_pretrained(check_local_model_dir(config.base, "base"), **kwargs)
    return model if method == "qlora" else model.to(device)


def student_model(config: StudentTrainingConfig, tokenizer: Any, device: str) -> Any:
    """The model to train: full (builtin or HF) or wrapped in a seeded LoRA adapter."""
    import torch

    torch.manual_seed(config.seed)
    model = _base_model(config, tokenizer, device)
    method = config.resolved_method
    if method == "qlora" and not config.is_builtin:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=config.gradient_checkpointing)
    if config.gradient_checkpointing:
        enable_gradient_checkpointing(model)
    if method in ("lora", "qlora"):
        model = add_lora(model, config)
    return model


def enable_gradient_checkpointing(model: Any) -> None:
    """Non-reentrant checkpointing plus input grads: with frozen embeddings (LoRA) the reentrant variant
    would see no input requiring grad and the adapters would get none ("does not require grad")."""
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model.enable_input_require_grads()
    model.config.use_cache = False


def add_lora(model: Any, config: StudentTrainingConfig) -> Any:
    """A PEFT LoRA adapter (r, alpha, dropout from config) on every attention and MLP projection."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(config.seed)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(LORA_TARGET_MODULES),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def is_adapter(model: Any) -> bool:
    return hasattr(model, "peft_config")


def save_student(model: Any, tokenizer: Any, directory: Path) -> Path:
    """Write a from_pretrained-loadable directory (safetensors): the full model or the LoRA adapter."""
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def trainable_state(model: Any) -> dict[str, Any]:
    """The trainable parameters (the whole model when full, the adapter for LoRA), ready for safetensors."""
    return {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def parameter_counts(model: Any) -> tuple[int, int]:
    """(all parameters, trainable parameters); tied weights counted once."""
    params = list(model.parameters())
    return sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad)


def load_teacher(path: str, device: str, tokenizer: Any) -> Any:
    """The teacher for gkd/distillm2: a local HF causal LM whose tokenizer must equal the student's."""
    import torch
    from transformers import AutoModelForCausalLM

    directory = check_local_model_dir(path, "teacher_path")
    teacher_vocab = load_tokenizer(directory).get_vocab()
    if teacher_vocab != tokenizer.get_vocab():
        raise InputDataError(
            f"teacher_path {path}: its tokenizer differs from the student's; logits cannot be compared"
        )
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    teacher = AutoModelForCausalLM.from_pretrained(directory, dtype=dtype).to(device).eval()
    for parameter in teacher.parameters():
        parameter.requires_grad_(False)
    return teacher
