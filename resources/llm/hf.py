"""Hugging Face causal LM backend: any local model directory, batched left-padded generation.

`HFCausalLM` loads `AutoModelForCausalLM`/`AutoTokenizer` from a local directory only
(`local_files_only=True`; nothing is ever downloaded) on first use. Prompts go through the
tokenizer's chat template (a plain format when it has none), are left-padded in batches of
`batch_size` (sorted by length to waste less padding) and only the newly generated tokens are
decoded. bf16 on CUDA, float32 on CPU; 8-bit/4-bit through bitsandbytes only on CUDA.
Problems the user can fix (no CUDA for quantization, missing directory or files, out of memory)
raise `BackendUnavailableError` naming the path before any step starts generating, or, with
`fallback="extractive"`, log a warning and answer with the extractive teacher instead.
torch and transformers are imported inside the methods that need them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from resources.llm.base import (
    BackendUnavailableError,
    GenerationParams,
    GenerationRequest,
    LLMBackend,
    Message,
    apply_stop,
    plain_chat_format,
)

logger = logging.getLogger(__name__)

QUANTIZATION_MODES: tuple[str, ...] = ("8bit", "4bit")
FALLBACK_MODES: tuple[str, ...] = ("extractive",)
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "tokenizer_config.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


def cuda_available() -> bool:
    """True when torch sees a CUDA device (imports torch)."""
    import torch

    return bool(torch.cuda.is_available())


def check_model_dir(path: Path) -> None:
    """Raise `BackendUnavailableError` unless `path` looks like a saved causal LM (config, weights, tokenizer)."""
    if not path.is_dir():
        raise BackendUnavailableError(f"model directory not found: {path}")
    names = {p.name for p in path.iterdir()}
    missing = []
    if "config.json" not in names:
        missing.append("config.json")
    if not any(name.endswith(_WEIGHT_SUFFIXES) for name in names):
        missing.append("model weights (*.safetensors or *.bin)")
    if not names.intersection(_TOKENIZER_FILES):
        missing.append("tokenizer files (tokenizer.json or tokenizer_config.json)")
    if missing:
        raise BackendUnavailableError(f"model directory {path} is missing {', '.join(missing)}")


def check_quantization(quantization: str | None) -> None:
    """Raise `BackendUnavailableError` when `quantization` cannot run here (unknown, no CUDA, no bitsandbytes)."""
    if quantization is None:
        return
    if quantization not in QUANTIZATION_MODES:
        raise BackendUnavailableError(
            f"unknown quantization {quantization!r}; expected one of {', '.join(QUANTIZATION_MODES)}"
        )
    if not cuda_available():
        raise BackendUnavailableError(
            f"{quantization} quantization needs a CUDA GPU (bitsandbytes); none is available here. "
            "Run without quantization on CPU, or set fallback='extractive'."
        )
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as error:
        raise BackendUnavailableError(
            f"{quantization} quantization needs bitsandbytes: install the 'gpu' extra (pip install 'kodistill[gpu]')"
        ) from error


class HFCausalLM:
    """A local Hugging Face causal LM behind the `LLMBackend` interface."""

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        batch_size: int = 8,
        quantization: str | None = None,
        device: str = "auto",
        fallback: str | None = None,
        max_input_tokens: int | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        if fallback is not None and fallback not in FALLBACK_MODES:
            raise ValueError(f"unknown fallback {fallback!r}; expected one of {', '.join(FALLBACK_MODES)} or None")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model_path = Path(model_path).expanduser()
        self.batch_size = batch_size
        self.quantization = quantization
        self.device = device
        self.fallback = fallback
        self.max_input_tokens = max_input_tokens
        self.trust_remote_code = trust_remote_code
        self.name = f"hf:{self.model_path}"
        self.fallback_reason: str | None = None
        self._fallback_backend: LLMBackend | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._preflight()

    # -- availability ---------------------------------------------------------------------------

    def _preflight(self) -> None:
        """Check the model directory and quantization up front; fall back or raise clearly."""
        try:
            check_model_dir(self.model_path)
            check_quantization(self.quantization)
        except BackendUnavailableError as error:
            self._use_fallback_or_raise(error)

    def _use_fallback_or_raise(self, error: BackendUnavailableError) -> None:
        """Switch to the configured fallback backend with a warning, or re-raise `error`."""
        if self.fallback is None:
            raise error
        from resources.llm.extractive import ExtractiveTeacher

        logger.warning("HF backend %s unavailable (%s); falling back to %s", self.model_path, error, self.fallback)
        self.fallback_reason = str(error)
        self._fallback_backend = ExtractiveTeacher()
        self.name = self._fallback_backend.name

    @property
    def using_fallback(self) -> bool:
        """True when requests are answered by the fallback backend instead of the model."""
        return self._fallback_backend is not None

    # -- loading --------------------------------------------------------------------------------

    def _resolve_device(self) -> str:
        """`cuda` or `cpu` for device="auto", else the configured device."""
        if self.device != "auto":
            return self.device
        return "cuda" if cuda_available() else "cpu"

    def _load_kwargs(self, device: str) -> dict[str, Any]:
        """from_pretrained keyword arguments: local files only, dtype, quantization config."""
        import torch
        import transformers

        kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": self.trust_remote_code}
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
        kwargs["dtype" if (major, minor) >= (4, 56) else "torch_dtype"] = dtype
        if self.quantization is not None:
            kwargs["quantization_config"] = bnb_config(self.quantization)
            kwargs["device_map"] = {"": 0}
        return kwargs

    def _ensure_loaded(self) -> None:
        """Load tokenizer and model on first use; turn load failures into clear errors (or fallback)."""
        if self._model is not None or self._fallback_backend is not None:
            return
        try:
            self._load()
        except BackendUnavailableError as error:
            self._use_fallback_or_raise(error)

    def _load(self) -> None:
        """Load the tokenizer (left padding, a pad token) and the model in eval mode."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = self._resolve_device()
        try:
            tokenizer = AutoTokenizer.from_pretrained(
                self.model_path, local_files_only=True, trust_remote_code=self.trust_remote_code
            )
            model = AutoModelForCausalLM.from_pretrained(self.model_path, **self._load_kwargs(device))
        except torch.cuda.OutOfMemoryError as error:
            raise BackendUnavailableError(f"out of GPU memory loading {self.model_path}: {error}") from error
        except Exception as error:
            raise BackendUnavailableError(
                f"cannot load model from {self.model_path}: {type(error).__name__}: {error}"
            ) from error
        if self.quantization is None:
            model = model.to(device)
        model.eval()
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._tokenizer, self._model = tokenizer, model

    @property
    def tokenizer(self) -> Any:
        """The loaded tokenizer (loads on first access)."""
        self._ensure_loaded()
        return self._tokenizer

    def token_ids(self, strings: Sequence[str]) -> tuple[int, ...]:
        """Ids of the given vocabulary strings (e.g. image or tool tokens to ban); unknown ones skipped."""
        self._ensure_loaded()
        if self._tokenizer is None:
            return ()
        vocab = self._tokenizer.get_vocab()
        return tuple(vocab[s] for s in strings if s in vocab)

    # -- LLMBackend interface -------------------------------------------------------------------

    def format_chat(self, messages: Sequence[Message]) -> str:
        """The prompt string: the tokenizer's chat template, or a plain format when it has none."""
        self._ensure_loaded()
        if self._fallback_backend is not None:
            return self._fallback_backend.format_chat(messages)
        if getattr(self._tokenizer, "chat_template", None):
            return self._tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
        return plain_chat_format(messages)

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        """Generate one completion per request (only the new tokens, decoded), in request order."""
        params = params or GenerationParams()
        self._ensure_loaded()
        if self._fallback_backend is not None:
            return self._fallback_backend.generate(requests, params)
        prompts = [self.format_chat(r.messages) for r in requests]
        return self.generate_prompts(prompts, params)

    def generate_prompts(self, prompts: Sequence[str], params: GenerationParams | None = None) -> list[str]:
        """Generate from already formatted prompt strings; only the new tokens are decoded."""
        params = params or GenerationParams()
        self._ensure_loaded()
        if self._fallback_backend is not None:
            requests = [GenerationRequest(({"role": "user", "content": p},)) for p in prompts]
            return self._fallback_backend.generate(requests, params)
        token_ids = self.generate_token_ids(prompts, params)
        texts = self._tokenizer.batch_decode(token_ids, skip_special_tokens=True)
        return [apply_stop(text, params.stop) for text in texts]

    def generate_token_ids(self, prompts: Sequence[str], params: GenerationParams | None = None) -> list[list[int]]:
        """The generated token ids per prompt (up to, not including, the first end token), in input order.

        Prompts are sorted by length and cut into batches of `batch_size`, so each batch pads little.
        """
        params = params or GenerationParams()
        self._ensure_loaded()
        if self._fallback_backend is not None:
            raise BackendUnavailableError(f"no model loaded from {self.model_path}: {self.fallback_reason}")
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        outputs: list[list[int]] = [[] for _ in prompts]
        for start in range(0, len(order), self.batch_size):
            indices = order[start : start + self.batch_size]
            for index, ids in zip(
                indices, self._generate_with_oom_retry([prompts[i] for i in indices], params), strict=True
            ):
                outputs[index] = ids
        return outputs

    # -- generation -----------------------------------------------------------------------------

    def _generate_with_oom_retry(self, prompts: list[str], params: GenerationParams) -> list[list[int]]:
        """Generate one batch; on CUDA out-of-memory, split it in halves, down to single prompts."""
        import torch

        try:
            return self._generate_batch(prompts, params)
        except torch.cuda.OutOfMemoryError as error:
            torch.cuda.empty_cache()
            if len(prompts) == 1:
                raise BackendUnavailableError(
                    f"out of GPU memory generating with {self.model_path}: {error}"
                ) from error
            half = len(prompts) // 2
            logger.warning("out of GPU memory at batch size %d; retrying in halves", len(prompts))
            return self._generate_with_oom_retry(prompts[:half], params) + self._generate_with_oom_retry(
                prompts[half:], params
            )

    def _generate_batch(self, prompts: list[str], params: GenerationParams) -> list[list[int]]:
        """Left-pad, generate, and keep only the token ids after the (padded) prompt."""
        import torch

        tokenizer, model = self._tokenizer, self._model
        encoded = tokenizer(
            prompts,
            return_tensors="pt",
            padding=True,
            truncation=self.max_input_tokens is not None,
            max_length=self.max_input_tokens,
            add_special_tokens=False,
        ).to(model.device)
        if params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.inference_mode():
            generated = model.generate(**encoded, **generation_kwargs(params, tokenizer))
        new_tokens = generated[:, encoded["input_ids"].shape[1] :].tolist()
        stop_ids = {tokenizer.eos_token_id, tokenizer.pad_token_id} - {None}
        return [_until_stop(ids, stop_ids) for ids in new_tokens]


