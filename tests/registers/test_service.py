"""Register imports on SQLite and PostgreSQL: listing intervals moved by each new full list, the shrink
guard, the same file twice, check-service answers overriding the full list, past snapshots answered as
they were, and the cache file rebuilt when lost or altered, but never from an altered database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select, update

from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput, LeadgateError
from leadgate.ledger.models import LedgerEvent
from leadgate.registers import service as registers
from leadgate.registers.cache import cache_path
from leadgate.registers.models import RegisterNumber, RegisterSnapshot
from leadgate.rules.model import Rulebooks

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAY1, DAY2, DAY3 = NOW - timedelta(days=3), NOW - timedelta(days=2), NOW - timedelta(days=1)


def dncm(numbers: list[int], junk: tuple[str, ...] = ()) -> bytes:
    """A DNCM-style file: `0470...;registration date` lines for +32 470... numbers."""
    lines = ["nummer;datum", *(f"0{str(n)[2:]};2020-01-01" for n in numbers), *junk]
    return ("\n".join(lines) + "\n").encode()


def base(count: int) -> list[int]:
    return [32_470_000_000 + i for i in range(count)]


def full(url: str, data_dir: Path, books: Rulebooks, numbers: list[int] | bytes, checked_at: datetime,
         **extra: object) -> registers.SnapshotSummary:
    data = numbers if isinstance(numbers, bytes) else dncm(numbers)
    with unit_of_work(url) as session:
        return registers.import_full(session, register="be-dncm", data=data, where="dncm.txt", checked_at=checked_at,
                                     now=NOW, actor="test", data_dir=data_dir, books=books, **extra)  # type: ignore[arg-type]


def check(url: str, books: Rulebooks, rows: dict[int, bool], checked_at: datetime,
          register: str = "be-dncm") -> registers.SnapshotSummary:
    text = "number;listed\n" + "".join(f"+{n};{'yes' if v else 'no'}\n" for n, v in rows.items())
    with unit_of_work(url) as session:
        return registers.import_check(session, register=register, data=text.encode(), where="answer.csv",
                                      checked_at=checked_at, now=NOW, actor="test", data_dir=Path("unused"),
                                      books=books)


def states(url: str, data_dir: Path, at: datetime) -> dict[str, registers.RegisterState]:
    with unit_of_work(url) as session:
        return {s.name: s for s in registers.register_states(session, at=at, data_dir=data_dir)}


def checks(url: str, number: int, at: datetime) -> dict[str, tuple[bool, datetime]]:
    with unit_of_work(url) as session:
        return {c.name: (c.listed, c.checked_at) for c in registers.register_checks(session, number=number, at=at)}


def test_first_and_second_import_store_the_difference(database_url: str, tmp_path: Path, books: Rulebooks) -> None:
    first = full(database_url, tmp_path, books, dncm(base(100), junk=("n/a;2020-01-01", "0470-1;x")), DAY1)
    assert (first.numbers_listed, first.added, first.removed, first.previous_id) == (100, 100, 0, None)
    assert first.lines_total == 102 and first.lines_invalid == 2
    assert [n for n, _ in first.invalid_examples] == [102, 103]
    second = full(database_url, tmp_path, books, [*base(95), 32471000000, 32471000001], DAY2)
    assert (second.numbers_listed, second.added, second.removed, second.previous_id) == (97, 2, 5, first.snapshot_id)
    with unit_of_work(database_url) as session:
        rows = session.scalar(select(func.count()).select_from(RegisterNumber))
        closed = session.scalars(select(RegisterNumber.number).where(RegisterNumber.listed_to == second.snapshot_id))
        assert rows == 102 and sorted(closed) == base(100)[95:]
        event = session.scalars(select(LedgerEvent).where(LedgerEvent.seq == second.ledger_seq)).one()
        assert event.kind == "register.imported" and '"removed":5' in event.body and second.sha256 in event.body
    # Each snapshot still answers as it was: the removed numbers were listed on day 1, not on day 2.
    assert checks(database_url, 32_470_000_099, DAY1 + timedelta(hours=1)) == {"be-dncm": (True, DAY1)}
    assert checks(database_url, 32_470_000_099, NOW) == {"be-dncm": (False, DAY2)}
    assert checks(database_url, 32_470_000_099, DAY1 - timedelta(seconds=1)) == {}
    day1 = states(database_url, tmp_path, DAY1)["be-dncm"]
    assert day1.default_checked_at == DAY1 and day1.numbers["number"].to_list() == base(100)


def test_the_same_file_twice_changes_nothing(database_url: str, tmp_path: Path, books: Rulebooks) -> None:
    first = full(database_url, tmp_path, books, base(10), DAY1)
    again = full(database_url, tmp_path, books, base(10), DAY2)
    assert again.already_imported and again.snapshot_id == first.snapshot_id
    with unit_of_work(database_url) as session:
        assert session.scalar(select(func.count()).select_from(RegisterSnapshot)) == 1


def test_the_shrink_guard_refuses_a_short_file_unless_forced(database_url: str, tmp_path: Path,
                                                              books: Rulebooks) -> None:
    full(database_url, tmp_path, books, base(100), DAY1)
    with pytest.raises(InvalidInput, match=r"lists 79 number\(s\), fewer than 80 % of the 100 .* --force"):
        full(database_url, tmp_path, books, base(79), DAY2)
    with unit_of_work(database_url) as session:
        assert session.scalar(select(func.count()).select_from(RegisterSnapshot)) == 1
    forced = full(database_url, tmp_path, books, base(79), DAY2, force=True)
    assert forced.forced and forced.removed == 21
    assert not full(database_url, tmp_path, books, base(80), DAY3).forced  # 80 of 79: no guard needed


def test_unknown_registers_and_bad_moments_are_refused(database_url: str, tmp_path: Path, books: Rulebooks) -> None:
    unknown = r"Unknown register 'be-dnc'.*be-dncm"
    with unit_of_work(database_url) as session, pytest.raises(InvalidInput, match=unknown):
        registers.import_full(session, register="be-dnc", data=dncm(base(3)), where="x", checked_at=DAY1, now=NOW,
                              actor="t", data_dir=tmp_path, books=books)
    with pytest.raises(InvalidInput, match="UTC offset"):
        full(database_url, tmp_path, books, base(3), datetime(2026, 11, 20, 8, 0))
    with pytest.raises(InvalidInput, match="in the future"):
        full(database_url, tmp_path, books, base(3), NOW + timedelta(minutes=5))
    full(database_url, tmp_path, books, base(3), DAY2)
    with pytest.raises(InvalidInput, match="must be newer than the last one"):
        full(database_url, tmp_path, books, base(4), DAY1)


def test_cache_lost_or_altered_is_rebuilt_an_altered_database_is_an_error(database_url: str, tmp_path: Path,
                                                                         books: Rulebooks) -> None:
    full(database_url, tmp_path, books, base(50), DAY1)
    second = full(database_url, tmp_path, books, [*base(45), 32480000000], DAY2)
    with unit_of_work(database_url) as session:
        snapshot = session.get(RegisterSnapshot, second.snapshot_id)
        assert snapshot is not None
        path = cache_path(tmp_path, snapshot)
        want = registers.listed_numbers(session, snapshot=snapshot, data_dir=tmp_path).to_list()
        assert want == [*base(45), 32480000000]
        path.unlink()
        assert registers.listed_numbers(session, snapshot=snapshot, data_dir=tmp_path).to_list() == want
        assert path.exists()
        pl.DataFrame({"number": [1, 2, 3]}).write_parquet(path)  # altered (or another snapshot's) cache
        assert registers.listed_numbers(session, snapshot=snapshot, data_dir=tmp_path).to_list() == want
        path.write_bytes(b"not parquet")
        assert registers.listed_numbers(session, snapshot=snapshot, data_dir=tmp_path).to_list() == want
    with unit_of_work(database_url) as session:
        session.execute(update(RegisterNumber).where(RegisterNumber.number == base(1)[0]).values(listed_to=1))
    with unit_of_work(database_url) as session:
        snapshot = session.get(RegisterSnapshot, second.snapshot_id)
        assert snapshot is not None
        path.unlink()
        with pytest.raises(LeadgateError, match="no longer match the hash"):
            registers.listed_numbers(session, snapshot=snapshot, data_dir=tmp_path)


def test_check_answers_override_the_full_list_only_when_later(database_url: str, tmp_path: Path,
                                                              books: Rulebooks) -> None:
    listed, other, unseen = 32_470_000_001, 32_470_000_500, 32_470_000_777
    early = check(database_url, books, {other: True}, DAY1 - timedelta(hours=1))
    assert (early.kind, early.numbers_checked, early.numbers_listed) == ("check", 1, 1)
    only_checks = states(database_url, tmp_path, DAY1)["be-dncm"]
    assert only_checks.default_checked_at is None and only_checks.numbers["number"].to_list() == [other]
    assert checks(database_url, unseen, DAY1) == {}  # no full list: a number no check saw was not checked
    full(database_url, tmp_path, books, base(10), DAY1)
    later = check(database_url, books, {listed: False, other: True}, DAY2)
    state = states(database_url, tmp_path, NOW)["be-dncm"]
    assert state.snapshot_ids == (early.snapshot_id + 1, later.snapshot_id)
    rows = {n: (v, at) for n, v, at in state.numbers.iter_rows()}
    assert rows[listed] == (False, DAY2) and rows[other] == (True, DAY2) and rows[32_470_000_002] == (True, DAY1)
    assert unseen not in rows and state.default_checked_at == DAY1
    assert checks(database_url, listed, NOW) == {"be-dncm": (False, DAY2)}
    assert checks(database_url, unseen, NOW) == {"be-dncm": (False, DAY1)}
    # The check before the full list does not count once that list exists.
    assert checks(database_url, other, DAY1 + timedelta(hours=1)) == {"be-dncm": (False, DAY1)}


def test_status_of_every_register_the_rulebooks_name(database_url: str, tmp_path: Path, books: Rulebooks) -> None:
    full(database_url, tmp_path, books, base(5), NOW - timedelta(days=6))
    check(database_url, books, {33_612_345_678: True}, NOW - timedelta(days=2), register="fr-bloctel")
    with unit_of_work(database_url) as session:
        status = {s.name: s for s in registers.snapshot_status(session, now=NOW, books=books)}
    assert set(status) >= {"be-dncm", "gb-tps", "gb-ctps", "fr-bloctel"}
    be = status["be-dncm"]
    assert (be.status, be.max_age_days, be.numbers_listed, be.in_force) == ("stale", 5, 5, True)
    assert be.age_days is not None and round(be.age_days) == 6
    assert status["gb-tps"].status == "missing" and status["gb-tps"].snapshot_id is None
    fr = status["fr-bloctel"]
    assert (fr.status, fr.kind, fr.in_force) == ("fresh", "check", False)  # Bloctel's rule ended 2026-08-10
