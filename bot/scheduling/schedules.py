"""Digest schedules: parse "daily 09:00"-style text or 5-field cron, time zones, and DST-safe slots.

A *slot* is the instant a scheduled digest belongs to. It is computed from the server's local
calendar date and the configured wall time, never from whatever a cron library happened to fire:

- an ambiguous wall time (02:30 on a fall-back day happens twice) maps to its FIRST occurrence,
  so a second firing lands on the same slot and the database claim turns it away;
- a wall time that does not exist (02:30 on a spring-forward day) maps to the instant the clock
  would show it with the offset from before the jump (02:30+01:00 = 03:30 CEST in Berlin).

So each (local date, wall time) gives exactly one slot, and "one digest per local day" holds
on both transition days. APScheduler 3.11's CronTrigger fires twice at 02:30 on fall-back day and
can then loop on the same time (RELIABILITY F8, apscheduler #1021), so the scheduler uses
`next_slot` through its own trigger instead.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from bot.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_DAYS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "tues": "tue",
    "thur": "thu",
    "thurs": "thu",
}
EXAMPLES = '"daily 09:00", "weekly mon 09:00", "weekdays 18:30" or a cron line like "0 9 * * 1-5"'
# How far the slot search looks; a cron line like "0 9 29 2 *" still has a slot within 8 years.
_SEARCH_DAYS = 366 * 8 + 2


@dataclass(frozen=True, slots=True)
class Schedule:
    """When digests are due, in a server's local wall time."""

    text: str  # the normalised form that is stored
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    weekdays: frozenset[int] | None = None  # 0 = Monday; None = any day
    days: frozenset[int] | None = None  # day of month; None = any
    months: frozenset[int] | None = None  # None = any

    def runs_on(self, day: date) -> bool:
        """Whether the schedule has slots on a local calendar date."""
        if self.months is not None and day.month not in self.months:
            return False
        if self.days is not None and self.weekdays is not None:
            # cron: when both day fields are restricted, either may match
            return day.day in self.days or day.weekday() in self.weekdays
        if self.days is not None and day.day not in self.days:
            return False
        if self.weekdays is not None and day.weekday() not in self.weekdays:
            return False
        return True

    def wall_times(self) -> list[time]:
        """The local wall times of a day with slots, in order."""
        return [time(h, m) for h in self.hours for m in self.minutes]

    def describe(self) -> str:
        """A readable form, e.g. "daily at 09:00"."""
        text = self.text
        if text.startswith("daily "):
            return f"daily at {text[6:]}"
        if text.startswith("weekdays "):
            return f"weekdays at {text[9:]}"
        if text.startswith("weekly "):
            _, day, at = text.split()
            return f"weekly on {day.capitalize()} at {at}"
        return f"cron {text}"


def _wall(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text)
    if not match:
        raise InvalidInput(f'"{text}" is not a time; write it as 24-hour HH:MM, e.g. 09:00')
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidInput(f'"{text}" is not a time of day; use 00:00 to 23:59')
    return hour, minute


def _cron_field(
    text: str, low: int, high: int, what: str, names: dict[str, int] | None = None
) -> frozenset[int] | None:
    if text == "*":
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise InvalidInput(f'bad step "/{step_text}" in the {what} field of the cron line')
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = (
                _cron_value(a, low, high, what, names),
                _cron_value(b, low, high, what, names),
            )
        else:
            start = _cron_value(part, low, high, what, names)
            end = high if step > 1 else start
        if start > end:
            raise InvalidInput(f'the range "{part}" in the {what} field runs backwards')
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _cron_value(text: str, low: int, high: int, what: str, names: dict[str, int] | None) -> int:
    key = text.lower()
    if names and key in names:
        return names[key]
    if not text.isdigit():
        raise InvalidInput(f'"{text}" is not a valid {what} in the cron line')
    value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"the {what} {value} is out of range ({low}-{high}) in the cron line")
    return value


def _parse_cron(fields: list[str]) -> Schedule:
    minute, hour, dom, month, dow = fields
    minutes = _cron_field(minute, 0, 59, "minute")
    hours = _cron_field(hour, 0, 23, "hour")
    days = _cron_field(dom, 1, 31, "day of month")
    months = _cron_field(
        month,
        1,
        12,
        "month",
        {
            m: i + 1
            for i, m in enumerate(
                ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
            )
        },
    )
    cron_days = _cron_field(
        dow, 0, 7, "day of week", {d: (i + 1) % 7 for i, d in enumerate(WEEKDAYS)}
    )
    # cron counts Sunday as 0 (and 7); Python's weekday() counts Monday as 0
    weekdays = None if cron_days is None else frozenset((d - 1) % 7 for d in cron_days)
    return Schedule(
        text=" ".join(fields),
        minutes=tuple(sorted(minutes if minutes is not None else range(60))),
        hours=tuple(sorted(hours if hours is not None else range(24))),
        weekdays=weekdays,
        days=days,
        months=months,
    )


