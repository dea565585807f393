"""`leadgate intake` as a user runs it: messy files, a mapping, XLSX, bad files that store nothing, a second
import that adds nothing, and a kill -9 in the middle of a large import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadgate.consent.models import Consent
from leadgate.intake.models import Intake, Lead
from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint, Person
from tests.cli.conftest import RunCli, clean_env

TABLES = (Person, ContactPoint, Consent, Intake, Lead, LedgerEvent)
HEADER = "Naam;Telefoon;E-mail;Land;Bron;Opt-in datum;Toestemmingstekst;Interesse;Opmerking"
ROWS = [
    "Jan Jansen;06-12345678;jan@example.nl;NL;LP-1;2026-10-02T14:03:00+02:00;Ja, bel mij;zonnepanelen;bel na 5",
    "Zoë Müller;+31 (0)6 12345679;;;LP-1;;;warmtepomp;",
    "José Dupré;0031 6 12345680;jose@example.nl;NL;LP-2;;;;",
    "Bad;06-1234;;NL;LP-1;;;;",
]


def counts(url: str) -> dict[str, int]:
    with unit_of_work(url) as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def store(run_cli: RunCli, url: str) -> dict[str, str]:
    env = {"LEADGATE_DATABASE_URL": url}
    assert run_cli("partner", "add", "LeadShop", "--kind", "lead_supplier", env=env).code == 0
    return env


def test_import_a_messy_file_then_the_same_file_again(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    env = store(run_cli, database_url)
    path = tmp_path / "leads.csv"
    path.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp1252"))
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('extra = ["Interesse"]\n[defaults]\ncountry = "NL"\n', encoding="utf-8")
    dry = run_cli("intake", path, "--supplier", "LeadShop", "--mapping", mapping, "--dry-run", env=env)
    assert dry.code == 0, dry.err
    assert "dry run: nothing stored" in dry.out and counts(database_url)["leads"] == 0
    first = run_cli("intake", path, "--supplier", "LeadShop", "--mapping", mapping, env=env)
    assert first.code == 0, first.err
    out = " ".join(first.out.split())
    for words in ("rows read │ 4", "rows imported │ 3", "rows rejected │ 1", "consents created │ 1",
                  "not a valid phone number │ 1", "Ignored columns (not mapped, not stored): Opmerking",
                  "Kept as lead context: Interesse", "windows-1252, delimiter ';'", "rows/s"):
        assert words in out, words
    assert (tmp_path / "leads.rejected.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith(
        "5;phone;not a valid phone number;Bad;06-1234")
    with unit_of_work(database_url) as session:
        extras = [json.loads(e) if e else None for e in session.scalars(select(Lead.extra).order_by(Lead.row_number))]
    assert extras == [{"Interesse": "zonnepanelen"}, {"Interesse": "warmtepomp"}, None]
    stored = counts(database_url)
    again = run_cli("intake", path, "--supplier", "LeadShop", "--mapping", mapping, env=env)
    assert again.code == 0
    assert "was already imported on" in again.out and "nothing was added" in " ".join(again.out.split())
    assert counts(database_url) == stored
    assert run_cli("ledger", "verify", env=env).code == 0


def test_xlsx_file(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    env = store(run_cli, database_url)
    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Téléphone", "Courriel", "Pays"])
    sheet.append(["Éric", "06 12 34 56 78", "eric@exemple.fr", "FR"])
    sheet.append(["Anne", 612345679, None, "FR"])  # a number cell: Excel dropped the leading 0
    book.save(tmp_path / "leads.xlsx")
    result = run_cli("intake", tmp_path / "leads.xlsx", "--supplier", "LeadShop", env=env)
    assert result.code == 0, result.err
    with unit_of_work(database_url) as session:
        assert set(session.scalars(select(ContactPoint.value).where(ContactPoint.medium == "phone"))) == {
            "+33612345678", "+33612345679"}


@pytest.mark.parametrize(("content", "name", "supplier", "words"), [
    (b"", "leads.csv", "LeadShop", "leads.csv is empty"),
    (HEADER.encode() + b"\r\n", "leads.csv", "LeadShop", "has a header but no data rows"),
    ("\n".join([HEADER, *ROWS]).encode("utf-16-le"), "leads.csv", "LeadShop", "UTF-16 text without a byte order"),
    (b"Naam;Plaats\r\nJan;Delft\r\n", "leads.csv", "LeadShop", "no phone or e-mail column found"),
    (b"PK\x03\x04" + bytes(range(256)) * 8, "leads.csv", "LeadShop", "it is a ZIP archive"),
    (b"\x00\x01\x02\x03" * 64, "leads.csv", "LeadShop", "not a CSV text file"),
    ("\n".join([HEADER, ROWS[0].replace("2026-10-02", "2027-10-02")]).encode(), "leads.csv", "LeadShop",
     "No row of leads.csv can be imported"),
    ("\n".join([HEADER, *ROWS]).encode(), "leads.csv", "Nobody", "leadgate partner add 'Nobody' --kind lead_supplier"),
])
def test_bad_files_say_why_and_store_nothing(run_cli: RunCli, database_url: str, tmp_path: Path, content: bytes,
                                             name: str, supplier: str, words: str) -> None:
    env = store(run_cli, database_url)
    (tmp_path / name).write_bytes(content)
    before = counts(database_url)
    result = run_cli("intake", tmp_path / name, "--supplier", supplier, "--country", "NL", env=env)
    assert result.code == 1, result.out
    assert words in result.err_text
    assert "Traceback" not in result.err
    assert counts(database_url) == before


def _big_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("naam;telefoon;email;land;bron;consent_given_at;consent_text\r\n")
        for i in range(rows):
            consent = "2026-10-02T14:03:00+02:00;Ja, bel mij" if i % 3 == 0 else ";"
            out.write(f"Lead {i};061{i:07d};lead{i}@example.nl;NL;LP-{i % 4};{consent}\r\n")


def test_a_killed_intake_leaves_the_store_unchanged(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    env = store(run_cli, database_url)
    path = tmp_path / "big.csv"
    _big_file(path, 200_000)
    before = counts(database_url)
    process = subprocess.Popen([sys.executable, "-m", "leadgate.cli.main", "intake", str(path), "--supplier",
                                "LeadShop"], cwd=tmp_path, env=clean_env(**env), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    storing = threading.Event()

    def watch() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if "storing" in line:
                storing.set()

    threading.Thread(target=watch, daemon=True).start()
    assert storing.wait(60), "the intake never reached its storing stage"
    time.sleep(0.5)  # well inside the bulk inserts (several seconds for 200,000 rows)
    assert process.poll() is None, "the intake ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert counts(database_url) == before
    rerun = run_cli("intake", path, "--supplier", "LeadShop", env=env)
    assert rerun.code == 0, rerun.err
    after = counts(database_url)
    assert (after["leads"], after["persons"], after["intakes"]) == (200_000, before["persons"] + 200_000, 1)
    assert after["consents"] == 66_667 and after["contact_points"] == 400_000
    assert run_cli("ledger", "verify", env=env).code == 0
