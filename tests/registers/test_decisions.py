"""The pre-dial decision reads the registers: a listed Belgian number is blocked by the DNCM rule with the
snapshot's moment, and the same number after a later list without it is checked and not listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from leadgate.core.facts import RegisterCheck
from leadgate.decisions import service as decisions
from leadgate.kit.db import unit_of_work
from leadgate.registers import service as registers
from leadgate.rules.model import Rulebooks
from tests.store_helpers import CAMPAIGN, KEY, NOW, setup_store

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday, inside Belgian calling hours


def decide(url: str, books: Rulebooks, channel: str = "phone") -> decisions.StoredDecision:
    with unit_of_work(url) as session:
        return decisions.decide_stored(session, contact="0470 12 34 56", country="BE", campaign_id=CAMPAIGN,
                                       channel=channel, at=AT, key=KEY, books=books, record=False, now=NOW,
                                       actor="test")


def imported(url: str, books: Rulebooks, data_dir: Path, text: str, checked_at: datetime) -> None:
    with unit_of_work(url) as session:
        registers.import_full(session, register="be-dncm", data=text.encode(), where="dncm.txt",
                              checked_at=checked_at, now=NOW, actor="test", data_dir=data_dir, books=books)


def test_decisions_use_the_register_as_of_the_moment(database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_store(database_url)
    assert decide(database_url, books).facts.registers == ()
    day1, day2 = AT - timedelta(days=2), AT - timedelta(days=1)
    others = "".join(f"047012346{i};2020-01-01\n" for i in range(9))
    imported(database_url, books, tmp_path, "0470123456;2020-01-01\n" + others, day1)
    listed = decide(database_url, books)
    assert listed.facts.registers == (RegisterCheck(name="be-dncm", listed=True, checked_at=day1),)
    assert not listed.decision.allowed
    assert any(r.code.startswith("BE_PHONE_DNCM") for r in listed.decision.reasons)
    imported(database_url, books, tmp_path, others, day2)
    assert decide(database_url, books).facts.registers == (
        RegisterCheck(name="be-dncm", listed=False, checked_at=day2),)
    assert decide(database_url, books, channel="email").facts.registers == ()
