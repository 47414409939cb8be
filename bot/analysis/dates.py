"""Resolve date phrases ("February 2019", "on Tuesday", "last month") to date ranges."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


_POINT_IN_TIME = re.compile(
    rf"\b(?:{_MONTH_RE}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|"
    r"yesterday|tomorrow|last|next|this|ago|\d{4})\b",
    re.IGNORECASE,
)


def is_point_in_time(phrase: str) -> bool:
    """Tell a date ('on Tuesday', 'March 2019') from a duration ('eleven years', 'a week')."""
    return bool(_POINT_IN_TIME.search(phrase)) and not re.search(
        r"\b(?:years?|months?|weeks?|days?)\s+(?:old|long)\b|^(?:the\s+)?(?:past|last|next)\s+(?:\d+|two|three|four|five|six|several|few)\s",
        phrase,
        re.IGNORECASE,
    )


def resolve_date(  # noqa: C901
    phrase: str, published: datetime | None, *, future: bool = False
) -> tuple[date | None, date | None]:
    """Return (start, end) for a date phrase; (None, None) when it cannot be resolved."""
    text = phrase.lower().strip().strip(".,")
    text = re.sub(r"^(?:on|in|at|by|during|since|from|early|late|mid|the)\s+", "", text)
    text = re.sub(r"^(?:on|in|the)\s+", "", text)
    # "Friday, December 6th": the weekday confirms the date that follows it (and its year)
    named_day = re.match(rf"^({'|'.join(_WEEKDAYS)}),?\s+(?=(?:{_MONTH_RE})\b|\d)", text)
    if named_day:
        text = text[named_day.end() :]
    # "this past May" is the last May; "earlier this month" is this month
    text = re.sub(r"^this\s+past\s+", "last ", text)
    text = re.sub(r"^(?:earlier|later)\s+(?=this\s+(?:week|month|year)$)", "", text)
    base = published.date() if published else None
    m = re.fullmatch(rf"({_MONTH_RE})\.?\s+{_ORD},?\s+(\d{{4}})", text)
    if m:
        day = date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
        return day, day
    m = re.fullmatch(rf"{_ORD}\s+({_MONTH_RE})\.?,?\s+(\d{{4}})", text)
    if m:
        day = date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
        return day, day
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return day, day
    m = re.fullmatch(rf"({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})", text)
    if m:
        return _month_range(int(m.group(2)), _MONTHS[m.group(1)])
    m = re.fullmatch(r"(?:the\s+)?(?:year\s+)?(\d{4})", text)
    if m:
        year = int(m.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if base is None:
        return None, None
    m = re.fullmatch(rf"({_MONTH_RE})\.?\s+{_ORD}", text)
    if m:
        month, day_n = _MONTHS[m.group(1)], int(m.group(2))
        try:
            day = date(base.year, month, day_n)
        except ValueError:
            return None, None
        # A month and day without a year is the nearest such day in the story's direction.
        try:
            if named_day:
                day = _year_of_weekday(day, base, _WEEKDAYS[named_day.group(1)])
            elif future and day < base:
                day = day.replace(year=base.year + 1)
            elif not future and (day - base).days > 45:
                day = day.replace(year=base.year - 1)
        except ValueError:  # 29 February in a year without one
            return None, None
        return day, day
    m = re.fullmatch(rf"(last|this|next|early|late)\s+({_MONTH_RE})", text)
    if m:
        month = _MONTHS[m.group(2)]
        if m.group(1) == "last":
            year = base.year if month < base.month else base.year - 1
        elif m.group(1) == "next":
            year = base.year if month > base.month else base.year + 1
        else:
            year = base.year
        return _month_range(year, month)
    m = re.fullmatch(rf"({_MONTH_RE})", text)
    if m:
        month = _MONTHS[m.group(1)]
        if future:
            year = base.year if month >= base.month else base.year + 1
        else:
            year = base.year if month <= base.month else base.year - 1
        return _month_range(year, month)
    if text in {"today", "this morning", "this afternoon", "this evening", "tonight"}:
        return base, base
    if text in {"yesterday", "last night"}:
        day = base - timedelta(days=1)
        return day, day
    if text == "tomorrow":
        day = base + timedelta(days=1)
        return day, day
    m = re.fullmatch(
        r"(last|next|this)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?",
        text,
    )
    if m:
        which, weekday = m.group(1), _WEEKDAYS[m.group(2)]
        if which == "next" or (future and which != "last"):
            # "will testify Wednesday" is the coming one; a bare weekday that is today's is today.
            delta = (weekday - base.weekday()) % 7
            if which == "next" and delta == 0:
                delta = 7
            day = base + timedelta(days=delta)
        else:
            # News reports mostly look back: a bare weekday is the most recent one.
            delta = (base.weekday() - weekday) % 7
            if which == "last" and delta == 0:
                delta = 7
            day = base - timedelta(days=delta)
        return day, day
    if text in {"last weekend", "this past weekend", "past weekend", "the weekend"}:
        saturday = base - timedelta(days=(base.weekday() - 5) % 7 or 7)
        return saturday, saturday + timedelta(days=1)
    if text in {"last week", "the previous week", "past week"}:
        start = base - timedelta(days=base.weekday() + 7)
        return start, start + timedelta(days=6)
    if text in {"next week"}:
        start = base + timedelta(days=7 - base.weekday())
        return start, start + timedelta(days=6)
    if text == "this week":
        start = base - timedelta(days=base.weekday())
        return start, start + timedelta(days=6)
    if text in {"last month", "the previous month", "past month"}:
        first = base.replace(day=1) - timedelta(days=1)
        return _month_range(first.year, first.month)
    if text == "this month":
        return _month_range(base.year, base.month)
    if text == "next month":
        nxt = (base.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _month_range(nxt.year, nxt.month)
    if text == "last year":
        return date(base.year - 1, 1, 1), date(base.year - 1, 12, 31)
    if text == "this year":
        return date(base.year, 1, 1), date(base.year, 12, 31)
    if text == "next year":
        return date(base.year + 1, 1, 1), date(base.year + 1, 12, 31)
    return _ago(text, base)


def _year_of_weekday(day: date, base: date, weekday: int) -> date:
    """'Friday, Dec. 6' without a year: the year, next to the story's, in which it is a Friday."""
    for year in (base.year, base.year + 1, base.year - 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            continue
        if candidate.weekday() == weekday:
            return candidate
    return day


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "a few": 3, "several": 3,
}  # fmt: skip
_VAGUE = re.compile(
    r"^(?:barely|nearly|almost|about|around|roughly|some|just|only|more than|less than|"
    r"over|under|little more than|at least)\s+"
)