def _until_stop(ids: list[int], stop_ids: set[int]) -> list[int]:
    """Token ids up to the first end-of-sequence or padding id."""
    for position, token in enumerate(ids):
        if token in stop_ids:
            return ids[:position]
    return ids


def generation_kwargs(params: GenerationParams, tokenizer: Any) -> dict[str, Any]:
    """`model.generate` arguments for `params`: greedy or sampling, banned ids, pad/eos ids."""
    kwargs: dict[str, Any] = {
        "max_new_tokens": params.max_new_tokens,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "repetition_penalty": params.repetition_penalty,
    }
    if params.min_new_tokens > 0:
        kwargs["min_new_tokens"] = params.min_new_tokens
    if params.sampling:
        kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        if params.top_k > 0:
            kwargs["top_k"] = params.top_k
    else:
        kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
    if params.banned_token_ids:
        kwargs["bad_words_ids"] = [[int(i)] for i in params.banned_token_ids]
    return kwargs


def bnb_config(quantization: str) -> Any:
    """A bitsandbytes `BitsAndBytesConfig` for "8bit" (LLM.int8, threshold 6.0) or "4bit" (NF4, bf16 compute)."""
    import torch
    from transformers import BitsAndBytesConfig

    if quantization == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=6.0, llm_int8_has_fp16_weight=False)
    if quantization == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
    raise BackendUnavailableError(
        f"unknown quantization {quantization!r}; expected one of {', '.join(QUANTIZATION_MODES)}"
    )
