"""Daily partitions of feedback by created_at in Asia/Seoul (a day's partition exists once the day has ended)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

FEEDBACK_TIMEZONE = "Asia/Seoul"
FEEDBACK_START_DATE = "2026-01-01"

feedback_daily_partitions = dg.DailyPartitionsDefinition(
    start_date=FEEDBACK_START_DATE, timezone=FEEDBACK_TIMEZONE, fmt="%Y-%m-%d"
)


def day_bounds(partition_key: str) -> tuple[datetime, datetime]:
    """The aware [start, end) of a partition's day in Asia/Seoul."""
    window = feedback_daily_partitions.time_window_for_partition_key(partition_key)
    zone = ZoneInfo(FEEDBACK_TIMEZONE)
    return window.start.astimezone(zone), window.end.astimezone(zone)
