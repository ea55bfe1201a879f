"""The demo's calendar: the class lives around the day the demo is seeded.

Day 1 of the 3-day class is yesterday, day 2 is today, day 3 is tomorrow (in the class's time
zone), so right after ``make run`` every step of the standard process can be tried: yesterday's
sessions have their attendance, today's check-in is open, the exam and the feedback are open.
Everything the story did before the class (manual, notice, quotas, nominations, approvals)
happened in the weeks before, at the intervals the standard asks for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

CLASS_DAYS = 3


@dataclass(frozen=True)
class DemoCalendar:
    now: datetime  # aware UTC: when the demo is seeded
    tz: ZoneInfo  # the class's time zone (config TIMEZONE)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=1)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=CLASS_DAYS - 1)

    @property
    def registration_deadline(self) -> date:
        return self.first_day - timedelta(days=8)

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``hour:minute`` on ``day`` in the class's zone, as aware UTC."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz).astimezone(timezone.utc)

    def before_start(self, days: int, hour: int = 9, minute: int = 0) -> datetime:
        """A story step ``days`` days before day 1."""
        return self.local(self.first_day - timedelta(days=days), hour, minute)

    def past(self, moment: datetime) -> datetime:
        """``moment``, or just before now if it has not come yet (a demo seeded at 00:30
        cannot have opened today's feedback at 08:00)."""
        return min(moment, self.now - timedelta(minutes=1))

    def is_current(self, start_date: date, end_date: date) -> bool:
        """A demo class seeded earlier still lives in the present when today is one of its days."""
        return start_date <= self.today <= end_date
