"""`register_checks` (one number, pre-dial) and `register_states` (bulk screening) give the same answer
for every number at every moment, and that answer is the documented one, over random histories of
full lists and check-service answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from leadgate.kit.db import unit_of_work
from leadgate.registers import service as registers
from leadgate.registers.models import RegisterCheckResult, RegisterNumber, RegisterSnapshot
from leadgate.rules.model import Rulebooks

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
START = NOW - timedelta(hours=30)
POOL = [32_470_000_000 + i for i in range(6)]
NEVER = 32_470_999_999  # in no file

Event = tuple[int, str, dict[int, bool]]  # (hour, full|check, number -> listed; a full list lists its keys)
EVENTS = st.lists(st.tuples(
    st.integers(0, 12), st.sampled_from(["full", "check"]),
    st.dictionaries(st.sampled_from(POOL), st.booleans(), min_size=1, max_size=len(POOL))), max_size=6)


def expected(events: list[Event], number: int, at: datetime) -> tuple[bool, datetime] | None:
    """The documented answer, computed naively: the latest full list at or before `at`, overridden by the
    latest check answer for this number that is strictly later than it."""
    done = [(START + timedelta(hours=h), i, kind, rows) for i, (h, kind, rows) in enumerate(events)
            if START + timedelta(hours=h) <= at]
    fulls = [e for e in done if e[2] == "full"]
    last = max(fulls, key=lambda e: (e[0], e[1])) if fulls else None
    answers = [e for e in done if e[2] == "check" and number in e[3] and (last is None or e[0] > last[0])]
    if answers:
        when, _, _, rows = max(answers, key=lambda e: (e[0], e[1]))
        return rows[number], when
    return (number in last[3], last[0]) if last is not None else None


def from_state(state: registers.RegisterState | None, number: int) -> tuple[bool, datetime] | None:
    if state is None:
        return None
    row = state.numbers.filter(state.numbers["number"] == number)
    if row.height:
        return bool(row["listed"][0]), row["checked_at"][0]
    return (False, state.default_checked_at) if state.default_checked_at is not None else None


def store(url: str, data_dir: Path, books: Rulebooks, events: list[Event]) -> list[Event]:
    """Import the events in time order; returns the ones stored (a full list must be later than the last)."""
    kept: list[Event] = []
    last_full = -1
    for i, (hour, kind, rows) in sorted(enumerate(events), key=lambda e: e[1][0]):
        at = START + timedelta(hours=hour)
        with unit_of_work(url) as session:
            if kind == "full":
                if hour <= last_full:
                    continue
                last_full = hour
                text = "".join(f"0{str(n)[2:]};2020-01-01\n" for n in rows) + f"junk{i}\n"
                registers.import_full(session, register="be-dncm", data=text.encode(), where="f", checked_at=at,
                                      now=NOW, actor="t", force=True, data_dir=data_dir, books=books)
            else:
                text = "number;listed\n" + "".join(f"+{n};{int(v)}\n" for n, v in rows.items()) + f"junk{i};1\n"
                registers.import_check(session, register="be-dncm", data=text.encode(), where="c", checked_at=at,
                                       now=NOW, actor="t", data_dir=data_dir, books=books)
        kept.append((hour, kind, rows))
    return kept


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_single_lookup_and_bulk_states_agree_with_the_rule(database_url: str, books: Rulebooks,
                                                           events: list[Event]) -> None:
    with unit_of_work(database_url) as session:
        for model in (RegisterCheckResult, RegisterNumber, RegisterSnapshot):
            session.execute(delete(model))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        kept = store(database_url, data_dir, books, events)
        for hour in range(-1, 14):
            at = START + timedelta(hours=hour, minutes=30 if hour % 2 else 0)
            with unit_of_work(database_url) as session:
                states = {s.name: s for s in registers.register_states(session, at=at, data_dir=data_dir)}
                if (state := states.get("be-dncm")) is not None:  # uniform says so exactly when it is so
                    default = state.default_checked_at
                    assert state.uniform == (default is not None and bool(
                        (state.numbers["listed"] & (state.numbers["checked_at"] == default)).all())), at
                for number in (*POOL, NEVER):
                    single = {c.name: (c.listed, c.checked_at)
                              for c in registers.register_checks(session, number=number, at=at)}
                    bulk = from_state(states.get("be-dncm"), number)
                    assert single.get("be-dncm") == bulk == expected(kept, number, at), (number, at)
