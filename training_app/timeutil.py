"""Local (class) time ↔ UTC. Forms speak the class's local time; the database stores UTC."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def local_to_utc(naive: datetime, tz_name: str) -> datetime:
    return naive.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def utc_to_local_naive(aware: datetime, tz_name: str) -> datetime:
    return aware.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
