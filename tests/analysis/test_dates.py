"""Date phrases resolve against the publication date and the tense, or stay unknown."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.analysis.dates import is_point_in_time, resolve_date

# Tuesday 19 November 2019.
TUESDAY = datetime(2019, 11, 19, 14, 0, tzinfo=UTC)
# Thursday 2 January 2020, for year boundaries.
JANUARY = datetime(2020, 1, 2, 9, 0, tzinfo=UTC)
# Monday 30 December 2019.
DECEMBER = datetime(2019, 12, 30, 9, 0, tzinfo=UTC)
# Sunday 1 March 2020 (a leap year).
LEAP = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)

D = date

CASES: list[tuple[str, datetime | None, bool, date | None, date | None]] = [
    # weekdays told in the past look back, the day itself included
    ("Wednesday", TUESDAY, False, D(2019, 11, 13), D(2019, 11, 13)),
    ("on Monday", TUESDAY, False, D(2019, 11, 18), D(2019, 11, 18)),
    ("Tuesday", TUESDAY, False, D(2019, 11, 19), D(2019, 11, 19)),
    ("Sunday", TUESDAY, False, D(2019, 11, 17), D(2019, 11, 17)),
    ("Thursday night", TUESDAY, False, D(2019, 11, 14), D(2019, 11, 14)),
    ("Friday morning", TUESDAY, False, D(2019, 11, 15), D(2019, 11, 15)),
    ("last Tuesday", TUESDAY, False, D(2019, 11, 12), D(2019, 11, 12)),
    ("last Friday", TUESDAY, False, D(2019, 11, 15), D(2019, 11, 15)),
    ("Saturday", TUESDAY, False, D(2019, 11, 16), D(2019, 11, 16)),
    # weekdays told in the future look ahead
    ("Wednesday", TUESDAY, True, D(2019, 11, 20), D(2019, 11, 20)),
    ("on Thursday", TUESDAY, True, D(2019, 11, 21), D(2019, 11, 21)),
    ("Monday", TUESDAY, True, D(2019, 11, 25), D(2019, 11, 25)),
    ("Tuesday", TUESDAY, True, D(2019, 11, 19), D(2019, 11, 19)),
    ("next Tuesday", TUESDAY, True, D(2019, 11, 26), D(2019, 11, 26)),
    ("next Friday", TUESDAY, False, D(2019, 11, 22), D(2019, 11, 22)),
    ("Sunday evening", TUESDAY, True, D(2019, 11, 24), D(2019, 11, 24)),
    ("Thursday", DECEMBER, True, D(2020, 1, 2), D(2020, 1, 2)),
    ("Friday", JANUARY, False, D(2019, 12, 27), D(2019, 12, 27)),
    # days around the publication date
    ("today", TUESDAY, False, D(2019, 11, 19), D(2019, 11, 19)),
    ("tonight", TUESDAY, True, D(2019, 11, 19), D(2019, 11, 19)),
    ("yesterday", TUESDAY, False, D(2019, 11, 18), D(2019, 11, 18)),
    ("last night", JANUARY, False, D(2020, 1, 1), D(2020, 1, 1)),
    ("tomorrow", DECEMBER, True, D(2019, 12, 31), D(2019, 12, 31)),
    ("yesterday", LEAP, False, D(2020, 2, 29), D(2020, 2, 29)),
    # full dates
    ("Nov. 14, 2019", TUESDAY, False, D(2019, 11, 14), D(2019, 11, 14)),
    ("October 31, 2019", TUESDAY, False, D(2019, 10, 31), D(2019, 10, 31)),
    ("14 November 2019", TUESDAY, False, D(2019, 11, 14), D(2019, 11, 14)),
    ("2019-05-18", TUESDAY, False, D(2019, 5, 18), D(2019, 5, 18)),
    ("on Sept. 3, 2018", TUESDAY, True, D(2018, 9, 3), D(2018, 9, 3)),
    # month and day without a year: the publication year unless tense or order says otherwise
    ("Nov. 14", TUESDAY, False, D(2019, 11, 14), D(2019, 11, 14)),
    ("Oct. 31", TUESDAY, False, D(2019, 10, 31), D(2019, 10, 31)),
    ("Dec. 3", TUESDAY, True, D(2019, 12, 3), D(2019, 12, 3)),
    ("Dec. 28", JANUARY, False, D(2019, 12, 28), D(2019, 12, 28)),
    ("Jan. 15", DECEMBER, True, D(2020, 1, 15), D(2020, 1, 15)),
    ("March 3", TUESDAY, True, D(2020, 3, 3), D(2020, 3, 3)),
    ("March 3", TUESDAY, False, D(2019, 3, 3), D(2019, 3, 3)),
    ("Feb. 29", LEAP, False, D(2020, 2, 29), D(2020, 2, 29)),
    ("Sept. 29", TUESDAY, False, D(2019, 9, 29), D(2019, 9, 29)),
    ("the 3rd of March", TUESDAY, False, None, None),
    # months and years
    ("November 2019", TUESDAY, False, D(2019, 11, 1), D(2019, 11, 30)),
    ("in June 2018", TUESDAY, False, D(2018, 6, 1), D(2018, 6, 30)),
    ("December", TUESDAY, False, D(2018, 12, 1), D(2018, 12, 31)),
    ("December", TUESDAY, True, D(2019, 12, 1), D(2019, 12, 31)),
    ("in March", TUESDAY, False, D(2019, 3, 1), D(2019, 3, 31)),
    ("in March", TUESDAY, True, D(2020, 3, 1), D(2020, 3, 31)),
    ("last December", JANUARY, False, D(2019, 12, 1), D(2019, 12, 31)),
    ("next January", DECEMBER, True, D(2020, 1, 1), D(2020, 1, 31)),
    ("2018", TUESDAY, False, D(2018, 1, 1), D(2018, 12, 31)),
    ("in 2023", TUESDAY, True, D(2023, 1, 1), D(2023, 12, 31)),
    ("last year", JANUARY, False, D(2019, 1, 1), D(2019, 12, 31)),
    ("this year", TUESDAY, False, D(2019, 1, 1), D(2019, 12, 31)),
    ("next year", DECEMBER, True, D(2020, 1, 1), D(2020, 12, 31)),
    ("last month", JANUARY, False, D(2019, 12, 1), D(2019, 12, 31)),
    ("this month", TUESDAY, False, D(2019, 11, 1), D(2019, 11, 30)),
    ("next month", DECEMBER, True, D(2020, 1, 1), D(2020, 1, 31)),
    # "earlier this month/year" lies inside this month/year
    ("earlier this month", TUESDAY, False, D(2019, 11, 1), D(2019, 11, 30)),
    ("earlier this year", TUESDAY, False, D(2019, 1, 1), D(2019, 12, 31)),
    ("this past May", TUESDAY, False, D(2019, 5, 1), D(2019, 5, 31)),
    ("this past December", JANUARY, False, D(2019, 12, 1), D(2019, 12, 31)),
    # a weekday before a date only confirms it, and picks the year it falls in
    ("Friday, December 6th", TUESDAY, False, D(2019, 12, 6), D(2019, 12, 6)),
    ("Monday, Nov. 18", TUESDAY, True, D(2019, 11, 18), D(2019, 11, 18)),
    ("Friday, Jan. 3", DECEMBER, False, D(2020, 1, 3), D(2020, 1, 3)),
    ("Tuesday, Nov. 19, 2019", None, False, D(2019, 11, 19), D(2019, 11, 19)),
    # weekends
    ("this past weekend", TUESDAY, False, D(2019, 11, 16), D(2019, 11, 17)),
    ("last weekend", JANUARY, False, D(2019, 12, 28), D(2019, 12, 29)),
    # weeks
    ("last week", TUESDAY, False, D(2019, 11, 11), D(2019, 11, 17)),
    ("this week", TUESDAY, False, D(2019, 11, 18), D(2019, 11, 24)),
    ("next week", TUESDAY, True, D(2019, 11, 25), D(2019, 12, 1)),
    ("next week", DECEMBER, True, D(2020, 1, 6), D(2020, 1, 12)),
    # distances back: exact in days, ranges otherwise
    ("three days ago", TUESDAY, False, D(2019, 11, 16), D(2019, 11, 16)),
    ("2 days ago", JANUARY, False, D(2019, 12, 31), D(2019, 12, 31)),
    ("a week ago", TUESDAY, False, D(2019, 11, 9), D(2019, 11, 15)),
    ("barely a week ago", TUESDAY, False, D(2019, 11, 7), D(2019, 11, 17)),
    ("two weeks ago", TUESDAY, False, D(2019, 11, 2), D(2019, 11, 8)),
    ("a few days ago", TUESDAY, False, D(2019, 11, 13), D(2019, 11, 19)),
    ("two months ago", TUESDAY, False, D(2019, 9, 1), D(2019, 9, 30)),
    ("a month ago", JANUARY, False, D(2019, 12, 1), D(2019, 12, 31)),
    ("five years ago", TUESDAY, False, D(2014, 1, 1), D(2014, 12, 31)),
    ("about five years ago", TUESDAY, False, D(2013, 1, 1), D(2015, 12, 31)),
    # vague phrases stay unknown rather than a wrong day
    ("this season", TUESDAY, False, None, None),
    ("recently", TUESDAY, False, None, None),
    ("the end of 2021", TUESDAY, True, None, None),
    ("the third quarter ended Sept. 29", TUESDAY, False, None, None),
    # without a publication date, only absolute dates resolve
    ("Wednesday", None, False, None, None),
    ("last month", None, False, None, None),
    ("March 3", None, False, None, None),
    ("March 3, 2019", None, False, D(2019, 3, 3), D(2019, 3, 3)),
    ("2016", None, False, D(2016, 1, 1), D(2016, 12, 31)),
]


@pytest.mark.parametrize(("phrase", "published", "future", "start", "end"), CASES)
def test_date_phrases_resolve_against_publication_date_and_tense(
    phrase: str, published: datetime | None, future: bool, start: date | None, end: date | None
) -> None:
    assert resolve_date(phrase, published, future=future) == (start, end)


def test_the_table_has_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("phrase", "point"),
    [
        ("on Tuesday", True),
        ("March 2019", True),
        ("barely a week ago", True),
        ("eleven years", False),
        ("the past three years", False),
        ("two years old", False),
    ],
)
def test_points_in_time_are_told_from_durations(phrase: str, point: bool) -> None:
    assert is_point_in_time(phrase) is point
