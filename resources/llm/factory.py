"""Build an LLM backend from a short spec string: "extractive" or "hf:/path/to/model".

Used by the CLI (`--teacher`) and by resource configuration. A bad spec is an input error the user
can fix (`InputDataError`), reported with the accepted forms.
"""

from __future__ import annotations

from typing import Any

from resources.errors import InputDataError
from resources.llm.base import LLMBackend

EXTRACTIVE_SPEC = "extractive"
HF_PREFIX = "hf:"
_HF_OPTIONS = frozenset({"batch_size", "quantization", "device", "fallback", "max_input_tokens", "trust_remote_code"})


def backend_from_spec(spec: str, **options: Any) -> LLMBackend:
    """The backend named by `spec`; `options` go to its constructor (unknown ones are an error).

    "extractive" → `ExtractiveTeacher` (options: tokenizer, config);
    "hf:PATH" → `HFCausalLM(PATH, ...)` (options: batch_size, quantization, device, fallback,
    max_input_tokens, trust_remote_code). Options whose value is None are ignored.
    """
    spec = (spec or "").strip()
    options = {key: value for key, value in options.items() if value is not None}
    if spec == EXTRACTIVE_SPEC:
        return _extractive(options)
    if spec.startswith(HF_PREFIX) and spec[len(HF_PREFIX) :].strip():
        return _hf(spec[len(HF_PREFIX) :].strip(), options)
    raise InputDataError(f"unknown teacher/backend spec {spec!r}: expected 'extractive' or 'hf:/path/to/model'")


def _extractive(options: dict[str, Any]) -> LLMBackend:
    """The offline extractive teacher; HF-only options (batch_size, fallback, …) are accepted and ignored."""
    from resources.llm.extractive import ExtractiveTeacher

    unknown = set(options) - {"tokenizer", "config"} - _HF_OPTIONS
    if unknown:
        raise InputDataError(f"unknown option(s) for the extractive backend: {', '.join(sorted(unknown))}")
    return ExtractiveTeacher(tokenizer=options.get("tokenizer"), config=options.get("config"))


def _hf(path: str, options: dict[str, Any]) -> LLMBackend:
    """A local Hugging Face causal LM."""
    from resources.llm.hf import HFCausalLM

    unknown = set(options) - _HF_OPTIONS
    if unknown:
        raise InputDataError(f"unknown option(s) for the hf backend: {', '.join(sorted(unknown))}")
    return HFCausalLM(path, **options)
