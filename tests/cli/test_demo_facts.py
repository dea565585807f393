"""`leadgate demo --facts`: the bundled example facts, decided and shown as a table (or JSON Lines)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from typing import Any

import phonenumbers
import pytest

from tests.cli.conftest import Result, clean_env


def samples() -> list[dict[str, Any]]:
    text = (resources.files("leadgate.samples") / "demo_facts.jsonl").read_text("utf-8")
    return [json.loads(x) for x in text.splitlines() if x.strip()]


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return _run(tmp_path_factory, "demo", "--facts")


@pytest.fixture(scope="module")
def as_json(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, dict[str, Any]]:
    result = _run(tmp_path_factory, "demo", "--facts", "--json")
    assert result.code == 0, result.err
    lines = [json.loads(x) for x in result.out.splitlines() if x.strip()]
    assert [d["id"] for d in lines] == [s["id"] for s in samples()], "one decision per sample, in order"
    return {d["id"]: d for d in lines}


def _run(factory: pytest.TempPathFactory, *args: str) -> Result:
    # The run_cli fixture is function-scoped; these two runs are shared by the module's tests.
    proc = subprocess.run([sys.executable, "-m", "leadgate.cli.main", *args], capture_output=True,
                          cwd=factory.mktemp("demo"), env=clean_env(), timeout=60)
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def first_column(out: str) -> list[str]:
    """The first cell of each table row; a long value folded over several lines is joined again."""
    rows: list[str] = []
    current: list[str] = []
    for text in out.splitlines():
        if text.startswith("│"):
            current.append(text.split("│")[1].strip())
        elif current and text[:1] in ("├", "└"):
            rows.append("".join(current))
            current = []
    return rows


def test_table_lists_every_case_and_a_summary(table: Result, as_json: dict[Any, dict[str, Any]]) -> None:
    assert table.code == 0, table.err
    rows = first_column(table.out)
    assert rows == [case["id"] for case in samples()]
    summary = re.search(r"(\d+) of (\d+) contacts allowed", table.out)
    assert summary, table.out[-500:]
    allowed, total = int(summary.group(1)), int(summary.group(2))
    assert total == len(samples())
    assert allowed == sum(d["allowed"] for d in as_json.values())
    assert 0 < allowed < total


def test_table_masks_phone_numbers(table: Result) -> None:
    flat = re.sub(r"\s+", "", table.out)  # a number wrapped over two table lines is still a leak
    for case in samples():
        raw = case["contact"].get("phone")
        if not raw:
            continue
        digits = re.sub(r"\D", "", raw)
        number = phonenumbers.parse(raw, case["contact"].get("country"))
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        national = phonenumbers.national_significant_number(number)
        assert raw not in table.out, f"{case['id']}: raw number {raw!r} shown"
        for shown in {e164, digits, national}:
            assert shown not in flat, f"{case['id']}: {shown} appears unmasked in the demo table"


def test_json_decisions_match_the_law(as_json: dict[Any, dict[str, Any]]) -> None:
    # NL: natural persons need consent since 2021-07-01; with a provable consent on a weekday morning: allowed.
    assert as_json["nl-optin-webform"]["allowed"] is True
    # NL: the customer exception ends on 2026-07-01 for energy suppliers; before it, 3 years after the end.
    after = as_json["nl-ex-customer-after-2026-07"]
    assert after["allowed"] is False
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in {r["code"] for r in after["reasons"]}
    before = as_json["nl-ex-customer-before-2026-07"]
    assert before["allowed"] is True
    assert "NL_PHONE_CUSTOMER_EXCEPTION" in {g["code"] for g in before["grounds"]}
    assert before["rulebook"] < "nl/2026-07-01" <= after["rulebook"]
    # ...but it survives for charities.
    assert as_json["nl-charity-donor"]["allowed"] is True
    # NL Code Telemarketing: Saturday until 16:00, no Sunday: Monday 09:00.
    saturday = as_json["nl-saturday-evening"]
    assert saturday["allowed"] is False
    assert saturday["next_allowed_at"] == "2026-11-30T09:00:00+01:00"
    # BE: a DNCM listing binds for customers and businesses too; only their own request overrides it.
    listed = as_json["be-dncm-listed-customer"]
    assert listed["allowed"] is False
    assert {r["category"] for r in listed["reasons"]} == {"register"}
    assert listed["next_allowed_at"] is None
    # BE: the DNCM file must be re-downloaded at least every 5 days; a 13-day-old check is stale.
    assert as_json["be-dncm-check-too-old"]["allowed"] is False
    # FR D223-9: never on Saturday; Monday 10:00 in the consumer's time zone.
    fr_sat = as_json["fr-saturday"]
    assert fr_sat["allowed"] is False
    assert {r["category"] for r in fr_sat["reasons"]} == {"calling_hours"}
    assert fr_sat["next_allowed_at"] == "2026-11-30T10:00:00+01:00"
    # FR D223-9: 13:00-14:00 is closed; the same day at 14:00.
    assert as_json["fr-lunch-break"]["next_allowed_at"] == "2026-11-24T14:00:00+01:00"
    # FR opt-in since 2026-08-11: no consent, no call (a Bloctel check no longer helps).
    assert as_json["fr-no-consent-after-opt-in-law"]["allowed"] is False
    # La Réunion: 08:00 in Paris is 11:00 in Saint-Denis (UTC+4), inside the hours.
    reunion = as_json["fr-reunion-local-time"]
    assert reunion["allowed"] is True and reunion["jurisdiction"] == "FR"
    # DE: consumers need express consent; being a customer is no exception.
    assert as_json["de-customer-without-consent"]["allowed"] is False
    # DE B2B: presumed consent when the call is relevant to the person's role.
    assert as_json["de-business-relevant-role"]["allowed"] is True
    # UK: TPS binds sole traders; being a customer does not override it.
    assert as_json["gb-sole-trader-on-tps"]["allowed"] is False
    # UK: corporate subscribers may be e-mailed without consent (PECR reg 22 applies to individuals).
    assert as_json["gb-corporate-email"]["allowed"] is True
    # NL: a published general address (info@) needs no consent.
    assert as_json["nl-info-address"]["allowed"] is True
    # FR: soft opt-in for a paying customer's e-mail.
    assert as_json["fr-soft-opt-in-email"]["allowed"] is True
    # An objection is absolute, whatever consent came before it.
    objected = as_json["nl-objected"]
    assert objected["allowed"] is False and "objection" in {r["category"] for r in objected["reasons"]}
    # No rulebook for the US: fail closed.
    us = as_json["us-number"]
    assert us["allowed"] is False and us["jurisdiction"] is None

    for d in as_json.values():
        assert d["allowed"] is (d["reasons"] == [])
        if d["allowed"]:
            assert d["grounds"], f"{d['id']}: an allowed contact says what it rests on"
