"""`training_config`: the asset's `StudentModelConfig` → the trainer's `StudentTrainingConfig` (-1 keeps defaults;
the QA window's two fields form one tuple; a bad value fails the asset naming the field)."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.config import StudentModelConfig
from assets.distillation.student_assets import training_config
from resources.student.config import StudentTrainingConfig


def test_unset_fields_keep_the_trainers_defaults() -> None:
    config = training_config(StudentModelConfig())
    defaults = StudentTrainingConfig()
    assert (config.qa_share, config.qa_window) == (defaults.qa_share, defaults.qa_window)


def test_the_qa_window_is_set_from_either_end() -> None:
    default_end = StudentTrainingConfig().qa_window[1]
    assert training_config(StudentModelConfig(qa_window_start=0.1)).qa_window == (0.1, default_end)
    assert training_config(StudentModelConfig(qa_window_start=0.0, qa_window_end=0.0, qa_share=0.25)).qa_window == (
        0.0,
        0.0,
    )


def test_a_bad_qa_window_fails_naming_it() -> None:
    with pytest.raises(dg.Failure, match="student_model config: qa_window must be two fractions"):
        training_config(StudentModelConfig(qa_window_start=0.8, qa_window_end=0.2))
