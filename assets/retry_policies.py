"""Retry policies for steps, in one place, and the rule for errors that must not be retried.

* `BACKEND_RETRY`: steps that call an outside backend (a database, a model server, a teacher):
  3 retries, 10 s → 20 s → 40 s (exponential, ± jitter so parallel steps do not retry in lockstep).
  Protects against a database restart, a dropped connection, a model server that is briefly busy.
* `TRAINING_RETRY`: training and evaluation steps: 2 retries, 60 s → 120 s. Protects against a
  transient device error or a killed worker; long enough for a busy GPU to free memory.
* `non_retryable_errors()`: wrap a step body in it; bad input (`InputDataError`) and running out of
  memory on the CPU (`MemoryError`, or torch's "DefaultCPUAllocator: can't allocate memory") raise
  `dg.Failure(allow_retries=False)`, so the step fails at once instead of burning its retries on an
  error that repeats. Everything else propagates unchanged and is retried by the step's policy.

Run-level retries (a run whose process crashed) are the instance's `run_retries`, see
deploy/local/dagster.yaml.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg

from resources.errors import InputDataError

BACKEND_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
TRAINING_RETRY = dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL)

CPU_OOM_MARKERS = ("DefaultCPUAllocator", "can't allocate memory", "not enough memory")


def is_non_retryable(error: BaseException) -> bool:
    """Bad input, or out of memory on the CPU (a retry on the same machine fails the same way)."""
    if isinstance(error, InputDataError | MemoryError):
        return True
    return isinstance(error, RuntimeError) and any(marker in str(error) for marker in CPU_OOM_MARKERS)


@contextlib.contextmanager
def non_retryable_errors() -> Iterator[None]:
    """Turn non-retryable errors into `dg.Failure(allow_retries=False)` (the original error is the cause)."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if not is_non_retryable(error):
            raise
        kind = "out of memory on the CPU" if not isinstance(error, InputDataError) else "bad input"
        raise dg.Failure(
            description=f"{kind}, not retried: {type(error).__name__}: {error}",
            metadata={"error_type": type(error).__name__, "retryable": False},
            allow_retries=False,
        ) from error
