"""`leadgate lint-email FILE.eml --campaign ID` as a user runs it, against a migrated store of each kind:
a table (or JSON) of findings, exit 1 when one is an error, 2 when the message or campaign cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import RunCli
from tests.lint.support import SAMPLE, SOURCE, without_header, without_unsubscribe_link
from tests.store_helpers import CAMPAIGN, setup_store

Lint = tuple[RunCli, dict[str, str], Path]


@pytest.fixture
def lint(run_cli: RunCli, database_url: str, tmp_path: Path) -> Lint:
    setup_store(database_url)
    return run_cli, {"LEADGATE_DATABASE_URL": database_url}, tmp_path


def write(folder: Path, text: str, name: str = "message.eml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_the_sample_passes(lint: Lint) -> None:
    run, env, folder = lint
    result = run("lint-email", write(folder, SAMPLE), "--campaign", CAMPAIGN, "--country", "NL",
                 "--kind", "consumer", env=env)
    assert result.code == 0, result.err
    assert "nothing missing (NL)" in result.out


def test_an_error_finding_exits_1_with_a_table(lint: Lint) -> None:
    run, env, folder = lint
    result = run("lint-email", write(folder, without_unsubscribe_link(SAMPLE)), "--campaign", CAMPAIGN,
                 "--country", "FR", "--kind", "consumer", env=env)
    assert result.code == 1, result.err
    assert "UNSUBSCRIBE_LINK_MISSING" in result.out and "L34-5" in result.out and "error" in result.out


def test_warnings_alone_exit_0(lint: Lint) -> None:
    run, env, folder = lint
    result = run("lint-email", write(folder, without_header(SAMPLE, "List-Unsubscribe-Post")), "--campaign",
                 CAMPAIGN, "--country", "NL", "--kind", "consumer", "--json", env=env)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["ok"] is True
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("ONE_CLICK_MISSING", "warning")]


def test_first_contact_and_source_make_art_14_an_error(lint: Lint) -> None:
    run, env, folder = lint
    path = write(folder, SAMPLE.replace(SOURCE, ""))
    base = ("lint-email", path, "--campaign", CAMPAIGN, "--country", "BE", "--kind", "consumer", "--json")
    unknown = run(*base, env=env)
    assert unknown.code == 0 and json.loads(unknown.out)["findings"][0]["message"].startswith("If ")
    known = run(*base, "--first-contact", "--source-kind", "rented_list", env=env)
    assert known.code == 1
    finding = json.loads(known.out)["findings"][0]
    assert finding["code"] == "SOURCE_MISSING" and "art. 14" in finding["reference"]
    later = run(*base, "--not-first-contact", "--source-kind", "rented_list", env=env)
    assert later.code == 0 and json.loads(later.out)["findings"] == []


def test_standard_input(lint: Lint) -> None:
    run, env, _ = lint
    result = run("lint-email", "-", "--campaign", CAMPAIGN, "--country", "DE", "--kind", "consumer", stdin=SAMPLE,
                 env=env)
    assert result.code == 0 and "standard input" in result.out


@pytest.mark.parametrize(("args", "says"), [
    (("--campaign", "nope"), "No campaign 'nope'"),
    (("--campaign", CAMPAIGN, "--kind", "robot"), "--kind must be one of"),
    (("--campaign", CAMPAIGN, "--source-kind", "rumour"), "--source-kind must be one of"),
    (("--campaign", CAMPAIGN, "--country", "Holland"), "not a two-letter country code"),
])
def test_what_cannot_be_linted_exits_2(lint: Lint, args: tuple[str, ...], says: str) -> None:
    run, env, folder = lint
    result = run("lint-email", write(folder, SAMPLE), *args, env=env)
    assert result.code == 2 and says in result.err_text


def test_an_unreadable_message_or_file_exits_2(lint: Lint) -> None:
    run, env, folder = lint
    garbage = run("lint-email", write(folder, "no headers at all"), "--campaign", CAMPAIGN, env=env)
    assert garbage.code == 2 and "no RFC 5322 headers" in garbage.err_text
    missing = run("lint-email", folder / "absent.eml", "--campaign", CAMPAIGN, env=env)
    assert missing.code == 2 and "cannot read" in missing.err_text
