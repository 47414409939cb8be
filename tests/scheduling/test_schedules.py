"""Schedules: parsing, time zones with close matches, and DST-safe slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.scheduling.schedules import (
    latest_slot,
    next_slot,
    parse_schedule,
    parse_timezone,
    slot_instant,
    timezone_choices,
)


@pytest.mark.parametrize(
    ("text", "normalised", "described"),
    [
        ("daily 09:00", "daily 09:00", "daily at 09:00"),
        ("Daily 9:05", "daily 09:05", "daily at 09:05"),
        ("weekly mon 09:00", "weekly mon 09:00", "weekly on Mon at 09:00"),
        ("weekly Friday 17:30", "weekly fri 17:30", "weekly on Fri at 17:30"),
        ("weekdays 18:30", "weekdays 18:30", "weekdays at 18:30"),
        ("0 9 * * 1-5", "0 9 * * 1-5", "cron 0 9 * * 1-5"),
        ("*/30 8-10 * * *", "*/30 8-10 * * *", "cron */30 8-10 * * *"),
    ],
)
def test_schedules_parse_and_normalise(text: str, normalised: str, described: str) -> None:
    schedule = parse_schedule(text)
    assert schedule.text == normalised
    assert schedule.describe() == described
    assert parse_schedule(schedule.text) == schedule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "daily",
        "daily 25:00",
        "daily 9",
        "weekly funday 09:00",
        "hourly",
        "0 9 * *",
        "61 * * * *",
        "0 9 * * 8",
        "5-1 * * * *",
        "*/0 * * * *",
    ],
)
def test_bad_schedules_are_refused_with_examples(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(text)
    assert caught.value.message


def test_cron_fields_mean_what_cron_means() -> None:
    weekdays = parse_schedule("0 9 * * 1-5")
    assert weekdays.weekdays == frozenset(range(5))  # Monday..Friday
    sunday = parse_schedule("0 9 * * 0")
    assert sunday.weekdays == frozenset({6}) == parse_schedule("0 9 * * 7").weekdays
    half_hours = parse_schedule("*/30 8-10 * * *")
    assert half_hours.wall_times()[:3] == [time(8, 0), time(8, 30), time(9, 0)]
    either = parse_schedule("0 9 1 * mon")  # both day fields restricted: either matches
    assert either.runs_on(date(2026, 4, 1)) and either.runs_on(date(2026, 4, 6))
    assert not either.runs_on(date(2026, 4, 7))


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("america/new york", "America/New_York"),
    ],
)
def test_time_zones_are_normalised(name: str, canonical: str) -> None:
    assert parse_timezone(name) == canonical


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("Mars/Olympus", None),
        ("UTC+2", None),
        ("America/New_Yrok", "America/New_York"),
    ],
)
def test_unknown_time_zones_suggest_close_matches(name: str, suggestion: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_timezone(name)
    assert "IANA" in caught.value.message
    if suggestion:
        assert suggestion in caught.value.message


def test_time_zone_autocomplete_is_bounded() -> None:
    found = timezone_choices("ber")
    assert "Europe/Berlin" in found and len(found) <= 25
    assert len(timezone_choices("")) == 25


def _local_days(slots: list[datetime], zone: str) -> list[date]:
    return [s.astimezone(ZoneInfo(zone)).date() for s in slots]


def _slots_between(text: str, zone: str, start: datetime, end: datetime) -> list[datetime]:
    schedule = parse_schedule(text)
    slots, current = [], start
    for _ in range(100):  # bounded: the search can never loop forever (apscheduler #1021)
        found = next_slot(schedule, zone, current)
        if found is None or found > end:
            break
        assert found > current
        slots.append(found)
        current = found
    return slots


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 3, 5), date(2026, 3, 12)),
        (date(2026, 3, 26), date(2026, 4, 1)),
        (date(2026, 10, 22), date(2026, 11, 4)),
    ],
)
@pytest.mark.parametrize("wall", ["09:00", "02:30", "01:30", "03:00"])
def test_one_slot_per_local_day_across_2026_transitions(
    zone: str, first: date, last: date, wall: str
) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last, time(23, 59), tzinfo=tz).astimezone(UTC)
    slots = _slots_between(f"daily {wall}", zone, start, end)
    days = _local_days(slots, zone)
    assert days == [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_berlin_nine_oclock_is_utc_eight_in_winter_and_seven_in_summer() -> None:
    schedule = parse_schedule("daily 09:00")
    before = next_slot(schedule, "Europe/Berlin", datetime(2026, 3, 28, 12, tzinfo=UTC))
    after = next_slot(schedule, "Europe/Berlin", datetime(2026, 3, 29, 0, tzinfo=UTC))
    assert before == datetime(2026, 3, 29, 7, tzinfo=UTC)  # the DST day itself: 09:00 CEST
    assert after == before
    assert next_slot(schedule, "Europe/Berlin", datetime(2026, 3, 27, 12, tzinfo=UTC)) == datetime(
        2026, 3, 28, 8, tzinfo=UTC
    )
    assert next_slot(schedule, "Europe/Berlin", datetime(2026, 10, 25, 0, tzinfo=UTC)) == datetime(
        2026, 10, 25, 8, tzinfo=UTC
    )


def test_nonexistent_wall_time_moves_past_the_gap() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    slot = slot_instant(date(2026, 3, 29), time(2, 30), berlin)
    assert slot == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert slot.astimezone(berlin).strftime("%H:%M %Z") == "03:30 CEST"
    new_york = ZoneInfo("America/New_York")
    assert (
        slot_instant(date(2026, 3, 8), time(2, 30), new_york).astimezone(new_york).strftime("%H:%M")
        == "03:30"
    )


def test_repeated_wall_time_maps_to_its_first_occurrence() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)  # fold=0: CEST, 00:30 UTC
    second = first.replace(fold=1)  # CET, 01:30 UTC
    assert first.astimezone(UTC) != second.astimezone(UTC)
    daily = parse_schedule("daily 02:30")
    assert latest_slot(daily, "Europe/Berlin", first) == latest_slot(daily, "Europe/Berlin", second)
    assert latest_slot(daily, "Europe/Berlin", second) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_apscheduler_crontrigger_double_fire_collapses_to_one_slot() -> None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(hour=2, minute=30, timezone=ZoneInfo("Europe/Berlin"))
    start = datetime(2026, 10, 24, 12, tzinfo=UTC)
    fires, previous = [], None
    now = start
    for _ in range(6):  # bounded on purpose: this trigger can repeat itself (F8)
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire > datetime(2026, 10, 26, 12, tzinfo=UTC):
            break
        fires.append(fire)
        previous, now = fire, fire
    daily = parse_schedule("daily 02:30")
    keys = {latest_slot(daily, "Europe/Berlin", f) for f in fires}
    assert None not in keys
    days = {k.astimezone(ZoneInfo("Europe/Berlin")).date() for k in keys if k is not None}
    assert days == {date(2026, 10, 25), date(2026, 10, 26)} or days == {date(2026, 10, 25)}
    assert len(keys) == len(days)  # one slot per local day, however often it fired


def test_latest_slot_is_the_last_at_or_before_now() -> None:
    schedule = parse_schedule("daily 09:00")
    at = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert latest_slot(schedule, "UTC", at) == datetime(2026, 6, 1, 9, tzinfo=UTC)
    assert latest_slot(schedule, "UTC", datetime(2026, 6, 1, 9, tzinfo=UTC)) == datetime(
        2026, 6, 1, 9, tzinfo=UTC
    )
    assert latest_slot(schedule, "UTC", datetime(2026, 6, 1, 8, 59, tzinfo=UTC)) == datetime(
        2026, 5, 31, 9, tzinfo=UTC
    )
    weekly = parse_schedule("weekly mon 09:00")
    assert latest_slot(weekly, "UTC", at) == datetime(2026, 6, 1, 9, tzinfo=UTC)  # a Monday
    rare = parse_schedule("0 9 29 2 *")
    assert next_slot(rare, "UTC", at) == datetime(2028, 2, 29, 9, tzinfo=UTC)
