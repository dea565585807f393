"""The calling windows of the planned day in the contact's local time, for the agent's call sheet.

Read from the same rulebook rules the core applies (calling_hours), never restated here.
"""

from __future__ import annotations

from datetime import datetime

from leadgate.core.calendar import holiday_name, spans_on, zone
from leadgate.rules.model import Rulebooks


def describe_windows(books: Rulebooks, region: str | None, kind: str, at: datetime) -> str:
    """E.g. "2026-11-25 10:00-13:00, 14:00-20:00 (Europe/Paris)"; "no statutory calling hours" where
    the rulebook has none; "closed on 2026-12-25 (Christmas Day)" on a closed day."""
    key = (id(books), region or "", kind, at)
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) > 10_000:
            _MEMO.clear()
        found = _MEMO[key] = _describe(books, region or "", kind, at)
    return found


_MEMO: dict[tuple[int, str, str, datetime], str] = {}


def _describe(books: Rulebooks, region: str, kind: str, at: datetime) -> str:
    book = books.for_region(region)
    if book is None:
        return ""
    territory = book.territories.get(region)
    tz_name = territory.timezone if territory else book.timezone
    subdiv = territory.holidays_subdiv if territory else None
    day = at.astimezone(zone(tz_name)).date()
    rules = [r for r in book.rules_for(day, "phone", kind) if r.kind == "calling_hours"]
    if not rules:
        return f"no statutory calling hours ({tz_name})"
    parts = []
    for rule in rules:
        spans = spans_on(rule.params, day, book.holidays_country, subdiv)
        if not spans:
            holiday = holiday_name(book.holidays_country, subdiv, day)
            return f"closed on {day.isoformat()}" + (f" ({holiday})" if holiday else "") + f" ({tz_name})"
        parts.append(", ".join(f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}" for a, b in spans))
    return f"{day.isoformat()} " + " and ".join(parts) + f" ({tz_name})"
