"""Feedback retraining sensor: one retraining run per batch of new approved feedback, within limits.

The cursor is the last feedback id already handed to a retraining run ("0" at first). Each tick:

1. reads the first N approved ids after the cursor (N = `min_new_approved`, default 50) and the
   table's highest id — two index reads whose cost does not grow with the table;
2. fewer than N → skip ("only k new approved rows after id c, need N");
3. the run_key is `feedback:<first id>-<N-th id>`: both are fixed once the cursor is (ids only grow
   in commit order, see the store), so a tick repeated after a crash names the same run. If a run
   with that key already exists (the tick crashed after submitting it), the cursor moves to that
   run's batch end and no second run is requested;
4. too soon after the last retraining run (`min_interval`, default 6 h) → skip;
5. `daily_cap` (default 4) retraining runs already created today (Asia/Seoul) → skip;
6. CPU ≥ 85 %, memory ≥ 80 % or GPU ≥ 90 % (when a GPU can be read) → skip naming the reading;
7. otherwise one run request for the rows (cursor, highest id]; the new cursor is the highest id.

Skips leave the cursor where it is, and a tick that raises stores nothing (Dagster keeps the
cursor of the last successful tick), so no row is ever passed over. The clock and the load reader
are injectable for tests. The decision itself (`decide_retraining`) is plain data in, plain data out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from resources.feedback.store import ApprovedBatch
from resources.feedback_resource import FeedbackStoreResource
from resources.machine_load import MachineLoad, read_machine_load

SENSOR_NAME = "feedback_retraining_sensor"
RETRAINING_JOB_NAME = "retraining_job"
AFTER_ID_TAG = "kodistill/feedback_after_id"
UP_TO_ID_TAG = "kodistill/feedback_up_to_id"
NEW_APPROVED_TAG = "kodistill/feedback_new_approved"


@dataclass(frozen=True)
class RetrainingPolicy:
    """When the sensor may request a retraining run (the original system's limits by default)."""

    min_new_approved: int = 50
    min_interval: timedelta = timedelta(hours=6)
    daily_cap: int = 4
    max_cpu_percent: float = 85.0
    max_memory_percent: float = 80.0
    max_gpu_percent: float = 90.0
    timezone: str = "Asia/Seoul"


@dataclass(frozen=True)
class RetrainingHistory:
    """Past retraining runs: when the latest was created (None when it is older than the interval), how many
    were created today, and the batch end (up-to id) of an existing run with this tick's run_key, if any."""

    last_created_at: datetime | None
    runs_today: int
    existing_batch_end: int | None = None


@dataclass(frozen=True)
class Decision:
    """A run request or a skip, and the cursor to store."""

    request: dg.RunRequest | dg.SkipReason
    cursor: int


def parse_cursor(cursor: str | None) -> int:
    """The last processed feedback id stored by the previous successful tick (0 for none)."""
    if not cursor:
        return 0
    try:
        value = int(cursor)
    except ValueError:
        raise ValueError(f"{SENSOR_NAME}: cursor {cursor!r} is not a feedback id") from None
    if value < 0:
        raise ValueError(f"{SENSOR_NAME}: cursor {cursor!r} is negative")
    return value


def run_key_for(batch: ApprovedBatch) -> str:
    return f"feedback:{batch.first_id}-{batch.last_found_id}"


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of `now`'s calendar day in `timezone`, as an aware datetime."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _load_problem(load: MachineLoad, policy: RetrainingPolicy) -> str | None:
    if load.cpu_percent >= policy.max_cpu_percent:
        return f"CPU load {load.cpu_percent:.0f}% ≥ {policy.max_cpu_percent:.0f}%"
    if load.memory_percent >= policy.max_memory_percent:
        return f"memory use {load.memory_percent:.0f}% ≥ {policy.max_memory_percent:.0f}%"
    if load.gpu_percent is not None and load.gpu_percent >= policy.max_gpu_percent:
        return f"GPU load {load.gpu_percent:.0f}% ≥ {policy.max_gpu_percent:.0f}%"
    return None


def _interval_problem(history: RetrainingHistory, policy: RetrainingPolicy, now: datetime) -> str | None:
    if history.last_created_at is None:
        return None
    elapsed = now - history.last_created_at
    if elapsed < policy.min_interval:
        wait = policy.min_interval - elapsed
        return (
            f"minimum interval: last retraining started {elapsed.total_seconds() / 3600:.1f} h ago "
            f"(< {policy.min_interval.total_seconds() / 3600:g} h; next allowed in {wait.total_seconds() / 60:.0f} min)"
        )
    return None


def decide_retraining(
    cursor: int,
    batch: ApprovedBatch,
    read_history: Callable[[], RetrainingHistory],
    read_load: Callable[[], MachineLoad],
    policy: RetrainingPolicy,
    now: datetime,
) -> Decision:
    """What one tick does (see the module docstring). The run history is read only once the threshold is met
    and the load only when everything else allows a run, so the common tick (too few rows) costs two index reads."""
    if batch.found < policy.min_new_approved:
        return Decision(
            dg.SkipReason(
                f"threshold: only {batch.found} new approved feedback rows after id {cursor} "
                f"(need {policy.min_new_approved})"
            ),
            cursor,
        )
    key = run_key_for(batch)
    history = read_history()
    if history.existing_batch_end is not None:
        return Decision(
            dg.SkipReason(
                f"already requested: run_key {key} exists (a tick crashed after submitting it); "
                f"cursor moves to its batch end {history.existing_batch_end}"
            ),
            max(cursor, history.existing_batch_end),
        )
    for problem in (_interval_problem(history, policy, now), _cap_problem(history, policy)):
        if problem:
            return Decision(dg.SkipReason(problem), cursor)
    load_problem = _load_problem(read_load(), policy)
    if load_problem:
        return Decision(dg.SkipReason(f"machine load: {load_problem}"), cursor)
    tags = {AFTER_ID_TAG: str(cursor), UP_TO_ID_TAG: str(batch.max_id), NEW_APPROVED_TAG: f"{batch.found}+"}
    return Decision(dg.RunRequest(run_key=key, tags=tags), batch.max_id)


def _cap_problem(history: RetrainingHistory, policy: RetrainingPolicy) -> str | None:
    if history.runs_today >= policy.daily_cap:
        return (
            f"daily cap: {history.runs_today} retraining runs already today ({policy.timezone}; cap {policy.daily_cap})"
        )
    return None


def retraining_history(
    instance: dg.DagsterInstance, job_name: str, run_key: str, policy: RetrainingPolicy, now: datetime
) -> RetrainingHistory:
    """Two run-storage queries: the runs of `job_name` created since midnight (policy time zone) or since
    `min_interval` ago, whichever is earlier (newest first, at most cap + 1 needed), which give the latest
    run inside the interval and today's count; and a run carrying `run_key`, whose batch end is returned."""
    day_start = start_of_day(now, policy.timezone)
    # In UTC: run storage compares `created_after` by wall-clock time, so a Seoul-time bound would hide
    # every run created between 15:00 and 24:00 UTC (measured: the daily cap let a fifth run through).
    window_start = min(day_start, now - policy.min_interval).astimezone(UTC)
    recent = instance.get_run_records(
        filters=dg.RunsFilter(job_name=job_name, created_after=window_start), limit=policy.daily_cap + 1
    )
    created = [record.create_timestamp.astimezone(UTC) for record in recent]
    today = sum(1 for when in created if when >= day_start)
    same_key = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, tags={"dagster/run_key": run_key}), limit=1)
    existing_end = int(same_key[0].tags.get(UP_TO_ID_TAG, "0")) if same_key else None
    return RetrainingHistory(max(created, default=None), today, existing_end)


