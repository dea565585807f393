"""Screening through the service on SQLite and PostgreSQL: who is exported, who is left out and why."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from leadgate.kit.db import unit_of_work
from leadgate.registers.service import import_full
from leadgate.rules.model import Rulebooks
from leadgate.screening.service import Screened, screen
from tests.screening.builder import (
    CAMPAIGN,
    KEY,
    NOW,
    give_consent,
    make_customer,
    object_to,
    setup_campaign,
    write_leads,
)
from tests.screening.lawful import assert_exports_lawful

AT = datetime.fromisoformat("2026-11-25T10:30:00+01:00")  # a Wednesday morning


def _screen(url: str, books: Rulebooks, tmp_path: Path, leads: Path | None, at: datetime = AT) -> Screened:
    with unit_of_work(url) as session:
        result = screen(session, campaign_id=CAMPAIGN, at=at, books=books, key=KEY, data_dir=tmp_path / "data",
                        out_dir=tmp_path / "out", now=NOW, actor="test", leads=leads)
    assert_exports_lawful(url, books, result.out_dir, key=KEY, data_dir=tmp_path / "data")
    return result


def _blocked(result: Screened) -> dict[int, str]:
    frame = pl.read_csv(result.out_dir / "blocked.csv", infer_schema=False)
    return dict(zip(frame["row"].cast(pl.Int64).to_list(), frame["codes"].to_list(), strict=True))


def test_a_call_list_keeps_the_lawful_rows_and_says_why_the_others_are_left_out(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    give_consent(database_url, "+31 6 12345678", given_at=AT - timedelta(days=30))
    give_consent(database_url, "+32 470 12 34 56", given_at=AT - timedelta(days=30))
    object_to(database_url, "+31 6 87654321", at=AT - timedelta(days=3))
    give_consent(database_url, "+31 6 87654321", given_at=AT - timedelta(days=60))
    with unit_of_work(database_url) as session:  # BE: +32 470 12 34 56 and +32 470 99 88 77 checked, one listed
        import_full(session, register="be-dncm", data=b"0470998877;2020-01-01\n0470000001;2021-05-05\n",
                    where="dncm.txt", checked_at=AT - timedelta(days=1), now=NOW, actor="test",
                    data_dir=tmp_path / "data")
    leads = write_leads(tmp_path / "leads.csv", [
        {"telefoon": "06-12345678", "land": "NL", "naam": "Anna"},       # 2: consent → called
        {"telefoon": "06-11112222", "land": "NL", "naam": "Bram"},       # 3: no consent → NL opt-in
        {"telefoon": "0470 12 34 56", "land": "BE", "naam": "Chloé"},    # 4: consent, not on DNCM → called
        {"telefoon": "0470/99.88.77", "land": "BE", "naam": "Dirk"},     # 5: on DNCM
        {"telefoon": "+31 6 87654321", "land": "NL", "naam": "Eva"},     # 6: objected
        {"telefoon": "12345", "land": "NL", "naam": "Fien"},             # 7: not a number
        {"telefoon": "+31612345678", "land": "NL", "naam": "Anna"},      # 8: the number of row 2 again
    ])
    result = _screen(database_url, books, tmp_path, leads)

    assert (result.rows, result.exported, result.blocked) == (7, 2, 5)
    blocked = _blocked(result)
    assert set(blocked) == {3, 5, 6, 7, 8}
    assert "NL_PHONE_CONSUMER_OPT_IN" in blocked[3] or "OPT_IN" in blocked[3]
    assert "BE_PHONE_DNCM_LISTED" in blocked[5]
    assert "OBJECTION" in blocked[6]
    assert blocked[7] == "PHONE_INVALID"
    assert blocked[8] == "DUPLICATE_NUMBER"
    called = pl.concat([pl.read_csv(p, infer_schema=False) for p in result.out_dir.glob("*/leadflow.csv")])
    assert sorted(called["phone"].to_list()) == ["+31612345678", "+32470123456"]
    row = called.filter(pl.col("phone") == "+31612345678").row(0, named=True)
    assert row["consent_text"] == "Ja, bel mij over energieaanbiedingen." and row["campaign"] == CAMPAIGN
    assert row["calling_windows"]  # the planned day's windows in the contact's time zone
    summary = json.loads((result.out_dir / "summary.json").read_text())
    assert summary["register_snapshots"]["be-dncm"] and summary["left_out_by_code"]["DUPLICATE_NUMBER"] == 1
    _each_left_out_row_has_its_reasons_text(result)


def _each_left_out_row_has_its_reasons_text(result: Screened) -> None:
    """blocked.csv names each row's reason by id; reasons.csv has one row per id with its text, the same
    categories and codes, and how many rows name it."""
    blocked = pl.read_csv(result.out_dir / "blocked.csv", infer_schema=False)
    reasons = pl.read_csv(result.out_dir / "reasons.csv", infer_schema=False)
    assert blocked.columns == ["row", "phone", "categories", "codes", "next_allowed_at", "reason_id"]
    assert reasons.columns == ["reason_id", "categories", "codes", "reason", "rows"]
    assert reasons["reason_id"].is_unique().all() and reasons["reason"].str.len_chars().min() > 0
    joined = blocked.join(reasons, on="reason_id", how="left", suffix="_legend")
    assert joined["reason"].null_count() == 0
    assert joined["codes"].equals(joined["codes_legend"]) and joined["categories"].equals(joined["categories_legend"])
    counted = blocked.group_by("reason_id").len("rows").cast({"rows": pl.String})
    assert counted.join(reasons.select("reason_id", "rows"), on="reason_id", how="full").filter(
        pl.col("rows") != pl.col("rows_right")).height == 0 and counted.height == reasons.height
    summary = json.loads((result.out_dir / "summary.json").read_text())
    assert set(summary["files"]) >= {"blocked.csv", "reasons.csv"}
    assert summary["files"]["blocked.csv"]


def test_customers_go_to_the_customer_flow_and_never_to_two_call_centres(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    numbers = [f"+31 6 2000{i:04d}" for i in range(40)]
    for n in numbers[:20]:
        give_consent(database_url, n, given_at=AT - timedelta(days=10))
    for n in numbers[20:]:
        give_consent(database_url, n, given_at=AT - timedelta(days=10))
        make_customer(database_url, n)
    leads = write_leads(tmp_path / "leads.csv", [{"phone": n, "country": "NL"} for n in numbers])
    result = _screen(database_url, books, tmp_path, leads)

    files = {p: pl.read_csv(p, infer_schema=False) for p in result.out_dir.glob("*/*flow.csv")}
    seen: dict[str, Path] = {}
    for path, frame in files.items():
        for phone in frame["phone"]:
            assert phone not in seen, f"{phone} in {path} and {seen[phone]}"
            seen[phone] = path
    assert len(seen) == 40
    customers = {p for path, f in files.items() if path.name == "klantflow.csv" for p in f["phone"]}
    assert customers == {"+" + n.replace(" ", "").lstrip("+") for n in numbers[20:]}
    # Both call centres get people, roughly by their shares (60/40).
    per_centre = {path.parent.name: 0 for path in files}
    for path, frame in files.items():
        per_centre[path.parent.name] += frame.height
    assert set(per_centre) == {"CallCo", "BelBureau"} and all(v > 0 for v in per_centre.values())


def test_a_screen_of_the_same_list_gives_each_person_the_same_call_centre(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    numbers = [f"+31 6 3000{i:04d}" for i in range(30)]
    for n in numbers:
        give_consent(database_url, n, given_at=AT - timedelta(days=10))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": n} for n in numbers])

    def where() -> dict[str, str]:
        out = {}
        for path in (tmp_path / "out").glob("*/leadflow.csv"):
            out |= {p: path.parent.name for p in pl.read_csv(path, infer_schema=False)["phone"]}
        return out

    _screen(database_url, books, tmp_path, leads)
    first = where()
    _screen(database_url, books, tmp_path, leads)
    assert where() == first and len(first) == 30


def test_regions_go_to_the_call_centre_that_takes_them(database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url, shares=(("CallCo", 50, None), ("BelBureau", 50, "BE")))
    give_consent(database_url, "+31 6 12345678", given_at=AT - timedelta(days=30))
    give_consent(database_url, "+32 470 12 34 56", given_at=AT - timedelta(days=30))
    with unit_of_work(database_url) as session:
        import_full(session, register="be-dncm", data=b"0470998877\n", where="dncm.txt",
                    checked_at=AT - timedelta(days=1), now=NOW, actor="test", data_dir=tmp_path / "data")
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+31612345678"}, {"phone": "+32470123456"}])
    result = _screen(database_url, books, tmp_path, leads)
    assert pl.read_csv(result.out_dir / "BelBureau" / "leadflow.csv", infer_schema=False)["phone"].to_list() == [
        "+32470123456"]
    assert pl.read_csv(result.out_dir / "CallCo" / "leadflow.csv", infer_schema=False)["phone"].to_list() == [
        "+31612345678"]


def test_without_a_register_snapshot_belgian_numbers_fail_closed(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    give_consent(database_url, "+32 470 12 34 56", given_at=AT - timedelta(days=30))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+32470123456"}])
    result = _screen(database_url, books, tmp_path, leads)
    assert result.exported == 0 and "NOT_CHECKED" in _blocked(result)[2]


def test_a_stale_snapshot_fails_closed(database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    give_consent(database_url, "+32 470 12 34 56", given_at=AT - timedelta(days=30))
    with unit_of_work(database_url) as session:
        import_full(session, register="be-dncm", data=b"0470998877\n", where="dncm.txt",
                    checked_at=AT - timedelta(days=6), now=NOW, actor="test", data_dir=tmp_path / "data")
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+32470123456"}])
    result = _screen(database_url, books, tmp_path, leads)
    assert result.exported == 0 and "STALE" in _blocked(result)[2]


def test_before_the_calling_window_opens_the_list_is_made_for_the_opening(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    setup_campaign(database_url)
    give_consent(database_url, "+33 6 12 34 56 78", given_at=AT - timedelta(days=30))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+33612345678"}])
    early = datetime.fromisoformat("2026-11-25T07:30:00+01:00")
    result = _screen(database_url, books, tmp_path, leads, at=early)
    assert result.exported == 1
    row = pl.concat([pl.read_csv(p, infer_schema=False) for p in result.out_dir.glob("*/leadflow.csv")]).row(
        0, named=True)
    assert datetime.fromisoformat(row["call_from"]) == datetime.fromisoformat("2026-11-25T10:00:00+01:00")


def test_an_unknown_campaign_or_one_without_call_centres_is_an_error(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    from leadgate.kit.errors import InvalidInput

    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+31612345678"}])
    with pytest.raises(InvalidInput, match="No campaign"), unit_of_work(database_url) as session:
        screen(session, campaign_id="nope", at=AT, books=books, key=KEY, data_dir=tmp_path, out_dir=tmp_path / "o",
               now=NOW, actor="test", leads=leads)
    assert not (tmp_path / "o").exists()


def test_a_file_that_cannot_be_written_leaves_no_export_receipt_or_ledger_event(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    """The files are written on another thread while the receipt goes into the store: a failure there
    still fails the run, and the unit of work stores nothing of it."""
    from sqlalchemy import func, select

    from leadgate.ledger.models import LedgerEvent
    from leadgate.screening.models import Export, ExportContact

    setup_campaign(database_url)
    give_consent(database_url, "+31 6 12345678", given_at=AT - timedelta(days=30))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "06-12345678", "country": "NL"},
                                                 {"phone": "06-11112222", "country": "NL"}])
    (tmp_path / "out" / "blocked.csv").mkdir(parents=True)  # a folder where the file must go

    def counts() -> tuple[int, int, int]:
        with unit_of_work(database_url) as session:
            return (session.scalar(select(func.count()).select_from(Export)) or 0,
                    session.scalar(select(func.count()).select_from(ExportContact)) or 0,
                    session.scalar(select(func.count()).select_from(LedgerEvent)) or 0)

    before = counts()
    with pytest.raises(OSError), unit_of_work(database_url) as session:
        screen(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY, data_dir=tmp_path / "data",
               out_dir=tmp_path / "out", now=NOW, actor="test", leads=leads)
    assert counts() == before


def test_rows_with_a_history_decided_on_worker_processes_equal_those_decided_here(
        database_url: str, books: Rulebooks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leadgate.screening import parallel
    from leadgate.screening.bulk import decide_row, outcome
    from leadgate.screening.service import decide_candidates

    setup_campaign(database_url)
    numbers = [f"+31 6 4000{i:04d}" for i in range(30)]
    for i, n in enumerate(numbers[:20]):
        give_consent(database_url, n, given_at=AT - timedelta(days=1 + 20 * i),
                     withdrawn_at=AT - timedelta(hours=1) if i % 3 == 0 else None)
    leads = write_leads(tmp_path / "leads.csv", [{"phone": n} for n in numbers])
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel, "_WARM", 3)
    with unit_of_work(database_url) as session:
        forked = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                   data_dir=tmp_path / "data", leads=leads)
        here = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                 data_dir=tmp_path / "data", leads=leads,
                                 individual=lambda rows: [outcome(*decide_row(r, forked.ctx, forked.view, {}))
                                                          for r in rows])
    assert forked.explained().drop("_outcome").equals(here.explained().drop("_outcome"))
    assert 0 < forked.rows["allowed"].sum() < 30  # both kinds of answer are in the comparison


def test_rows_with_the_same_history_share_one_decision_and_a_history_of_its_own_is_decided_alone(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    from leadgate.screening.bulk import OUTCOME_SCHEMA
    from leadgate.screening.service import decide_candidates

    setup_campaign(database_url)
    objected = [f"+31 6 5000{i:04d}" for i in range(3)]
    for n in objected:  # one moment for all three: as a suppression list recorded at once
        object_to(database_url, n, at=AT - timedelta(days=3))
    consented = [f"+31 6 6000{i:04d}" for i in range(2)]
    for i, n in enumerate(consented):
        give_consent(database_url, n, given_at=AT - timedelta(days=10 + i))
    plain = ["+31 6 70000001", "+31 6 70000002"]
    leads = write_leads(tmp_path / "leads.csv", [{"phone": n} for n in objected + consented + plain]
                        + [{"phone": None, "naam": "No number"}, {"phone": "12-34", "land": "NL"}])
    decided: list[int] = []
    with unit_of_work(database_url) as session:
        first = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                  data_dir=tmp_path / "data", leads=leads)

        by_row = {r["_row"]: tuple(r[c] for c in OUTCOME_SCHEMA) for r in first.explained().iter_rows(named=True)}

        def counting(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
            decided.append(len(rows))  # the representatives; their answers as the first run gave them
            return [by_row[r["_row"]] for r in rows]

        again = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                  data_dir=tmp_path / "data", leads=leads, individual=counting)
    # objected (one group), each consent alone, the plain numbers, no number, an invalid number
    assert decided == [6]
    explained, before = again.explained(), first.explained()
    codes = dict(zip(explained["_row"].to_list(), explained["codes"].to_list(), strict=True))
    assert {codes[r] for r in (2, 3, 4)} == {before.filter(pl.col("_row") == 2)["codes"].item()}
    assert "OBJECTION" in codes[2]
    assert codes[9] == "PHONE_MISSING" and codes[10] == "PHONE_INVALID"
    assert before.select("_row", "allowed", "codes").equals(explained.select("_row", "allowed", "codes"))


def test_errors_of_the_reads_beside_the_file_and_of_the_file_itself_reach_the_caller(
        database_url: str, books: Rulebooks, tmp_path: Path) -> None:
    """The store's phone points, the register states and the suppression buckets are read on a second
    thread while the file is read: an altered register in the store, or a file without a phone column,
    still fails the run with its own error and stores nothing."""
    from sqlalchemy import func, select, update

    from leadgate.kit.errors import InvalidInput, LeadgateError
    from leadgate.ledger.models import LedgerEvent
    from leadgate.registers.models import RegisterNumber

    setup_campaign(database_url)
    with unit_of_work(database_url) as session:
        import_full(session, register="be-dncm", data=b"0470998877;2020-01-01\n0470000001;2021-05-05\n",
                    where="dncm.txt", checked_at=AT - timedelta(days=1), now=NOW, actor="test",
                    data_dir=tmp_path / "data")
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "0470 12 34 56", "country": "BE"}])
    no_phone = tmp_path / "no-phone.csv"
    no_phone.write_text("email\nanna@example.nl\n", encoding="utf-8")

    def events() -> int:
        with unit_of_work(database_url) as session:
            return session.scalar(select(func.count()).select_from(LedgerEvent)) or 0

    before = events()
    with pytest.raises(InvalidInput, match="no phone column"), unit_of_work(database_url) as session:
        screen(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY, data_dir=tmp_path / "data",
               out_dir=tmp_path / "out", now=NOW, actor="test", leads=no_phone)
    with unit_of_work(database_url) as session:  # the listings altered behind leadgate's back, cache gone
        session.execute(update(RegisterNumber).where(RegisterNumber.number == 32470998877).values(listed_to=1))
    for cached in (tmp_path / "data").rglob("*.parquet"):
        cached.unlink()
    with pytest.raises(LeadgateError, match="no longer match the hash"), unit_of_work(database_url) as session:
        screen(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY, data_dir=tmp_path / "data",
               out_dir=tmp_path / "out", now=NOW, actor="test", leads=leads)
    assert events() == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize("whole", [True, False])
def test_the_store_view_read_beside_a_long_file_gives_the_same_decisions(
        database_url: str, books: Rulebooks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: bool) -> None:
    """Beside a long file the store view is read for every stored phone number's person before the list
    names its people: a superset of the view read for the list's ids, with the same decisions."""
    from leadgate.screening import service
    from leadgate.screening.service import decide_candidates

    setup_campaign(database_url)
    listed = [f"+31 6 4100{i:04d}" for i in range(12)]
    for i, n in enumerate(listed[:8]):
        give_consent(database_url, n, given_at=AT - timedelta(days=1 + 30 * i))
    object_to(database_url, listed[8], at=AT - timedelta(days=2))
    make_customer(database_url, listed[9])
    for i in range(5):  # stored people the list does not name
        give_consent(database_url, f"+31 6 4200{i:04d}", given_at=AT - timedelta(days=3))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": n} for n in listed])
    with unit_of_work(database_url) as session:
        monkeypatch.setattr(service, "_whole_view", lambda listed, stored: False)
        by_ids = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                   data_dir=tmp_path / "data", leads=leads)
        monkeypatch.setattr(service, "_whole_view", lambda listed, stored: whole)
        beside = decide_candidates(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                   data_dir=tmp_path / "data", leads=leads)
    assert beside.explained().equals(by_ids.explained())
    assert 0 < by_ids.rows["allowed"].sum() < len(listed)
    assert len(by_ids.view.consents) == 8  # the list's consented contact points only
    assert len(beside.view.consents) == 8 + (5 if whole else 0)


@pytest.mark.parametrize(("still_reading", "rows", "stored", "whole"), [
    (True, None, 290_000, True),  # the file outlasts the store's reads: a long list
    (False, 10_000_000, 290_000, True),  # read already, but 34 rows per stored number
    (False, 2_900_000, 290_000, True),  # exactly WHOLE_VIEW_RATIO rows per stored number
    (False, 2_899_999, 290_000, False),
    (False, 1_000_000, 290_000, False),  # a short list: its people read by their ids
    (False, 5, 0, False),  # an empty store: nothing to read ahead
    (False, None, 290_000, False),  # the file could not be read
])
def test_the_whole_view_is_read_ahead_for_a_list_long_next_to_the_store(
        still_reading: bool, rows: int | None, stored: int, whole: bool) -> None:
    from leadgate.screening.service import WHOLE_VIEW_RATIO, _ListLength, _whole_view

    assert WHOLE_VIEW_RATIO == 10  # the table's rows above are written for it
    listed = _ListLength()
    if not still_reading:
        listed.done(rows)
    assert _whole_view(listed, stored) is whole
