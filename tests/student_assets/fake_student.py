"""A stand-in for `resources.student.training` / `.generation` with the contract's signatures, so the
assets' own code (MLflow logging, registry, evaluation table, gate, bullets) is tested in seconds.

The fake "trained" model answers a QA prompt with the first sentence of its first context; the untrained
one answers nothing; neither writes valid bullets JSON. Losses fall step by step, so the checks pass."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from assets.distillation.student_metrics import first_sentence
from resources.student.generation import Sampling  # the real one: retries pass it to the fake generator
from resources.student.training import TrainingResult  # the real result type, so the fake cannot drift


def train_student(
    train: Any,
    validation: Any,
    pretrain_texts: Any,
    config: Any,
    output_dir: Path,
    log_metric: Any = None,
    resume: bool = True,
) -> TrainingResult:
    """Writes two model folders and reports a falling loss through `log_metric`."""
    dirs = {}
    for name, mode in (("model", "first_sentence"), ("untrained", "silent")):
        dirs[name] = output_dir / name
        dirs[name].mkdir(parents=True, exist_ok=True)
        (dirs[name] / "fake.json").write_text(json.dumps({"mode": mode, "examples": len(train)}), encoding="utf-8")
    losses = [4.0 - 0.5 * step for step in range(config.sft_steps)]
    for step, loss in enumerate(losses):
        if log_metric is not None:
            log_metric("train_loss", loss, step)
    return TrainingResult(dirs["model"], dirs["untrained"], losses, 1.5, 4.2, 1000.0, 0.1, 10, 10, len(losses))


class StudentGenerator:
    calls: list[dict[str, Any]] = []  # per generate call: copy, each conversation's last role, phrases, sampling

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.last_tokens_per_second = 0.0

    @classmethod
    def load(cls, model_dir: Path) -> StudentGenerator:
        return cls(json.loads((Path(model_dir) / "fake.json").read_text(encoding="utf-8"))["mode"])

    def generate(
        self,
        conversations: Any,
        max_new_tokens: int = 256,
        copy_from_prompt: bool = False,
        copy_phrases: Any = None,
        sampling: Sampling | None = None,
    ) -> list[str]:
        self.last_tokens_per_second = 123.0
        roles = [conversation[-1]["role"] for conversation in conversations]
        phrases = [list(copy_phrases(conversation)) for conversation in conversations] if copy_phrases else None
        StudentGenerator.calls.append(
            {"copy_from_prompt": copy_from_prompt, "last_roles": roles, "phrases": phrases, "sampling": sampling}
        )
        if self.mode == "silent":
            return ["" for _ in conversations]
        outputs = []
        for conversation in conversations:
            match = re.search(r"^\[1\] (.*)$", conversation[-1]["content"], flags=re.MULTILINE)
            outputs.append(first_sentence(match.group(1)) if match else '{"category": "broken"')
        return outputs


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `from resources.student.training import train_student` (and the generator) find the fakes."""
    training = types.ModuleType("resources.student.training")
    training.train_student = train_student
    generation = types.ModuleType("resources.student.generation")
    generation.StudentGenerator = StudentGenerator
    generation.Sampling = Sampling
    monkeypatch.setitem(sys.modules, "resources.student.training", training)
    monkeypatch.setitem(sys.modules, "resources.student.generation", generation)
