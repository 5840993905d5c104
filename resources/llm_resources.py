"""Dagster resources for the language-model backends: the teacher and the question generator.

Each is chosen by configuration: the offline implementation (extractive teacher, template questions)
by default, or a Hugging Face causal LM from a local directory (`model_path`, typically set through
`EnvVar`, e.g. `KODISTILL_TEACHER_PATH`). Backends are built once per process and configuration and
reused by every partition of a run. Construction itself goes through `backend_from_spec`, the one
factory the CLI uses too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from resources.korean import KoreanTokenizer
from resources.llm.base import LLMBackend
from resources.llm.factory import backend_from_spec


@lru_cache(maxsize=4)
def _cached_backend(spec: str, quantization: str, fallback: str, batch_size: int, tokenizer: object) -> LLMBackend:
    extractive = spec == "extractive"
    return backend_from_spec(
        spec,
        tokenizer=tokenizer if extractive else None,
        quantization=quantization or None,
        fallback=fallback or None,
        batch_size=None if extractive else batch_size,
    )


class TeacherResource(ConfigurableResource):
    """The backend that answers questions from retrieved contexts."""

    kind: Literal["extractive", "hf"] = Field(default="extractive", description="'extractive' (offline) or 'hf'.")
    model_path: str = Field(default="", description="Local Hugging Face model directory (kind 'hf').")
    quantization: Literal["", "8bit", "4bit"] = Field(default="", description="bitsandbytes quantization (CUDA only).")
    fallback: Literal["", "extractive"] = Field(
        default="extractive", description="Backend used when the hf model cannot load; '' fails instead."
    )
    batch_size: int = Field(default=8, ge=1, description="Generation batch size of an hf model.")

    def spec(self) -> str:
        """'extractive' or 'hf:PATH', the form the CLI's --teacher takes."""
        if self.kind == "extractive":
            return "extractive"
        if not self.model_path:
            raise ValueError("TeacherResource: kind 'hf' needs model_path (a local model directory)")
        return f"hf:{self.model_path}"

    def get(self, tokenizer: KoreanTokenizer | None = None) -> LLMBackend:
        """The process-wide backend for this configuration."""
        return _cached_backend(self.spec(), self.quantization, self.fallback, self.batch_size, tokenizer)


class QuestionGeneratorResource(ConfigurableResource):
    """Who writes synthetic questions: templates (offline) or a local Hugging Face model."""

    kind: Literal["template", "hf"] = Field(default="template", description="'template' (offline) or 'hf'.")
    model_path: str = Field(default="", description="Local Hugging Face model directory (kind 'hf').")
    temperatures: list[float] = Field(default=[0.1, 0.3, 0.4], description="Sampling temperatures rotated over chunks.")
    fallback: Literal["", "extractive"] = Field(
        default="extractive", description="When the hf model cannot load: 'extractive' uses templates; '' fails."
    )

    def get(self) -> LLMBackend | None:
        """The model that writes questions, or None when templates write them. A model that could not
        load and fell back reports it through `using_fallback` / `fallback_reason`."""
        if self.kind == "template":
            return None
        if not self.model_path:
            raise ValueError("QuestionGeneratorResource: kind 'hf' needs model_path (a local model directory)")
        return _cached_backend(f"hf:{self.model_path}", "", self.fallback, 8, None)
