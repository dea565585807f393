"""Reasons made once per rule and key (evaluators._said) say what a reason made afresh says: a moment
is written with its own offset, whichever equal moment came first."""

from __future__ import annotations

from datetime import datetime

from leadgate.core.evaluators import _reason, _said
from leadgate.rules.model import Rulebooks
from tests.core.test_table_support import build, registered, run


def _register_ground(books: Rulebooks, checked_at: str) -> str:
    data = build("BE", registers=(registered("be-dncm", days=2),))
    data["registers"][0]["checked_at"] = checked_at
    decision = run(books, data)
    assert decision.allowed, decision
    [ground] = [g for g in decision.grounds if g.code.endswith("_CHECKED")]
    return ground.message


def test_an_equal_moment_at_another_offset_is_written_with_its_own_offset(books: Rulebooks) -> None:
    utc, brussels = "2026-11-24T09:00:00+00:00", "2026-11-24T10:00:00+01:00"
    assert datetime.fromisoformat(utc) == datetime.fromisoformat(brussels)
    first, second, again = (_register_ground(books, utc), _register_ground(books, brussels),
                            _register_ground(books, utc))
    assert "2026-11-24T09:00+00:00" in first and first == again
    assert "2026-11-24T10:00+01:00" in second


def test_a_reason_is_made_once_per_rule_and_key_and_equals_one_made_afresh(books: Rulebooks) -> None:
    rule = books.for_region("BE").rules[0]  # type: ignore[union-attr]
    made: list[int] = []

    def make() -> object:
        made.append(1)
        return _reason(rule, "Some text.")

    first = _said(rule, ("k", 1), make)  # type: ignore[arg-type]
    assert _said(rule, ("k", 1), make) is first and len(made) == 1  # type: ignore[arg-type]
    assert first == _reason(rule, "Some text.")
    _said(rule, ("k", 2), make)  # type: ignore[arg-type]
    assert len(made) == 2
