"""Sensors: new raw documents, feedback-triggered retraining, run-failure alerts."""
