"""Distillation group: synthetic questions, teacher answers, SFT data, student model."""
