"""`leadgate decide` end to end: the real program on real files, JSON Lines in, one decision per line out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import RunCli
from tests.factory import consent, facts

BOM = "\ufeff"


def line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def write_lines(path: Path, lines: list[str], *, newline: str = "\n", prefix: str = "") -> Path:
    path.write_bytes((prefix + newline.join(lines) + newline).encode("utf-8"))
    return path


def decisions(text: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in text.splitlines() if x.strip()]


# Facts whose answer follows from the law (rules-reference.md), not from leadgate.
NL_WITH_CONSENT = facts("NL", id="nl-consent", consents=[consent()])
NL_NO_CONSENT = facts("NL", id=42)  # natural persons: opt-in since 2021-07-01
BE_LISTED = facts("BE", id="be-listed", registers=[
    {"name": "be-dncm", "listed": True, "checked_at": "2026-11-23T06:00:00+01:00"}])
FR_SATURDAY = facts("FR", id="fr-saturday", at="2026-11-28T11:00:00+01:00", consents=[consent()])
DE_EMAIL_NO_CONSENT = facts("DE", id="de-mail", channel="email", kind="business")


def test_file_in_file_out_one_decision_per_line_in_order(run_cli: RunCli, tmp_path: Path) -> None:
    cases = [NL_WITH_CONSENT, NL_NO_CONSENT, BE_LISTED, FR_SATURDAY, DE_EMAIL_NO_CONSENT]
    # Many lines with ids that are not sorted, so "in input order" is not a coincidence.
    extra = [facts("NL", id=f"z{n:02d}-{(n * 7) % 13}", consents=[consent()]) for n in range(25, 0, -1)]
    src = write_lines(tmp_path / "facts.jsonl", [line(c) for c in [*cases, *extra]])
    out = tmp_path / "decisions.jsonl"

    result = run_cli("decide", "--facts", src, "--out", out)

    assert result.code == 0, result.err
    assert result.out == ""
    got = decisions(out.read_text("utf-8"))
    assert [d["id"] for d in got] == [c["id"] for c in [*cases, *extra]]
    assert all(set(d) >= {"id", "allowed", "jurisdiction", "reasons", "grounds", "next_allowed_at", "rulebook"}
               for d in got)
    by_id = {d["id"]: d for d in got}

    nl = by_id["nl-consent"]
    assert nl["allowed"] is True and nl["reasons"] == []
    assert nl["jurisdiction"] == "NL" and nl["rulebook"] == "nl/2026-07-01"
    assert any("LP-TEST-01" in g["message"] for g in nl["grounds"]), "the consent's source is a ground"

    no_consent = by_id[42]  # an integer id stays an integer
    assert no_consent["allowed"] is False
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in {r["code"] for r in no_consent["reasons"]}
    assert {r["category"] for r in no_consent["reasons"]} == {"consent"}
    assert no_consent["next_allowed_at"] is None  # waiting does not bring a consent

    listed = by_id["be-listed"]
    assert listed["allowed"] is False and listed["jurisdiction"] == "BE"
    assert "register" in {r["category"] for r in listed["reasons"]}

    saturday = by_id["fr-saturday"]  # D223-9: Mon-Fri 10:00-13:00 and 14:00-20:00 only
    assert saturday["allowed"] is False
    assert [r["category"] for r in saturday["reasons"]] == ["calling_hours"]
    assert saturday["next_allowed_at"] == "2026-11-30T10:00:00+01:00"

    mail = by_id["de-mail"]  # UWG §7(2) Nr.3: e-mail advertising needs consent, B2B too
    assert mail["allowed"] is False
    assert {r["category"] for r in mail["reasons"]} == {"consent"}

    for d in got:
        assert d["allowed"] is (d["reasons"] == [])
        for r in d["reasons"] + d["grounds"]:
            assert r["code"] and r["message"] and "category" in r and "reference" in r


def test_stdin_to_stdout(run_cli: RunCli) -> None:
    text = "\n".join(line(c) for c in (NL_NO_CONSENT, NL_WITH_CONSENT)) + "\n"

    explicit = run_cli("decide", "--facts", "-", "--out", "-", stdin=text)
    default = run_cli("decide", stdin=text)  # '-' is the default for both

    assert explicit.code == 0, explicit.err
    got = decisions(explicit.out)
    assert [(d["id"], d["allowed"]) for d in got] == [(42, False), ("nl-consent", True)]
    assert default.code == 0 and decisions(default.out) == got


def test_bad_lines_are_reported_and_the_others_still_decided(run_cli: RunCli, tmp_path: Path) -> None:
    naive = facts("NL", id="naive", consents=[consent()])
    naive["at"] = "2026-11-24T10:30:00"  # no UTC offset: which 10:30?
    unknown = facts("NL", id="unknown-field", consents=[consent()])
    unknown["contact"] = {**unknown["contact"], "nickname": "Jan"}
    wrong_channel = facts("NL", id="fax", channel="fax")
    lines = [
        line(NL_WITH_CONSENT),           # 1
        '{"id": "broken", "at": ',       # 2: not JSON
        "",                              # 3: blank, skipped
        line(naive),                     # 4
        line(unknown),                   # 5
        line(NL_NO_CONSENT),             # 6
        line(wrong_channel),             # 7
    ]
    src = write_lines(tmp_path / "mixed.jsonl", lines)
    out = tmp_path / "out.jsonl"

    result = run_cli("decide", "--facts", src, "--out", out)

    assert result.code == 2
    got = decisions(out.read_text("utf-8"))
    assert len(got) == 6
    assert [d["id"] for d in got] == ["nl-consent", None, "naive", "unknown-field", 42, "fax"]
    assert got[0]["allowed"] is True and "error" not in got[0]
    assert got[4]["allowed"] is False and "error" not in got[4]
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in {r["code"] for r in got[4]["reasons"]}

    errors = {d["id"]: d for d in got if "error" in d}
    assert set(errors) == {None, "naive", "unknown-field", "fax"}
    for d in errors.values():
        assert d["allowed"] is False
        assert set(d["error"]) >= {"line", "field", "message"} and d["error"]["message"]
    assert errors[None]["error"]["line"] == 2
    assert errors["naive"]["error"]["line"] == 4  # physical line numbers, blank lines counted
    assert errors["naive"]["error"]["field"] == "at"
    assert "offset" in errors["naive"]["error"]["message"].lower() or "timezone" in \
        errors["naive"]["error"]["message"].lower()
    assert errors["unknown-field"]["error"]["line"] == 5
    assert errors["unknown-field"]["error"]["field"] == "contact.nickname"
    assert errors["fax"]["error"]["line"] == 7
    assert errors["fax"]["error"]["field"] == "channel"
    assert "4" in result.err_text, "standard error says how many lines could not be decided"


def test_non_object_lines_are_errors_not_crashes(run_cli: RunCli) -> None:
    text = "[1, 2]\n\"just text\"\nnull\n" + line(NL_WITH_CONSENT) + "\n"

    result = run_cli("decide", stdin=text)

    assert result.code == 2
    got = decisions(result.out)
    assert [d.get("error", {}).get("line") for d in got] == [1, 2, 3, None]
    assert got[3]["allowed"] is True


def test_all_valid_with_blank_lines_exits_zero(run_cli: RunCli, tmp_path: Path) -> None:
    src = tmp_path / "blanks.jsonl"
    src.write_text("\n   \n" + line(NL_WITH_CONSENT) + "\n\t\n\n" + line(BE_LISTED) + "\n\n\n", "utf-8")

    result = run_cli("decide", "--facts", src)

    assert result.code == 0, result.err
    assert [d["id"] for d in decisions(result.out)] == ["nl-consent", "be-listed"]
    assert len(result.out.splitlines()) == 2  # no output line for a blank input line


def test_utf8_bom_and_crlf_in_a_file_are_tolerated(run_cli: RunCli, tmp_path: Path) -> None:
    # Excel and Windows tools write a byte-order mark and CRLF line ends.
    accented = facts("FR", id="café-éèà", consents=[consent(text="Oui, appelez-moi à propos d'énergie.")])
    src = write_lines(tmp_path / "bom.jsonl", [line(NL_WITH_CONSENT), line(accented)], newline="\r\n", prefix=BOM)

    result = run_cli("decide", "--facts", src)

    assert result.code == 0, result.out + result.err
    got = decisions(result.out)
    assert [d["id"] for d in got] == ["nl-consent", "café-éèà"]
    assert all("error" not in d for d in got)
    assert got[0]["allowed"] is True


def test_utf8_bom_on_standard_input_is_tolerated(run_cli: RunCli) -> None:
    # PowerShell pipes text with a byte-order mark; the first line must not be lost to it.
    result = run_cli("decide", stdin=BOM + line(NL_WITH_CONSENT) + "\n")

    assert result.code == 0, result.out + result.err
    got = decisions(result.out)
    assert got[0]["id"] == "nl-consent" and got[0]["allowed"] is True


def test_a_line_that_is_not_utf8_is_an_error_line_not_a_crash(run_cli: RunCli, tmp_path: Path) -> None:
    latin1 = line(facts("NL", id="latin-1", consents=[consent(text="Ja, bel mij over café-acties.")]))
    src = tmp_path / "mixed-encoding.jsonl"
    src.write_bytes(line(NL_WITH_CONSENT).encode() + b"\n" + latin1.encode("latin-1") + b"\n"
                    + line(NL_NO_CONSENT).encode() + b"\n")

    result = run_cli("decide", "--facts", src)

    assert "Traceback" not in result.err
    assert result.code == 2
    got = decisions(result.out)
    assert len(got) == 3
    assert got[0]["id"] == "nl-consent" and got[0]["allowed"] is True
    assert got[1]["allowed"] is False and got[1]["error"]["line"] == 2
    assert got[2]["id"] == 42 and "error" not in got[2]


def test_missing_input_file_is_a_clear_error(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "facts.jsonl"
    out = tmp_path / "out.jsonl"

    result = run_cli("decide", "--facts", missing, "--out", out)

    assert result.code == 1
    assert "facts.jsonl" in result.err_text
    assert "Traceback" not in result.err
    assert result.out == ""
    assert not out.exists(), "no output file is created when the input cannot be read"


def test_unwritable_output_is_a_clear_error(run_cli: RunCli, tmp_path: Path) -> None:
    src = write_lines(tmp_path / "facts.jsonl", [line(NL_WITH_CONSENT)])

    result = run_cli("decide", "--facts", src, "--out", tmp_path / "no-such-dir" / "out.jsonl")

    assert result.code == 1
    assert "out.jsonl" in result.err_text and "Traceback" not in result.err


def test_org_file_that_loosens_without_reason_stops_the_run(run_cli: RunCli, tmp_path: Path) -> None:
    org = tmp_path / "leadgate.toml"
    org.write_text('[organisation]\nname = "Loose BV"\n\n[[override]]\nrule = "FR_PHONE_MAX_ATTEMPTS"\n'
                   "params = { max_attempts = 6 }\n", "utf-8")
    src = write_lines(tmp_path / "facts.jsonl", [line(NL_WITH_CONSENT)])

    result = run_cli("decide", "--facts", src, "--org", org)

    assert result.code == 1
    assert "FR_PHONE_MAX_ATTEMPTS" in result.err_text
    assert "max_attempts" in result.err_text
    assert "reason" in result.err_text
    assert result.out == ""


def test_org_file_that_tightens_changes_the_decisions(run_cli: RunCli, tmp_path: Path) -> None:
    org = tmp_path / "strict.toml"
    org.write_text('[organisation]\nname = "Strict SA"\n\n[[override]]\nrule = "FR_PHONE_MAX_ATTEMPTS"\n'
                   "params = { max_attempts = 3 }\n", "utf-8")
    attempts = [{"at": f"2026-11-{d:02d}T11:00:00+01:00", "outcome": "voicemail"} for d in (2, 10, 17)]
    three = facts("FR", id="three-attempts", consents=[consent()], attempts=attempts)
    src = write_lines(tmp_path / "facts.jsonl", [line(three)])

    default = run_cli("decide", "--facts", src)
    strict = run_cli("decide", "--facts", src, "--org", org)

    assert default.code == 0 and decisions(default.out)[0]["allowed"] is True  # 3 of at most 4 in 30 days
    assert strict.code == 0, strict.err
    d = decisions(strict.out)[0]
    assert d["allowed"] is False
    assert [r["code"] for r in d["reasons"]] == ["FR_PHONE_MAX_ATTEMPTS"]
    # The oldest of the three leaves the 30-day period on 2 Dec 11:00, a Wednesday inside the hours.
    assert d["next_allowed_at"] == "2026-12-02T11:00:00+01:00"
    assert {"rule": "FR_PHONE_MAX_ATTEMPTS", "loosened": False, "reason": None} in d["overrides"]
