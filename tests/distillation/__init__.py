"""Tests of the distillation group: questions, teacher backends, grounding, checkpoints, CLI."""