def build_feedback_retraining_sensor(
    job_name: str = RETRAINING_JOB_NAME,
    policy: RetrainingPolicy | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    load_reader: Callable[[], MachineLoad] = read_machine_load,
    minimum_interval_seconds: int = 60,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.RUNNING,
) -> dg.SensorDefinition:
    """The retraining sensor targeting the job named `job_name` (see the module docstring)."""
    policy = policy or RetrainingPolicy()

    @dg.sensor(
        name=SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=f"Requests {job_name} when ≥ {policy.min_new_approved} new approved feedback rows exist, "
        f"at least {policy.min_interval} after the last retraining, at most {policy.daily_cap} a day, "
        "and only while the machine is below its load limits; the run_key names the feedback id range.",
    )
    def feedback_retraining_sensor(
        context: dg.SensorEvaluationContext, feedback_store: FeedbackStoreResource
    ) -> dg.SensorResult:
        cursor = parse_cursor(context.cursor)
        now = clock()
        batch = feedback_store.get().approved_batch(cursor, policy.min_new_approved)

        def read_history() -> RetrainingHistory:
            return retraining_history(context.instance, job_name, run_key_for(batch), policy, now)

        decision = decide_retraining(cursor, batch, read_history, load_reader, policy, now)
        if isinstance(decision.request, dg.SkipReason):
            return dg.SensorResult(skip_reason=decision.request, cursor=str(decision.cursor))
        return dg.SensorResult(run_requests=[decision.request], cursor=str(decision.cursor))

    return feedback_retraining_sensor
