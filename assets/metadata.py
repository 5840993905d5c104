"""Helpers every asset uses for its metadata: floats rounded for people, compute time, automation.

* `readable(x)` rounds a float to four significant digits (`224.78977…` → `224.8`);
* `Stopwatch` measures the time spent inside an asset function, recorded as `compute_seconds` so
  orchestration overhead can be measured from the event log (`benchmarks/orchestration_overhead.py`);
* `AUTOMATED` is the automation condition of most assets (Dagster's `eager`): materialize partitions
  that become missing, and whatever is downstream of an update, once upstream is complete and
  nothing is in progress;
* `AFTER_UPSTREAM` is `eager` without "newly missing", for per-document assets fed by an
  unpartitioned parent (`chunks`): a new document's questions wait until `chunks` holds the document
  instead of being made from the previous chunks.
"""

from __future__ import annotations

import math
import time
import warnings

import dagster as dg

# Single-run backfill policies are deliberate here (one step per range of documents); Dagster 1.13
# still labels the parameter beta and would warn in every process that loads the code location.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)

COMPUTE_SECONDS = "compute_seconds"
AUTOMATED = dg.AutomationCondition.eager()
AFTER_UPSTREAM = (
    dg.AutomationCondition.in_latest_time_window()
    & dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("eager_after_upstream")


def readable(value: float, digits: int = 4) -> float:
    """`value` rounded to `digits` significant digits (NaN and infinities unchanged)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


class Stopwatch:
    """Started when made; `seconds` is the time since then (rounded to milliseconds). An asset makes one
    first thing in its function and reads it while building its metadata, so `compute_seconds`
    covers the whole function body: everything that is not Dagster's own work."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return round(time.perf_counter() - self._started, 3)