def parse_schedule(text: str) -> Schedule:
    """Parse "daily 09:00", "weekly mon 09:00", "weekdays 18:30" or a 5-field cron line."""
    words = " ".join((text or "").lower().split()).split(" ")
    if words == [""]:
        raise InvalidInput(f"give a schedule such as {EXAMPLES}")
    if len(text) > 100:
        raise InvalidInput(f"that schedule is too long; use {EXAMPLES}")
    if words[0] == "daily" and len(words) == 2:
        h, m = _wall(words[1])
        return Schedule(f"daily {h:02d}:{m:02d}", (m,), (h,))
    if words[0] in ("weekdays", "weekday") and len(words) == 2:
        h, m = _wall(words[1])
        return Schedule(f"weekdays {h:02d}:{m:02d}", (m,), (h,), weekdays=frozenset(range(5)))
    if words[0] == "weekly" and len(words) == 3:
        day = _LONG_DAYS.get(words[1], words[1])
        if day not in WEEKDAYS:
            raise InvalidInput(f'"{words[1]}" is not a day of the week; use mon, tue, ... sun')
        h, m = _wall(words[2])
        return Schedule(
            f"weekly {day} {h:02d}:{m:02d}", (m,), (h,), weekdays=frozenset({WEEKDAYS.index(day)})
        )
    if len(words) == 5:
        return _parse_cron(words)
    raise InvalidInput(f'"{text}" is not a schedule Byline understands; use {EXAMPLES}')


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def parse_timezone(name: str) -> str:
    """Return the canonical IANA name for a time zone, or InvalidInput with close matches."""
    text = (name or "").strip().replace(" ", "_")
    if not text:
        raise InvalidInput('give an IANA time zone name such as "Europe/Berlin" or "UTC"')
    if len(text) > 64:
        raise InvalidInput("that time zone name is too long")
    names = _zone_names()
    found = names.get(text.casefold())
    if found is not None:
        return found
    close = difflib.get_close_matches(text.casefold(), list(names), n=3, cutoff=0.6)
    if not close:
        tail = text.casefold().rsplit("/", 1)[-1]
        close = [k for k in names if k.rsplit("/", 1)[-1] == tail][:3]
    hint = f"; did you mean {', '.join(names[c] for c in close)}?" if close else ""
    raise InvalidInput(f'"{name}" is not an IANA time zone name such as "Europe/Berlin"{hint}')


def timezone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Autocomplete: time zone names containing what was typed, prefix matches first."""
    key = (prefix or "").strip().replace(" ", "_").casefold()[:64]
    names = sorted(_zone_names().items())
    starts = [n for k, n in names if k.startswith(key) or k.rsplit("/", 1)[-1].startswith(key)]
    inside = [n for k, n in names if key in k and n not in starts]
    return (starts + inside)[:limit]


def slot_instant(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of a local date and wall time: first occurrence, or shifted past a gap."""
    # fold=0 picks the first of two repeated times and, for a time inside a gap, the offset
    # from before the jump: a unique, consistent instant for every (date, wall time).
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    return local.astimezone(UTC).replace(microsecond=0)


def _day_slots(schedule: Schedule, day: date, zone: zoneinfo.ZoneInfo) -> list[datetime]:
    if not schedule.runs_on(day):
        return []
    return sorted({slot_instant(day, wall, zone) for wall in schedule.wall_times()})


def next_slot(schedule: Schedule, zone_name: str, after: datetime) -> datetime | None:
    """The first slot strictly after an instant (aware UTC), or None if none is near."""
    zone = zoneinfo.ZoneInfo(zone_name)
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        for slot in _day_slots(schedule, start + timedelta(days=offset), zone):
            if slot > after:
                return slot
    return None


def latest_slot(schedule: Schedule, zone_name: str, at: datetime) -> datetime | None:
    """The last slot at or before an instant (aware UTC), or None if none is near."""
    zone = zoneinfo.ZoneInfo(zone_name)
    start = at.astimezone(zone).date() + timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        for slot in reversed(_day_slots(schedule, start - timedelta(days=offset), zone)):
            if slot <= at:
                return slot
    return None
