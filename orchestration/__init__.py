"""Dagster wiring of kodistill: the one Definitions, jobs, schedules, partitions, CLI and presets."""
