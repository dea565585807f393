"""Unit tests of the calling-window calendar with small hand-made parameters.

Expected values are worked out by hand from the windows given here and from the public-holiday
calendars (FR: 11 Nov Armistice, 25 Dec; NL: 25/26 Dec, King's Day 27 Apr 2026; Réunion: 20 Dec).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadgate.core.calendar import describe, next_open, spans_on
from leadgate.rules.model import CallingHoursParams

PARIS = ZoneInfo("Europe/Paris")
AMS = ZoneInfo("Europe/Amsterdam")
WEEK = ("mon", "tue", "wed", "thu", "fri")

# French consumer hours (C. consom. D223-9): Mon-Fri 10-13 and 14-20, never on public holidays.
FR = CallingHoursParams(windows={d: ("10:00-13:00", "14:00-20:00") for d in WEEK})
# NL Code Telemarketing shape: weekdays 9-22, Sat 10-16, 24 Dec until 18:30, 4 May closed.
NL = CallingHoursParams(
    windows={**{d: ("09:00-22:00",) for d in WEEK}, "sat": ("10:00-16:00",)},
    special_days=({"date": "12-24", "until": "18:30"}, {"date": "05-04"}),
)
# Same as FR but open on public holidays.
FR_HOLIDAYS_OPEN = CallingHoursParams(
    windows={d: ("10:00-13:00", "14:00-20:00") for d in WEEK}, closed_on_public_holidays=False)
LATE = CallingHoursParams(windows={"mon": ("20:00-24:00",)}, closed_on_public_holidays=False)
NEVER = CallingHoursParams(windows={}, closed_on_public_holidays=False)


def t(h: int, m: int = 0) -> time:
    return time(h, m)


# ---------------------------------------------------------------------------------------------- spans_on

@pytest.mark.parametrize(("params", "day", "country", "subdiv", "expected"), [
    # Tuesday: both French spans.
    (FR, date(2026, 11, 24), "FR", None, ((t(10), t(13)), (t(14), t(20)))),
    # Saturday and Sunday: no window at all in France.
    (FR, date(2026, 11, 28), "FR", None, ()),
    (FR, date(2026, 11, 29), "FR", None, ()),
    # Wednesday 11 Nov 2026 is Armistice Day: closed.
    (FR, date(2026, 11, 11), "FR", None, ()),
    # ... unless the parameters keep holidays open.
    (FR_HOLIDAYS_OPEN, date(2026, 11, 11), "FR", None, ((t(10), t(13)), (t(14), t(20)))),
    # 20 Dec is a public holiday in Réunion (974), not in metropolitan France (Mon 2027-12-20).
    (FR, date(2027, 12, 20), "FR", "974", ()),
    (FR, date(2027, 12, 20), "FR", None, ((t(10), t(13)), (t(14), t(20)))),
    # NL Saturday: 10-16.
    (NL, date(2026, 11, 28), "NL", None, ((t(10), t(16)),)),
    # 24 Dec 2026 is a Thursday: 09:00 until 18:30 only.
    (NL, date(2026, 12, 24), "NL", None, ((t(9), t(18, 30)),)),
    # 4 May 2026 (Monday) is closed all day.
    (NL, date(2026, 5, 4), "NL", None, ()),
    # 25 and 26 Dec (Christmas, Second Day of Christmas) are holidays.
    (NL, date(2026, 12, 25), "NL", None, ()),
    (NL, date(2026, 12, 26), "NL", None, ()),
    # King's Day, Monday 27 April 2026.
    (NL, date(2026, 4, 27), "NL", None, ()),
])
def test_spans_on(params: CallingHoursParams, day: date, country: str, subdiv: str | None,
                  expected: tuple[tuple[time, time], ...]) -> None:
    assert spans_on(params, day, country, subdiv) == expected


def test_special_day_drops_spans_that_start_after_the_cut() -> None:
    params = CallingHoursParams(windows={"thu": ("09:00-12:00", "19:00-22:00")},
                                special_days=({"date": "12-24", "until": "18:30"},),
                                closed_on_public_holidays=False)
    assert spans_on(params, date(2026, 12, 24), "NL", None) == ((t(9), t(12)),)
    # An ordinary Thursday keeps both.
    assert spans_on(params, date(2026, 12, 17), "NL", None) == ((t(9), t(12)), (t(19), t(22)))


def test_span_to_midnight() -> None:
    (start, end), = spans_on(LATE, date(2026, 11, 23), "FR", None)
    assert start == t(20)
    assert end > t(23, 59)


# --------------------------------------------------------------------------------------------- next_open

def paris(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


@pytest.mark.parametrize(("local", "expected"), [
    # Inside a span: open.
    (paris(2026, 11, 24, 10, 0), (True, None)),
    (paris(2026, 11, 24, 12, 59), (True, None)),
    (paris(2026, 11, 24, 14, 0), (True, None)),
    (paris(2026, 11, 24, 19, 59), (True, None)),
    # Before the first span: opens the same day at 10:00.
    (paris(2026, 11, 24, 8, 0), (False, paris(2026, 11, 24, 10))),
    # A span's end is exclusive: 13:00 is the lunch break, 14:00 next.
    (paris(2026, 11, 24, 13, 0), (False, paris(2026, 11, 24, 14))),
    (paris(2026, 11, 24, 13, 30), (False, paris(2026, 11, 24, 14))),
    # After the last span: next day 10:00.
    (paris(2026, 11, 24, 20, 0), (False, paris(2026, 11, 25, 10))),
    (paris(2026, 11, 24, 23, 59), (False, paris(2026, 11, 25, 10))),
    # Friday evening and the weekend: Monday 10:00.
    (paris(2026, 11, 27, 20, 30), (False, paris(2026, 11, 30, 10))),
    (paris(2026, 11, 28, 11, 0), (False, paris(2026, 11, 30, 10))),
    (paris(2026, 11, 29, 0, 0), (False, paris(2026, 11, 30, 10))),
    # Armistice Day (Wed 11 Nov 2026): Thursday 10:00.
    (paris(2026, 11, 11, 11, 0), (False, paris(2026, 11, 12, 10))),
    # Tuesday 10 Nov after hours: Wednesday is a holiday, so Thursday.
    (paris(2026, 11, 10, 20, 15), (False, paris(2026, 11, 12, 10))),
    # Thursday 24 Dec after 20:00: Christmas Friday, weekend, Monday 28 Dec.
    (paris(2026, 12, 24, 20, 0), (False, paris(2026, 12, 28, 10))),
])
def test_next_open_fr(local: datetime, expected: tuple[bool, datetime | None]) -> None:
    assert next_open(FR, local, "FR", None) == expected


def test_next_open_crosses_the_dst_change_in_local_time() -> None:
    # Friday 23 Oct 2026 21:00 CEST; summer time ends Sunday 25 Oct: Monday opens at 10:00 CET.
    is_open, opens = next_open(FR, paris(2026, 10, 23, 21), "FR", None)
    assert not is_open
    assert opens == paris(2026, 10, 26, 10)
    assert opens is not None and opens.utcoffset() == timedelta(hours=1)
    assert opens.astimezone(ZoneInfo("UTC")).hour == 9


def test_next_open_keeps_the_time_zone_of_the_moment() -> None:
    reunion = ZoneInfo("Indian/Reunion")
    is_open, opens = next_open(FR, datetime(2026, 11, 24, 20, 30, tzinfo=reunion), "FR", "974")
    assert not is_open
    assert opens == datetime(2026, 11, 25, 10, 0, tzinfo=reunion)
    assert opens is not None and opens.utcoffset() == timedelta(hours=4)


def test_next_open_reunion_holiday() -> None:
    reunion = ZoneInfo("Indian/Reunion")
    # Monday 20 Dec 2027, Abolition of Slavery in Réunion: Tuesday 10:00.
    local = datetime(2027, 12, 20, 11, 0, tzinfo=reunion)
    assert next_open(FR, local, "FR", "974") == (False, datetime(2027, 12, 21, 10, 0, tzinfo=reunion))
    # The same Monday is an ordinary day in metropolitan France.
    assert next_open(FR, local, "FR", None) == (True, None)


@pytest.mark.parametrize(("local", "expected"), [
    # Saturday 16:30 is after the Saturday window; Sunday closed: Monday 09:00.
    (datetime(2026, 11, 28, 16, 30, tzinfo=AMS), (False, datetime(2026, 11, 30, 9, 0, tzinfo=AMS))),
    (datetime(2026, 11, 28, 15, 59, tzinfo=AMS), (True, None)),
    (datetime(2026, 11, 28, 9, 30, tzinfo=AMS), (False, datetime(2026, 11, 28, 10, 0, tzinfo=AMS))),
    # 24 Dec (Thu) after 18:30: 25/26 Dec holidays, 27 Sunday: Monday 28 Dec 09:00.
    (datetime(2026, 12, 24, 18, 30, tzinfo=AMS), (False, datetime(2026, 12, 28, 9, 0, tzinfo=AMS))),
    (datetime(2026, 12, 24, 18, 29, tzinfo=AMS), (True, None)),
    # Sunday 3 May 2026: 4 May closed all day, so Tuesday 5 May 09:00.
    (datetime(2026, 5, 3, 12, 0, tzinfo=AMS), (False, datetime(2026, 5, 5, 9, 0, tzinfo=AMS))),
])
def test_next_open_nl(local: datetime, expected: tuple[bool, datetime | None]) -> None:
    assert next_open(NL, local, "NL", None) == expected


def test_next_open_to_midnight_span() -> None:
    assert next_open(LATE, paris(2026, 11, 23, 23, 59), "FR", None) == (True, None)
    # Monday 00:30 is before the Monday window; the window of the day itself opens at 20:00.
    assert next_open(LATE, paris(2026, 11, 23, 0, 30), "FR", None) == (False, paris(2026, 11, 23, 20))
    # Tuesday: a week later.
    assert next_open(LATE, paris(2026, 11, 24, 9), "FR", None) == (False, paris(2026, 11, 30, 20))


def test_next_open_never() -> None:
    assert next_open(NEVER, paris(2026, 11, 24, 12), "FR", None) == (False, None)


# ---------------------------------------------------------------------------------------------- describe

@pytest.mark.parametrize(("params", "expected"), [
    (FR, "Mon–Fri 10:00-13:00, 14:00-20:00; not on public holidays"),
    (FR_HOLIDAYS_OPEN, "Mon–Fri 10:00-13:00, 14:00-20:00"),
    (NL, "Mon–Fri 09:00-22:00; Sat 10:00-16:00; not on public holidays"),
    (LATE, "Mon 20:00-24:00"),
    # Equal spans on days that are not adjacent are not merged into a range.
    (CallingHoursParams(windows={"mon": ("09:00-17:00",), "wed": ("09:00-17:00",)},
                        closed_on_public_holidays=False),
     "Mon 09:00-17:00; Wed 09:00-17:00"),
    (CallingHoursParams(windows={"mon": ("09:00-12:00",), "tue": ("09:00-12:00",), "wed": ("13:00-17:00",),
                                 "thu": ("13:00-17:00",), "sat": ("10:00-12:00",), "sun": ("10:00-12:00",)},
                        closed_on_public_holidays=False),
     "Mon–Tue 09:00-12:00; Wed–Thu 13:00-17:00; Sat–Sun 10:00-12:00"),
])
def test_describe(params: CallingHoursParams, expected: str) -> None:
    assert describe(params) == expected


def test_describe_names_every_open_day_exactly_once() -> None:
    text = describe(NL)
    assert text.count("Sat") == 1
    assert "Sun" not in text


@pytest.mark.parametrize(("around", "years"), [
    (date(2026, 6, 15), {2026}),
    (date(2026, 12, 10), {2026, 2027}),  # next_open may search into January
    (date(2027, 1, 1), {2026, 2027}),  # a western territory's local day is still 31 December
])
def test_load_holidays_fills_every_year_a_decision_near_the_day_reads(around: date, years: set[int]) -> None:
    from leadgate.core import calendar
    from leadgate.rules.loader import load

    books = load(None)
    places = books.holiday_places()
    assert {("NL", None), ("BE", None), ("FR", None), ("FR", "974"), ("GB", None), ("DE", None)} <= places
    calendar.public_holidays.cache_clear()
    calendar.load_holidays(places, around=around)
    before = calendar.public_holidays.cache_info()
    assert before.currsize == len(places) * len(years)
    for country, subdiv in places:
        for year in years:
            calendar.public_holidays(country, subdiv, year)
    assert calendar.public_holidays.cache_info().misses == before.misses  # all answered from the cache
    assert calendar.holiday_name("NL", None, date(around.year, 12, 25)) == "Christmas Day"