def _ago(text: str, base: date) -> tuple[date | None, date | None]:
    """'three days ago' is a day; 'a week ago', 'barely a week ago' and 'a few months ago'
    are ranges around the distance, never one precise wrong day."""
    vague = bool(_VAGUE.match(text))
    text = _VAGUE.sub("", text)
    m = re.fullmatch(
        r"(\d+|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
        r"\s+(day|week|month|year)s?\s+ago",
        text,
    )
    if m is None:
        return None, None
    n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1)]
    unit = m.group(2)
    vague = vague or m.group(1) in {"a couple of", "a few", "several"}
    if unit == "day" and not vague:
        day = base - timedelta(days=n)
        return day, day
    if unit == "year":
        if vague:
            return date(base.year - n - 1, 1, 1), date(base.year - n + 1, 12, 31)
        return date(base.year - n, 1, 1), date(base.year - n, 12, 31)
    if unit == "month":
        month = base.month - n
        year = base.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start, end = _month_range(year, month)
        return (start - timedelta(days=31), end + timedelta(days=31)) if vague else (start, end)
    days = {"day": 1, "week": 7}[unit] * n
    spread = 3 if unit == "week" else 1
    if vague:
        spread += 2
    return base - timedelta(days=days + spread), min(base, base - timedelta(days=days - spread))
