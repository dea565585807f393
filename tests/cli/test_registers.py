"""`leadgate registers` as a user runs it: a full list in, the same file again, a truncated list refused
and then forced, a check-service round trip (export the campaign's numbers, import the answer), and the
status table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from leadgate.kit.db import unit_of_work
from leadgate.registers.models import RegisterCheckResult, RegisterSnapshot
from tests.cli.conftest import RunCli
from tests.store_helpers import CAMPAIGN, setup_store


def moment(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def env_for(url: str, tmp_path: Path) -> dict[str, str]:
    return {"LEADGATE_DATABASE_URL": url, "LEADGATE_DATA_DIR": str(tmp_path / "data")}


def dncm(path: Path, count: int, junk: int = 0) -> Path:
    lines = ["numero;date", *(f"04701{i:05d};2020-01-01" for i in range(count)), *(["n/a;x"] * junk)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_full_lists_in_order_with_the_shrink_guard(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    env = env_for(database_url, tmp_path)
    first = run_cli("registers", "import", "be-dncm", dncm(tmp_path / "a.txt", 100, junk=2),
                    "--checked-at", moment(2), env=env)
    assert first.code == 0, first.err
    out = " ".join(first.out.split())
    assert "lines │ 102" in out and "invalid lines │ 2" in out and "numbers listed │ 100" in out
    assert "line 102: n/***, line 103: n/***" in out and "snapshot 1 stored (ledger event" in out
    assert (tmp_path / "data" / "registers" / "be-dncm" / "1.parquet").exists()
    again = run_cli("registers", "import", "be-dncm", tmp_path / "a.txt", "--checked-at", moment(1), env=env)
    assert again.code == 0 and "already imported" in again.out
    short = run_cli("registers", "import", "be-dncm", dncm(tmp_path / "b.txt", 70), "--checked-at", moment(1), env=env)
    assert short.code == 1
    assert "70 number(s), fewer than 80 % of the 100" in short.err_text and "--force" in short.err_text
    forced = run_cli("registers", "import", "be-dncm", tmp_path / "b.txt", "--checked-at", moment(1), "--force",
                     env=env)
    assert forced.code == 0, forced.err
    assert "+0 / -30 (was 100)" in " ".join(forced.out.split()) and "--force" in forced.out
    for bad, message in ((("xx-none", tmp_path / "a.txt", "--checked-at", moment(1)), "Unknown register 'xx-none'"),
                         (("be-dncm", tmp_path / "a.txt", "--checked-at", "2026-11-20T08:00:00"), "no UTC offset")):
        result = run_cli("registers", "import", *bad, env=env)
        assert result.code == 1 and message in result.err_text
    status = run_cli("registers", "status", env=env)
    assert status.code == 0, status.err
    rows = {line.split("│")[1].strip(): line for line in status.out.splitlines() if line.count("│") > 3}
    assert "fresh" in rows["be-dncm"] and "70" in rows["be-dncm"]
    assert "missing" in rows["gb-tps"] and "missing" in rows["fr-bloctel"]
    assert "Not in force today (no rule naming them applies): fr-bloctel" in " ".join(status.out.split())


def test_check_service_round_trip(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    env = env_for(database_url, tmp_path)
    setup_store(database_url)
    leads = tmp_path / "leads.csv"
    leads.write_text("Naam;Telefoon;Land\nA;06 12 34 56 78;FR\nB;+33 6 12 34 56 79;FR\nC;0470 12 34 56;BE\n"
                     "D;06 12 34 56 78;FR\n", encoding="utf-8")
    intake = run_cli("intake", leads, "--supplier", "LeadShop", "--campaign", CAMPAIGN, env=env)
    assert intake.code == 0, intake.err
    out = tmp_path / "bloctel.txt"
    exported = run_cli("registers", "export-for-check", "fr-bloctel", "--campaign", CAMPAIGN, "--out", out, env=env)
    assert exported.code == 0, exported.err
    assert out.read_text() == "0612345678\n0612345679\n" and "2 number(s) written" in exported.out
    belgian = run_cli("registers", "export-for-check", "be-dncm", "--campaign", CAMPAIGN, "--out",
                      tmp_path / "be.txt", env=env)
    assert belgian.code == 0 and (tmp_path / "be.txt").read_text() == "+32470123456\n"  # E.164 elsewhere
    answer = tmp_path / "answer.csv"
    answer.write_text("numero;statut\n0612345678;inscrit\n0612345679;non inscrit\n", encoding="utf-8")
    imported = run_cli("registers", "import-check", "fr-bloctel", answer, "--checked-at", moment(0.1), env=env)
    assert imported.code == 0, imported.err
    assert "numbers checked │ 2" in " ".join(imported.out.split())
    with unit_of_work(database_url) as session:
        snapshot = session.scalars(select(RegisterSnapshot)).one()
        assert (snapshot.kind, snapshot.numbers_listed) == ("check", 1)
        assert session.scalar(select(func.count()).select_from(RegisterCheckResult)) == 2
    unknown = run_cli("registers", "export-for-check", "fr-bloctel", "--campaign", "nope", "--out", out, env=env)
    assert unknown.code == 1 and "Unknown campaign 'nope'" in unknown.err_text
