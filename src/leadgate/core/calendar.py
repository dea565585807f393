"""Calling windows in the contact's local time: weekday spans, public holidays and special days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from leadgate.rules.model import CallingHoursParams

_SEARCH_DAYS = 31  # no calendar in the rulebooks keeps the phone silent for a month


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def public_holidays(country: str, subdiv: str | None, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays(country, subdiv=subdiv, years=year))


def load_holidays(places: set[tuple[str, str | None]], *, around: date) -> None:
    """Fill `public_holidays`' cache for `places` ((country, subdivision) pairs) in every year a decision
    near `around` can look at: its local day a day either side, and the month ahead `next_open` searches.
    The `holidays` package imports a country's module on first use (Germany's with its school calendars:
    ~0.3 s); a screening run loads them here, beside other work, instead of in the middle of deciding."""
    years = {(around + timedelta(days=d)).year for d in (-1, 0, 1, _SEARCH_DAYS + 1)}
    for country, subdiv in sorted(places, key=lambda p: (p[0], p[1] or "")):
        for year in sorted(years):
            public_holidays(country, subdiv, year)


def holiday_name(country: str, subdiv: str | None, day: date) -> str | None:
    return public_holidays(country, subdiv, day.year).get(day)


def spans_on(params: CallingHoursParams, day: date, country: str, subdiv: str | None
             ) -> tuple[tuple[time, time], ...]:
    """The open spans of `day`, or none when it is a closed day (weekend, holiday, special day)."""
    memo = params.memo()
    key = (day, country, subdiv)
    found = memo.get(key)
    if found is None:
        if params.closed_on_public_holidays and holiday_name(country, subdiv, day):
            found = ()
        else:
            found = params.spans(day.weekday(), f"{day.month:02d}-{day.day:02d}")
        if len(memo) > 100_000:
            memo.clear()
        memo[key] = found
    return found


def next_open(params: CallingHoursParams, local: datetime, country: str, subdiv: str | None
              ) -> tuple[bool, datetime | None]:
    """(open now?, the next moment the window opens when closed; None when nothing opens soon)."""
    now = local.time()
    for span_start, span_end in spans_on(params, local.date(), country, subdiv):
        if span_start <= now < span_end:
            return True, None
        if now < span_start:
            return False, datetime.combine(local.date(), span_start, local.tzinfo)
    day = local.date()
    for _ in range(_SEARCH_DAYS):
        day += timedelta(days=1)
        spans = spans_on(params, day, country, subdiv)
        if spans:
            return False, datetime.combine(day, spans[0][0], local.tzinfo)
    return False, None


def describe(params: CallingHoursParams) -> str:
    """E.g. "Mon–Fri 10:00-13:00, 14:00-20:00; not on public holidays" (worked out once per rule)."""
    return params.description()
