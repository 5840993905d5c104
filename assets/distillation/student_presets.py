"""Named run-config presets of the student chain (dagster-nanochat style): `demo` is the assets' own
defaults (the builtin student in the demo's ~4-minute CPU budget), `ci` trains a miniature model for a
few steps so the whole distillation group materializes in tests within seconds.

`KODISTILL_STUDENT_PRESET` (read when the code location loads) makes a preset's values the `Config`
classes' defaults (`preset_default`), so every job — including the partitioned main job, whose job-level
default config Dagster does not apply to range runs — trains with it; tests set it to `ci`.
`student_ci_job` carries the `ci` values as its job config whatever the variable says."""

from __future__ import annotations

import os
from typing import Any

STUDENT_DEMO: dict[str, Any] = {}

STUDENT_CI: dict[str, Any] = {
    "ops": {
        "sft_dataset": {"config": {"bullets_seeds": 4, "samples_per_task": 1}},
        "student_model": {
            "config": {
                "pretrain_steps": 2,
                "sft_steps": 6,
                "batch_size": 4,
                "max_length": 256,
                "hidden_size": 64,
                "num_layers": 2,
                "num_heads": 2,
                "vocab_size": 600,
                "copy_warmup_steps": 2,
                "copy_every": 3,
            }
        },
        "student_evaluation": {
            "config": {
                "max_qa_examples": 4,
                "max_bullets_examples": 3,
                "qa_max_new_tokens": 12,
                "bullets_max_new_tokens": 48,
            }
        },
        "report_bullets": {"config": {"max_new_tokens": 48}},
    }
}

STUDENT_PRESETS: dict[str, dict[str, Any]] = {"demo": STUDENT_DEMO, "ci": STUDENT_CI}
PRESET_VARIABLE = "KODISTILL_STUDENT_PRESET"


def student_preset() -> dict[str, Any]:
    """The preset named by `KODISTILL_STUDENT_PRESET` (default `demo`); an unknown name is refused."""
    name = os.environ.get(PRESET_VARIABLE, "demo")
    if name not in STUDENT_PRESETS:
        raise ValueError(f"{PRESET_VARIABLE}={name!r} is not one of {sorted(STUDENT_PRESETS)}")
    return STUDENT_PRESETS[name]


def preset_default(op: str, field: str, default: Any) -> Any:
    """`default`, unless the active preset sets `field` of `op`'s config."""
    return student_preset().get("ops", {}).get(op, {}).get("config", {}).get(field, default)
