"""Shared builders and the checker for the table-driven decision tests (tests/core/test_table_*.py).

Rows are written as ``ok(case_id, facts, *grounds)`` (the contact is allowed and rests on these grounds)
or ``no(case_id, facts, *reasons)`` (the contact is blocked, at least for these reasons). A ground or
reason is either a rule code (``NL_PHONE_NATURAL_PERSON_OPT_IN``, ``BE_PHONE_DNCM_LISTED``) or a category
(``calling_hours``). Expected values come from the law (shared/rules-reference.md) and the decision
contract (shared/DESIGN.md), never from the engine's output.

Dates in facts are written relative to the moment of the question (``days`` before ``at``), so that each
row states what matters ("consent given 366 days ago") rather than a calendar date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from leadgate.rules.model import Rulebooks
from tests.factory import consent, facts, run

CATEGORIES = frozenset({
    "consent", "register", "objection", "calling_hours", "contact_pressure", "retention", "governance",
    "data_source", "invalid_contact",
})
_UNSET: Any = object()
ANY_TIME: Any = _UNSET  # next_at=ANY_TIME: the row does not check next_allowed_at

# Valid numbers of the French overseas departments (mobile ranges), each with its own time zone.
REUNION_MOBILE = "+262692123456"
REUNION_LANDLINE = "+262262123456"
GUADELOUPE_MOBILE = "+590690123456"
MARTINIQUE_MOBILE = "+596696123456"
GUYANE_MOBILE = "+594694123456"


@dataclass(frozen=True)
class Expect:
    allowed: bool
    must: tuple[str, ...]
    next_at: Any = _UNSET
    rulebook: str | None = None
    jurisdiction: Any = _UNSET
    absent: tuple[str, ...] = ()


def ok(case_id: str, data: dict[str, Any], *grounds: str, **kw: Any) -> Any:
    """An allowed contact; `grounds` must appear among the decision's grounds."""
    return pytest.param(data, Expect(True, grounds, **kw), id=case_id)


def no(case_id: str, data: dict[str, Any], *reasons: str, **kw: Any) -> Any:
    """A blocked contact; `reasons` (codes or categories) must appear among the decision's reasons."""
    assert reasons, f"{case_id}: a blocked row must name at least one reason"
    kw.setdefault("next_at", None)  # waiting does not help unless the row says when it does
    return pytest.param(data, Expect(False, reasons, **kw), id=case_id)


def check(books: Rulebooks, data: dict[str, Any], expect: Expect) -> None:
    decision = run(books, data)
    shown = json.dumps(decision.as_dict(), indent=1, ensure_ascii=False)
    assert decision.allowed is expect.allowed, shown
    pool = decision.grounds if expect.allowed else decision.reasons
    found = {r.code for r in pool} | {r.category for r in pool}
    for want in expect.must:
        assert want in found, f"expected {want!r} in {'grounds' if expect.allowed else 'reasons'}:\n{shown}"
    everything = {r.code for r in decision.reasons} | {r.category for r in decision.reasons}
    for unwanted in expect.absent:
        assert unwanted not in everything, f"did not expect {unwanted!r} among the reasons:\n{shown}"
    if expect.next_at is not _UNSET:
        want_next = None if expect.next_at is None else datetime.fromisoformat(expect.next_at)
        assert decision.next_allowed_at == want_next, f"next_allowed_at should be {expect.next_at}:\n{shown}"
    if expect.rulebook is not None:
        assert decision.rulebook == expect.rulebook, shown
    if expect.jurisdiction is not _UNSET:
        assert decision.jurisdiction == expect.jurisdiction, shown


# ---------------------------------------------------------------- relative facts


def _before(at: datetime, days: float | None) -> str | None:
    return None if days is None else (at - timedelta(days=days)).isoformat()


def given(channel: str = "phone", days: float | None = 30, *, withdrawn: float | None = None, used: float | None = None,
          **changes: Any) -> dict[str, Any]:
    """A provable consent for `channel`, given `days` before the moment of the question (and withdrawn or
    used `withdrawn` / `used` days before it; negative numbers are after it)."""
    return {**consent(channel), "_days": days, "_withdrawn": withdrawn, "_used": used, **changes}


def registered(name: str, listed: bool = False, days: float = 1) -> dict[str, Any]:
    """A register check `days` before the moment of the question."""
    return {"name": name, "listed": listed, "_days": days}


def attempt(outcome: str, days: float, campaign: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"outcome": outcome, "_days": days}
    if campaign is not None:
        data["campaign"] = campaign
    return data


def objected(channel: str = "all", days: float = 10) -> dict[str, Any]:
    return {"channel": channel, "_days": days}


def customer(paid: bool = True, ended_days: int | None = None) -> dict[str, Any]:
    """A customer relationship, ongoing (None) or ended `ended_days` before the day of the question."""
    return {"paid": paid, "_ended_days": ended_days}


_STAMP = {"consents": "given_at", "registers": "checked_at", "attempts": "at", "objections": "at"}


def build(country: str, at: str | None = None, *, channel: str = "phone", kind: str = "consumer",
          phone: str | None = None, email: str | None = None, contact_country: str | None = None,
          consents: tuple[dict[str, Any], ...] = (), registers: tuple[dict[str, Any], ...] = (),
          attempts: tuple[dict[str, Any], ...] = (), objections: tuple[dict[str, Any], ...] = (),
          cust: dict[str, Any] | None = None, source: Any = _UNSET, lia_days: int | None = 30,
          **campaign: Any) -> dict[str, Any]:
    """Facts for `country` (see tests.factory.facts) with every date expressed relative to `at`.

    The campaign is a legitimate-interest campaign whose balancing test was approved `lia_days` before
    `at`; keyword arguments not named here change the campaign (sector=..., caller_id=...).
    """
    data = facts(country, channel=channel, kind=kind, at=at)
    moment = datetime.fromisoformat(data["at"])
    if phone is not None:
        data["contact"]["phone"] = phone
    if email is not None:
        data["contact"]["email"] = email
    if contact_country is not None:
        data["contact"]["country"] = contact_country
    for key, rows in (("consents", consents), ("registers", registers), ("attempts", attempts),
                      ("objections", objections)):
        stamped = []
        for row in rows:
            row = dict(row)
            days = row.pop("_days")
            for mark, field in (("_withdrawn", "withdrawn_at"), ("_used", "used_at")):
                if mark in row:
                    later = row.pop(mark)
                    row[field] = None if later is None else _before(moment, later)
            stamped.append({**row, _STAMP[key]: _before(moment, days)})
        data[key] = stamped
    if cust is not None:
        ended = cust["_ended_days"]
        data["customer"] = {
            "paid": cust["paid"],
            "relationship_ended": None if ended is None else (moment.date() - timedelta(days=ended)).isoformat(),
        }
    if source is not _UNSET:
        data["source"] = source
    data["campaign"]["lia_approved_at"] = (
        None if lia_days is None else (moment.date() - timedelta(days=lia_days)).isoformat())
    data["campaign"].update(campaign)
    return data
