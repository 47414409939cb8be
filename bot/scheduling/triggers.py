"""An APScheduler trigger that fires at digest slots (DST-safe, see bot.scheduling.schedules)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from bot.scheduling.schedules import Schedule, next_slot


class SlotTrigger(BaseTrigger):  # type: ignore[misc]
    """Cron-like firing in a server's time zone: once per slot, never twice on a DST day.

    Used instead of CronTrigger because APScheduler 3.11's CronTrigger fires 02:30 twice on a
    fall-back day and may keep returning the same time (RELIABILITY F8, apscheduler #1021).
    """

    def __init__(self, schedule: Schedule, zone: str) -> None:
        self.schedule = schedule
        self.zone = zone

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next slot after the previous firing (or from now on, for a new job)."""
        after = (
            previous_fire_time
            if previous_fire_time is not None
            else now - timedelta(microseconds=1)
        )
        return next_slot(self.schedule, self.zone, after)

    def __getstate__(self) -> dict[str, Any]:
        return {"schedule": self.schedule, "zone": self.zone}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.schedule = state["schedule"]
        self.zone = state["zone"]

    def __str__(self) -> str:
        return f"slot[{self.schedule.text} {self.zone}]"

    def __repr__(self) -> str:
        return f"<SlotTrigger {self.schedule.text!r} tz={self.zone!r}>"
