"""`leadgate rules list|show|check` end to end, on the bundled rulebooks and on broken copies of them."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import RunCli

JURISDICTIONS = {"NL": "Netherlands", "BE": "Belgium", "FR": "France", "DE": "Germany", "GB": "United Kingdom"}


def show_json(run_cli: RunCli, *args: str) -> dict[str, Any]:
    result = run_cli("rules", "show", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def ids(shown: dict[str, Any]) -> set[str]:
    return {r["id"] for r in shown["rules"]}


def test_list_shows_the_five_jurisdictions(run_cli: RunCli) -> None:
    result = run_cli("rules", "list", "--at", "2026-11-24")

    assert result.code == 0, result.err
    for code, name in JURISDICTIONS.items():
        assert code in result.out and name in result.out
    for version in ("nl/2026-07-01", "fr/2026-08-11"):
        assert version in result.out
    for overseas in ("RE", "GP", "MQ", "GF", "YT"):  # French overseas departments under the French book
        assert overseas in result.out


def test_show_nl_before_and_after_the_2021_opt_in(run_cli: RunCli) -> None:
    before = run_cli("rules", "show", "NL", "--at", "2021-05-01")
    after = run_cli("rules", "show", "NL", "--at", "2021-07-01")

    assert before.code == 0 and after.code == 0, before.err + after.err
    assert "NL_PHONE_BEL_ME_NIET" in before.out
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" not in before.out
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in after.out
    assert "NL_PHONE_BEL_ME_NIET" not in after.out
    assert "nl/2021-07-01" in after.out


def test_show_json_follows_the_dates(run_cli: RunCli) -> None:
    before, after = show_json(run_cli, "NL", "--at", "2021-06-30"), show_json(run_cli, "NL", "--at", "2021-07-01")

    assert "NL_PHONE_BEL_ME_NIET" in ids(before) and "NL_PHONE_NATURAL_PERSON_OPT_IN" not in ids(before)
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in ids(after) and "NL_PHONE_BEL_ME_NIET" not in ids(after)
    assert after["version"] == "nl/2021-07-01"
    assert before["version"] < after["version"]
    assert "OBJECTION" in ids(after)  # the common rules apply everywhere


def test_uk_is_an_alias_of_gb(run_cli: RunCli) -> None:
    uk, gb = show_json(run_cli, "UK", "--at", "2026-11-24"), show_json(run_cli, "gb", "--at", "2026-11-24")

    assert uk == gb
    assert uk["jurisdiction"] == "GB"
    assert {"GB_PHONE_TPS", "GB_PHONE_CTPS"} <= ids(uk)
    # The charity soft opt-in of the Data (Use and Access) Act is in force since 5 Feb 2026.
    assert "GB_EMAIL_CHARITY_SOFT_OPT_IN" in ids(uk)


def test_an_overseas_region_shows_the_french_book(run_cli: RunCli) -> None:
    reunion = show_json(run_cli, "RE", "--at", "2026-11-24")

    assert reunion["jurisdiction"] == "FR"
    assert "FR_PHONE_CONSUMER_OPT_IN" in ids(reunion)


def test_show_fr_on_the_day_of_the_opt_in(run_cli: RunCli) -> None:
    result = run_cli("rules", "show", "FR", "--at", "2026-08-11", "--json")
    assert result.code == 0, result.err
    opt_in = json.loads(result.out)  # valid JSON, nothing else on stdout
    eve = show_json(run_cli, "FR", "--at", "2026-08-10", "--channel", "phone")

    assert opt_in["version"] == "fr/2026-08-11"
    assert "FR_PHONE_CONSUMER_OPT_IN" in ids(opt_in)
    assert "FR_PHONE_BLOCTEL" not in ids(opt_in)  # the Bloctel concession ended on 10 Aug 2026
    rule = next(r for r in opt_in["rules"] if r["id"] == "FR_PHONE_CONSUMER_OPT_IN")
    assert rule["kind"] == "opt_in" and rule["channels"] == ["phone"]
    assert rule["effective_from"] == "2026-08-11" and rule["effective_to"] is None
    assert rule["confidence"] == "H" and "L223-1" in rule["reference"]
    assert rule["override"] is None

    assert eve["version"] < "fr/2026-08-11"
    assert "FR_PHONE_BLOCTEL" in ids(eve) and "FR_PHONE_CONSUMER_OPT_IN" not in ids(eve)
    assert all("phone" in r["channels"] for r in eve["rules"])
    hours = next(r for r in eve["rules"] if r["id"] == "FR_PHONE_CALLING_HOURS")  # D223-9
    assert hours["params"]["windows"]["mon"] == ["10:00-13:00", "14:00-20:00"]
    assert "sat" not in hours["params"]["windows"] or hours["params"]["windows"]["sat"] == []


def test_unknown_jurisdiction_fails(run_cli: RunCli) -> None:
    code = "XX"
    result = run_cli("rules", "show", code)

    assert result.code == 1
    assert code in result.err_text and "Traceback" not in result.err
    assert result.out == ""


def test_bad_date_fails(run_cli: RunCli) -> None:
    bad = "2021-13-01"
    result = run_cli("rules", "show", "NL", "--at", bad)

    assert result.code == 1
    assert bad in result.err_text and "Traceback" not in result.err


def test_check_accepts_the_bundled_rulebooks(run_cli: RunCli) -> None:
    result = run_cli("rules", "check")

    assert result.code == 0, result.err
    assert "5 rulebooks" in result.out


# ---- rules check --dir on a copy of the bundled books, broken in one place --------------------------------------


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    data = resources.files("leadgate.rules") / "data"
    for item in data.iterdir():
        if item.name.endswith(".toml"):
            (folder / item.name).write_text(item.read_text("utf-8"), "utf-8")
    assert len(list(folder.glob("*.toml"))) == 6
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_check_accepts_an_unchanged_copy(run_cli: RunCli, book_dir: Path) -> None:
    result = run_cli("rules", "check", "--dir", book_dir)

    assert result.code == 0, result.err


def test_check_an_empty_folder_fails(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("rules", "check", "--dir", tmp_path)

    assert result.code == 1
    assert "toml" in result.err_text


BREAKS = {
    "unknown-kind": ("be.toml", 'kind = "register"', 'kind = "registry"', ["be.toml", "BE_PHONE_DNCM", "registry"]),
    "to-before-from": ("fr.toml", "effective_to = 2026-08-10", "effective_to = 2015-12-31",
                       ["fr.toml", "FR_PHONE_BLOCTEL", "effective_to"]),
    "param-type": ("be.toml", "max_age_days = 5", 'max_age_days = "five"',
                   ["be.toml", "BE_PHONE_DNCM", "max_age_days"]),
    "unknown-param": ("fr.toml", "max_attempts = 4", "max_attempts = 4\nmax_calls = 3",
                      ["fr.toml", "FR_PHONE_MAX_ATTEMPTS", "max_calls"]),
    "duplicate-id": ("de.toml", 'id = "DE_CALLER_ID"', 'id = "GB_CALLER_ID"', ["GB_CALLER_ID"]),
    "invalid-toml": ("nl.toml", 'name = "Netherlands"', "name = Netherlands", ["nl.toml", "TOML"]),
    "bad-window": ("nl.toml", 'sat = ["10:00-16:00"]', 'sat = ["16:00-10:00"]',
                   ["nl.toml", "NL_PHONE_CALLING_HOURS_2012", "16:00-10:00"]),
    "holiday-subdivision": ("fr.toml", 'holidays_subdiv = "974"', 'holidays_subdiv = "999"',
                            ["FR", "999"]),
    "holiday-country": ("de.toml", 'holidays_country = "DE"', 'holidays_country = "XY"', ["DE", "XY"]),
    "time-zone": ("gb.toml", 'timezone = "Europe/London"', 'timezone = "Europe/Londres"', ["GB", "Europe/Londres"]),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_check_names_what_is_broken(run_cli: RunCli, book_dir: Path, name: str) -> None:
    file, old, new, mentions = BREAKS[name]
    edit(book_dir, file, old, new)

    result = run_cli("rules", "check", "--dir", book_dir)

    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    for needle in mentions:
        assert needle in result.err_text, f"{needle!r} not named in: {result.err_text}"
