"""Code location for the daemon-driven sensor tests: the real feedback assets, retraining job and sensor.

Only the machine-load reader is replaced: it reads `KODISTILL_TEST_LOAD_FILE` (JSON with cpu, memory,
gpu and `raise`), low load when the file is absent, so a test can make ticks busy or make them raise
without depending on how busy the shared test machine is. The store is `KODISTILL_FEEDBACK_URL`.
"""

import json
import os
from pathlib import Path

import dagster as dg

from assets.feedback import assets as feedback_assets
from orchestration.jobs import retraining_job
from resources.feedback_resource import FeedbackStoreResource
from resources.machine_load import MachineLoad
from sensors.feedback import build_feedback_retraining_sensor

MIN_INTERVAL_SECONDS = 1  # the daemon treats 0 as its 30 s default; tests wait this long between ticks


def load_from_file() -> MachineLoad:
    path = Path(os.environ.get("KODISTILL_TEST_LOAD_FILE", "/nonexistent"))
    values = json.loads(path.read_text()) if path.is_file() else {}
    if values.get("raise"):
        raise RuntimeError("load reader failed (test)")
    return MachineLoad(values.get("cpu", 5.0), values.get("memory", 5.0), values.get("gpu"))


defs = dg.Definitions(
    assets=dg.load_assets_from_modules([feedback_assets]),
    jobs=[retraining_job],
    sensors=[
        build_feedback_retraining_sensor(load_reader=load_from_file, minimum_interval_seconds=MIN_INTERVAL_SECONDS)
    ],
    resources={"feedback_store": FeedbackStoreResource(url=dg.EnvVar("KODISTILL_FEEDBACK_URL"))},
)
