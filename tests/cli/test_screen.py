"""`leadgate screen` as a user runs it: files out, tables on screen, clear errors that change nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from leadgate.ledger.models import LedgerEvent
from leadgate.rules.model import Rulebooks
from leadgate.screening.models import Export
from tests.cli.conftest import RunCli
from tests.screening.builder import CAMPAIGN, KEY, give_consent, setup_campaign, write_leads
from tests.screening.lawful import assert_exports_lawful
from tests.store_helpers import count

AT = "2026-11-25T10:30:00+01:00"


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {"LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": KEY.decode(),
            "LEADGATE_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def leads(database_url: str, tmp_path: Path) -> Path:
    from datetime import datetime

    setup_campaign(database_url)
    at = datetime.fromisoformat(AT)
    for number in ("+31 6 12345678", "+31 6 22345678", "+33 6 12 34 56 78"):
        give_consent(database_url, number, given_at=at - timedelta(days=20))
    return write_leads(tmp_path / "leads.csv", [
        {"Telefoon": "06-12345678", "Land": "NL", "Naam": "Anna", "Opmerking": "zonnepanelen"},
        {"Telefoon": "06 22 34 56 78", "Land": "NL", "Naam": "Bram", "Opmerking": ""},
        {"Telefoon": "06 41 23 45 67", "Land": "NL", "Naam": "Cas", "Opmerking": ""},
        {"Telefoon": "+33 6 12 34 56 78", "Land": "FR", "Naam": "Dana", "Opmerking": ""},
        {"Telefoon": "0470 12 34 56", "Land": "BE", "Naam": "Eli", "Opmerking": ""},
    ])


def test_screen_a_lead_file_into_call_lists(run_cli: RunCli, database_url: str, tmp_path: Path, leads: Path,
                                            books: Rulebooks) -> None:
    out = tmp_path / "out"
    result = run_cli("screen", "--campaign", CAMPAIGN, "--leads", leads, "--at", AT, "--out", out,
                     env=_env(database_url, tmp_path))
    assert result.code == 0, result.err
    assert "screened 5 row(s) for campaign winter-2026" in result.out and "3 to call, 2 left out" in result.out
    assert "Call lists" in result.out and "Left out, by reason" in result.out
    for stage in ("reading candidates", "normalising numbers", "registers and suppressions", "deciding",
                  "writing files"):
        assert stage in result.err  # one line per stage when standard error is not a terminal
    assert assert_exports_lawful(database_url, books, out, key=KEY) == 3
    blocked = pl.read_csv(out / "blocked.csv", infer_schema=False)
    assert dict(zip(blocked["row"], blocked["categories"], strict=True)) == {"4": "consent", "6": "register"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["source"]["file"] == "leads.csv" and len(summary["source"]["sha256"]) == 64
    assert count(database_url, Export) == 1
    _assert_files_hash_as_recorded(out, summary)


def _assert_files_hash_as_recorded(out: Path, summary: dict[str, Any]) -> None:
    """Every file written is in the summary (and so in the ledger event) with the SHA-256 of its bytes."""
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "summary.json"}
    assert set(summary["files"]) == written
    for name, sha in summary["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha, name


def test_xlsx_call_lists(run_cli: RunCli, database_url: str, tmp_path: Path, leads: Path, books: Rulebooks) -> None:
    out = tmp_path / "out"
    result = run_cli("screen", "--campaign", CAMPAIGN, "--leads", leads, "--at", AT, "--out", out, "--xlsx",
                     env=_env(database_url, tmp_path))
    assert result.code == 0, result.err
    books_written = sorted(out.glob("*/*.xlsx"))
    assert len(books_written) == 4 and not list(out.glob("*/*.csv"))
    rows = sum(openpyxl.load_workbook(p).active.max_row - 1 for p in books_written)  # type: ignore[union-attr]
    assert rows == 3
    assert assert_exports_lawful(database_url, books, out, key=KEY) == 3
    _assert_files_hash_as_recorded(out, json.loads((out / "summary.json").read_text()))


def test_screen_the_campaign_s_stored_candidates(run_cli: RunCli, database_url: str, tmp_path: Path,
                                                 books: Rulebooks) -> None:
    setup_campaign(database_url)
    supplier_file = write_leads(tmp_path / "supplier.csv", [
        {"phone": "06-12345678", "country": "NL", "name": "Anna", "consent_channel": "phone",
         "consent_text": "Ja, bel mij.", "consent_given_at": "2026-11-01T10:00:00+01:00", "source_code": "LP-1"},
        {"phone": "06-22345678", "country": "NL", "name": "Bram"},
    ])
    env = _env(database_url, tmp_path)
    intake = run_cli("intake", supplier_file, "--supplier", "LeadShop", "--campaign", CAMPAIGN, env=env)
    assert intake.code == 0, intake.err
    out = tmp_path / "out"
    result = run_cli("screen", "--campaign", CAMPAIGN, "--at", AT, "--out", out, env=env)
    assert result.code == 0, result.err
    assert "screened 2 row(s)" in result.out and "1 to call, 1 left out" in result.out
    called = pl.concat([pl.read_csv(p, infer_schema=False) for p in out.glob("*/leadflow.csv")])
    assert called["phone"].to_list() == ["+31612345678"] and called["supplier"].to_list() == ["LeadShop"]
    assert called["consent_text"].to_list() == ["Ja, bel mij."]
    assert assert_exports_lawful(database_url, books, out, key=KEY) == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--campaign", "nope"), "No campaign 'nope'"),
    (("--campaign", CAMPAIGN, "--at", "2026-11-25T10:30"), "--at needs a UTC offset"),
    (("--campaign", CAMPAIGN, "--at", "tomorrow"), "is not a moment"),
])
def test_bad_arguments_say_why_and_change_nothing(run_cli: RunCli, database_url: str, tmp_path: Path, leads: Path,
                                                  args: tuple[str, ...], message: str) -> None:
    before = count(database_url, LedgerEvent)
    result = run_cli("screen", *args, "--leads", leads, "--out", tmp_path / "out", env=_env(database_url, tmp_path))
    assert result.code == 1 and message in result.err_text
    assert count(database_url, LedgerEvent) == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"naam;land\nAnna;NL\n", "no phone or e-mail column found"),
    (b"email\nanna@example.nl\n", "no phone column found"),
    (b"", "is empty"),
    (b"phone\n", "has a header but no data rows"),
    (b"\x00\x01\x02PK\x03\x04binary", "is not a CSV text file"),
])
def test_bad_lead_files_say_why_and_change_nothing(run_cli: RunCli, database_url: str, tmp_path: Path, content: bytes,
                                                   message: str) -> None:
    setup_campaign(database_url)
    before = count(database_url, LedgerEvent)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run_cli("screen", "--campaign", CAMPAIGN, "--leads", path, "--at", AT, "--out", tmp_path / "out",
                     env=_env(database_url, tmp_path))
    assert result.code == 1 and message in result.err_text, result.err
    assert count(database_url, LedgerEvent) == before and count(database_url, Export) == 0


def test_rows_with_an_unknown_kind_or_country_are_left_out_with_the_field(
        run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    setup_campaign(database_url)
    path = write_leads(tmp_path / "leads.csv", [{"phone": "+31612345678", "kind": "alien", "country": "NL"},
                                                 {"phone": "+31612345679", "kind": "consumer", "country": "Nederland"}])
    out = tmp_path / "out"
    result = run_cli("screen", "--campaign", CAMPAIGN, "--leads", path, "--at", AT, "--out", out,
                     env=_env(database_url, tmp_path))
    assert result.code == 0, result.err
    blocked = pl.read_csv(out / "blocked.csv", infer_schema=False)
    assert blocked["codes"].to_list() == ["ROW_INVALID_KIND", "ROW_INVALID_COUNTRY"]


def test_help_names_the_outputs(run_cli: RunCli) -> None:
    result = run_cli("screen", "--help")
    assert result.code == 0
    for word in ("--campaign", "--leads", "--at", "--out", "--xlsx", "blocked.csv", "ledger"):
        assert word in result.out


def test_a_parquet_lead_file(run_cli: RunCli, database_url: str, tmp_path: Path, leads: Path,
                             books: Rulebooks) -> None:
    parquet = tmp_path / "leads.parquet"
    pl.read_csv(leads, infer_schema=False).write_parquet(parquet)
    out = tmp_path / "out"
    result = run_cli("screen", "--campaign", CAMPAIGN, "--leads", parquet, "--at", AT, "--out", out,
                     env=_env(database_url, tmp_path))
    assert result.code == 0, result.err
    assert "screened 5 row(s)" in result.out and "3 to call, 2 left out" in result.out
    assert assert_exports_lawful(database_url, books, out, key=KEY) == 3
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(parquet.read_bytes()[:40])
    bad = run_cli("screen", "--campaign", CAMPAIGN, "--leads", damaged, "--at", AT, "--out", tmp_path / "o2",
                  env=_env(database_url, tmp_path))
    assert bad.code == 1 and "is not a readable Parquet file" in bad.err_text
