"""A job whose one step sits in the `gpu` pool for a while, run as a program by the pool test.

`python -m tests.feedback.pool_job` executes it against the instance in $DAGSTER_HOME.
"""

import time

import dagster as dg

HOLD_SECONDS = 1.5


@dg.asset(pool="gpu")
def gpu_step() -> None:
    """Holds the gpu pool slot for HOLD_SECONDS, like a short training step."""
    time.sleep(HOLD_SECONDS)


pool_job = dg.define_asset_job("pool_job", selection=[gpu_step])
defs = dg.Definitions(assets=[gpu_step], jobs=[pool_job])

if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("pool_job").execute_in_process(instance=instance)
        raise SystemExit(0 if result.success else 1)
