"""The organisation file (leadgate.toml): tighten freely, loosen only in writing, add rules that only block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from leadgate.kit.errors import RulebookError
from leadgate.rules.loader import load
from leadgate.rules.model import Rulebooks
from tests.factory import codes, consent, facts, run

HEAD = '[organisation]\nname = "Voorbeeld Energie BV"\n\n'
REASON = "Board decision 2026-10-01, legal opinion ref. LO-2026-17 on file"


def org(tmp_path: Path, body: str, name: str = "leadgate.toml") -> Rulebooks:
    path = tmp_path / name
    path.write_text(HEAD + body, "utf-8")
    return load(path)


def org_error(tmp_path: Path, body: str) -> RulebookError:
    with pytest.raises(RulebookError) as caught:
        org(tmp_path, body)
    return caught.value


def overrides(books: Rulebooks, data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(run(books, data).as_dict().get("overrides", []))


# ---- tightening ------------------------------------------------------------------------------------------------


def test_tightening_is_accepted_without_reason(tmp_path: Path) -> None:
    books = org(tmp_path, """
[[override]]
rule = "RETRY_AFTER_NO_ANSWER"
params = { days = 2 }

[[override]]
rule = "FR_PHONE_MAX_ATTEMPTS"
params = { max_attempts = 3 }

[[override]]
rule = "BE_PHONE_DNCM"
params = { max_age_days = 3 }

[[override]]
rule = "B2B_BUSINESS_HOURS"
[override.params.windows]
mon = ["09:00-15:00"]
tue = ["09:00-15:00"]
wed = ["09:00-15:00"]
thu = ["09:00-15:00"]
fri = ["09:00-12:00", "13:00-15:00"]
""")
    assert books.organisation == "Voorbeeld Energie BV"
    rules = {r.id: r for b in books.books.values() for r in b.rules}
    assert rules["FR_PHONE_MAX_ATTEMPTS"].params.max_attempts == 3
    assert rules["FR_PHONE_MAX_ATTEMPTS"].params.period_days == 30  # the other parameter is kept
    assert rules["BE_PHONE_DNCM"].params.max_age_days == 3
    assert rules["BE_PHONE_DNCM"].params.name == "be-dncm"
    for rule_id in ("FR_PHONE_MAX_ATTEMPTS", "BE_PHONE_DNCM", "RETRY_AFTER_NO_ANSWER", "B2B_BUSINESS_HOURS"):
        assert rules[rule_id].override is not None and rules[rule_id].override.loosened is False
    # A common rule is changed in every jurisdiction.
    assert all({r.id: r for r in b.rules}["RETRY_AFTER_NO_ANSWER"].params.days == 2 for b in books.books.values())


def test_a_longer_retry_wait_blocks_a_call_30_hours_after_no_answer(books: Rulebooks, tmp_path: Path) -> None:
    strict = org(tmp_path, '[[override]]\nrule = "RETRY_AFTER_NO_ANSWER"\nparams = { days = 2 }\n')
    data = facts("NL", consents=[consent()], attempts=[{"at": "2026-11-23T04:30:00+01:00", "outcome": "no_answer"}])

    assert run(books, data).allowed  # default: one day
    decision = run(strict, data)
    assert not decision.allowed
    assert codes(decision) == {"RETRY_AFTER_NO_ANSWER"}
    # Two days after the attempt is 04:30 on Wednesday; the NL calling hours open at 09:00.
    assert decision.as_dict()["next_allowed_at"] == "2026-11-25T09:00:00+01:00"
    assert {"rule": "RETRY_AFTER_NO_ANSWER", "loosened": False, "reason": None} in overrides(strict, data)


def test_narrower_business_hours_block_a_b2b_call_at_16(books: Rulebooks, tmp_path: Path) -> None:
    strict = org(tmp_path, """
[[override]]
rule = "B2B_BUSINESS_HOURS"
[override.params.windows]
mon = ["09:00-15:00"]
tue = ["09:00-15:00"]
wed = ["09:00-15:00"]
thu = ["09:00-15:00"]
fri = ["09:00-15:00"]
""")
    at_four = facts("NL", kind="business", at="2026-11-24T16:00:00+01:00", contact={
        "kind": "business", "phone": "+31201234567", "country": "NL", "job_title": "Inkoper"})
    at_ten = {**at_four, "at": "2026-11-24T10:00:00+01:00"}

    assert run(books, at_four).allowed  # good practice default: 09:00-17:30
    decision = run(strict, at_four)
    assert codes(decision) == {"B2B_BUSINESS_HOURS"}
    assert decision.as_dict()["next_allowed_at"] == "2026-11-25T09:00:00+01:00"
    assert run(strict, at_ten).allowed
    # Consumers are not under the B2B rule: their NL hours (to 22:00) are unchanged.
    assert run(strict, facts("NL", at="2026-11-24T16:00:00+01:00", consents=[consent()])).allowed


def test_fewer_attempts_in_france(books: Rulebooks, tmp_path: Path) -> None:
    strict = org(tmp_path, '[[override]]\nrule = "FR_PHONE_MAX_ATTEMPTS"\nparams = { max_attempts = 3 }\n')
    attempts = [{"at": f"2026-11-{d:02d}T11:00:00+01:00", "outcome": "voicemail"} for d in (2, 10, 17)]
    data = facts("FR", consents=[consent()], attempts=attempts)

    assert run(books, data).allowed  # D223-9: the fourth call within 30 days is still allowed
    decision = run(strict, data)
    assert codes(decision) == {"FR_PHONE_MAX_ATTEMPTS"}
    assert decision.as_dict()["next_allowed_at"] == "2026-12-02T11:00:00+01:00"


def test_a_fresher_dncm_check_in_belgium(books: Rulebooks, tmp_path: Path) -> None:
    strict = org(tmp_path, '[[override]]\nrule = "BE_PHONE_DNCM"\nparams = { max_age_days = 3 }\n')
    data = facts("BE", registers=[{"name": "be-dncm", "listed": False, "checked_at": "2026-11-20T06:00:00+01:00"}])

    assert run(books, data).allowed  # 4 days old, within the licence's 5
    decision = run(strict, data)
    assert not decision.allowed
    assert {r.category for r in decision.reasons} == {"register"}
    assert all(r.code.startswith("BE_PHONE_DNCM") for r in decision.reasons)


def test_disabling_a_grant_is_stricter_and_needs_no_reason(books: Rulebooks, tmp_path: Path) -> None:
    strict = org(tmp_path, '[[override]]\nrule = "NL_EMAIL_SOFT_OPT_IN"\nenabled = false\n')
    customer_mail = facts("NL", channel="email", customer={"paid": True, "relationship_ended": None},
                          source={"kind": "customer_record", "purpose_compatible": True})

    assert run(books, customer_mail).allowed  # Tw 11.7 lid 3: paying customer, similar products
    decision = run(strict, customer_mail)
    assert not decision.allowed
    assert "NL_EMAIL_OPT_IN" in codes(decision)
    assert "NL_EMAIL_SOFT_OPT_IN" not in {r.id for r in strict.books["NL"].rules}


# ---- loosening ------------------------------------------------------------------------------------------------

LOOSENINGS = {
    "more-attempts": ("FR_PHONE_MAX_ATTEMPTS", "max_attempts", "params = { max_attempts = 6 }"),
    "shorter-period": ("FR_PHONE_MAX_ATTEMPTS", "period_days", "params = { period_days = 7 }"),
    "older-register-check": ("BE_PHONE_DNCM", "max_age_days", "params = { max_age_days = 10 }"),
    "consent-overrides-register": ("BE_PHONE_DNCM", "overrides", 'params = { overrides = ["own_initiative", '
                                                                 '"consent"] }'),
    "wider-hours": ("FR_PHONE_CALLING_HOURS", "windows", "[override.params.windows]\n"
                    + "\n".join(f'{d} = ["09:00-21:00"]' for d in ("mon", "tue", "wed", "thu", "fri"))),
    "saturday": ("FR_PHONE_CALLING_HOURS", "windows", "[override.params.windows]\n"
                 + "\n".join(f'{d} = ["10:00-13:00", "14:00-20:00"]' for d in ("mon", "tue", "wed", "thu", "fri",
                                                                               "sat"))),
    "holidays": ("NL_PHONE_CALLING_HOURS", "closed_on_public_holidays",
                 "params = { closed_on_public_holidays = false }"),
    "shorter-cooldown": ("FR_PHONE_REFUSAL_COOLDOWN", "days", "params = { days = 30 }"),
    "longer-customer-window": ("NL_PHONE_CUSTOMER_EXCEPTION", "window_days", "params = { window_days = 1825 }"),
    "older-consent": ("FR_PHONE_CONSENT_VALIDITY", "consent_max_age_days", "params = { consent_max_age_days = 730 }"),
    "older-lia": ("LIA_REQUIRED", "max_age_days", "params = { max_age_days = 730 }"),
}


@pytest.mark.parametrize("name", list(LOOSENINGS))
def test_loosening_without_reason_is_refused(tmp_path: Path, name: str) -> None:
    rule, param, body = LOOSENINGS[name]
    error = org_error(tmp_path, f'[[override]]\nrule = "{rule}"\n{body}\n')
    assert rule in error.message
    assert param in error.message
    assert "reason" in error.message


def test_disabling_a_legal_rule_without_reason_is_refused(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "OBJECTION"\nenabled = false\n')
    assert "OBJECTION" in error.message and "reason" in error.message


def test_a_reason_must_say_something(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "BE_PHONE_DNCM"\nparams = { max_age_days = 10 }\n'
                                'reason = "ok"\n')
    assert "reason" in error.message


def test_a_blank_reason_is_no_reason(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "BE_PHONE_DNCM"\nparams = { max_age_days = 10 }\n'
                                'reason = "              "\n')
    assert "reason" in error.message


def test_loosening_with_reason_is_carried_by_every_decision_using_the_rule(books: Rulebooks, tmp_path: Path) -> None:
    loose = org(tmp_path, f"""
[[override]]
rule = "BE_PHONE_DNCM"
params = {{ max_age_days = 10 }}
reason = "{REASON}"

[[override]]
rule = "FR_PHONE_MAX_ATTEMPTS"
params = {{ max_attempts = 6 }}
reason = "{REASON}"
""")
    week_old = facts("BE", registers=[{"name": "be-dncm", "listed": False,
                                       "checked_at": "2026-11-17T06:00:00+01:00"}])
    listed = facts("BE", registers=[{"name": "be-dncm", "listed": True, "checked_at": "2026-11-23T06:00:00+01:00"}])
    mail = facts("BE", channel="email", consents=[consent(channel="email")])
    five = facts("FR", consents=[consent()], attempts=[
        {"at": f"2026-11-{d:02d}T11:00:00+01:00", "outcome": "voicemail"} for d in (2, 6, 10, 13, 17)])

    note = {"rule": "BE_PHONE_DNCM", "loosened": True, "reason": REASON}
    assert not run(books, week_old).allowed  # the licence asks for 5 days
    assert run(loose, week_old).allowed
    assert note in overrides(loose, week_old)
    # Blocked or allowed, the decision that used the loosened rule says so.
    assert not run(loose, listed).allowed
    assert note in overrides(loose, listed)
    # An e-mail decision does not use the phone register rule.
    assert run(loose, mail).allowed
    assert all(o["rule"] != "BE_PHONE_DNCM" for o in overrides(loose, mail))

    assert not run(books, five).allowed
    assert run(loose, five).allowed
    assert {"rule": "FR_PHONE_MAX_ATTEMPTS", "loosened": True, "reason": REASON} in overrides(loose, five)
    # Without any override involved, a decision carries no "overrides" at all.
    assert "overrides" not in run(books, five).as_dict()


def test_disabling_a_legal_rule_with_reason_is_on_the_record(tmp_path: Path) -> None:
    loose = org(tmp_path, f'[[override]]\nrule = "OBJECTION"\nenabled = false\nreason = "{REASON}"\n')
    objected = facts("NL", consents=[consent()],
                     objections=[{"channel": "all", "at": "2026-11-01T09:00:00+01:00"}])

    assert "OBJECTION" not in {r.id for r in loose.books["NL"].rules}
    decision = run(loose, objected).as_dict()
    # Whatever it decides, a decision the disabled rule would have blocked must show the written reason.
    assert {"rule": "OBJECTION", "loosened": True, "reason": REASON} in decision.get("overrides", [])


# ---- what cannot be overridden --------------------------------------------------------------------------------


def test_overriding_an_unknown_rule_is_an_error(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "NL_PHONE_NO_SUCH_RULE"\nparams = { days = 2 }\n')
    assert "NL_PHONE_NO_SUCH_RULE" in error.message


@pytest.mark.parametrize(("rule", "params", "param"), [
    ("BE_PHONE_DNCM", '{ register = "be-other" }', "register"),
    ("RETRY_AFTER_NO_ANSWER", '{ scope = "campaign" }', "scope"),
    ("FR_PHONE_MAX_ATTEMPTS", "{ max_calls = 2 }", "max_calls"),
    ("OBJECTION", "{ days = 1 }", "days"),
])
def test_a_parameter_that_cannot_be_overridden_is_an_error(tmp_path: Path, rule: str, params: str, param: str) -> None:
    error = org_error(tmp_path, f'[[override]]\nrule = "{rule}"\nparams = {params}\nreason = "{REASON}"\n')
    assert rule in error.message and param in error.message


def test_a_tightened_value_of_the_wrong_type_is_an_error(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "BE_PHONE_DNCM"\nparams = { max_age_days = "three" }\n')
    assert "BE_PHONE_DNCM" in error.message and "max_age_days" in error.message


def test_unknown_keys_and_missing_name_are_errors(tmp_path: Path) -> None:
    error = org_error(tmp_path, '[[override]]\nrule = "BE_PHONE_DNCM"\nparam = { max_age_days = 3 }\n')
    assert "param" in error.message
    path = tmp_path / "nameless.toml"
    path.write_text('[[override]]\nrule = "BE_PHONE_DNCM"\nparams = { max_age_days = 3 }\n', "utf-8")
    with pytest.raises(RulebookError) as caught:
        load(path)
    assert "organisation" in caught.value.message


def test_a_missing_or_broken_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as caught:
        load(tmp_path / "absent.toml")
    assert "absent.toml" in caught.value.message
    broken = tmp_path / "broken.toml"
    broken.write_text(HEAD + "[[override]\n", "utf-8")
    with pytest.raises(RulebookError) as caught:
        load(broken)
    assert "broken.toml" in caught.value.message


# ---- own rules ---------------------------------------------------------------------------------------------------

BUSY = """
[[rule]]
id = "ORG_BUSY_COOLDOWN"
kind = "cooldown"
channels = ["phone"]
contact_kinds = ["all"]
effective_from = 2026-01-01
confidence = "practice"
reference = "Voorbeeld Energie contact policy 2026 §3"
summary = "After a busy signal, wait three days."
jurisdictions = ["NL"]
[rule.params]
outcomes = ["busy"]
days = 3
"""


def test_own_blocking_rule_applies_only_where_it_says(books: Rulebooks, tmp_path: Path) -> None:
    own = org(tmp_path, BUSY)
    busy = [{"at": "2026-11-23T11:00:00+01:00", "outcome": "busy"}]
    nl = facts("NL", consents=[consent()], attempts=busy)
    be = facts("BE", attempts=busy, registers=[
        {"name": "be-dncm", "listed": False, "checked_at": "2026-11-23T06:00:00+01:00"}])

    assert run(books, nl).allowed and run(books, be).allowed
    decision = run(own, nl)
    assert codes(decision) == {"ORG_BUSY_COOLDOWN"}
    assert {r.category for r in decision.reasons} == {"contact_pressure"}
    assert decision.reasons[0].reference == "Voorbeeld Energie contact policy 2026 §3"
    assert decision.as_dict()["next_allowed_at"] == "2026-11-26T11:00:00+01:00"
    assert run(own, be).allowed
    assert "ORG_BUSY_COOLDOWN" in {r.id for r in own.books["NL"].rules}
    assert all("ORG_BUSY_COOLDOWN" not in {r.id for r in b.rules} for c, b in own.books.items() if c != "NL")
    # Own rules are not law: they do not make a rulebook version (NL's last cut-over before March 2026 is 2024).
    assert own.books["NL"].version(date(2026, 3, 1)) == books.books["NL"].version(date(2026, 3, 1))
    assert own.books["NL"].version(date(2026, 3, 1)) != "nl/2026-01-01"


def test_own_rule_for_an_unknown_jurisdiction_is_an_error(tmp_path: Path) -> None:
    # A typo must not silently switch off a rule the organisation meant to enforce.
    error = org_error(tmp_path, BUSY.replace('jurisdictions = ["NL"]', 'jurisdictions = ["NLD"]'))
    assert "NLD" in error.message


def test_own_rule_without_jurisdictions_applies_everywhere(tmp_path: Path) -> None:
    own = org(tmp_path, BUSY.replace('jurisdictions = ["NL"]\n', ""))
    assert all("ORG_BUSY_COOLDOWN" in {r.id for r in b.rules} for b in own.books.values())


@pytest.mark.parametrize("kind", ["no_consent_required", "opt_in", "customer_exception"])
def test_own_rule_that_would_open_contact_is_an_error(tmp_path: Path, kind: str) -> None:
    body = f"""
[[rule]]
id = "ORG_OPEN_DOOR"
kind = "{kind}"
channels = ["phone"]
contact_kinds = ["consumer"]
effective_from = 2026-01-01
confidence = "practice"
reference = "Voorbeeld Energie policy"
summary = "We may call."
"""
    if kind == "customer_exception":
        body += '[rule.params]\nexempts = ["opt_in"]\n'
    error = org_error(tmp_path, body)
    assert "ORG_OPEN_DOOR" in error.message


def test_own_rule_id_clashing_with_a_bundled_id_is_an_error(tmp_path: Path) -> None:
    error = org_error(tmp_path, BUSY.replace("ORG_BUSY_COOLDOWN", "RETRY_AFTER_NO_ANSWER"))
    assert "RETRY_AFTER_NO_ANSWER" in error.message


def test_an_override_of_an_own_rule_is_not_silently_ignored(tmp_path: Path) -> None:
    body = BUSY + '\n[[override]]\nrule = "ORG_BUSY_COOLDOWN"\nparams = { days = 5 }\n'
    try:
        own = org(tmp_path, body)
    except RulebookError as exc:  # refusing it ("change your own rule instead") is fine too
        assert "ORG_BUSY_COOLDOWN" in exc.message
        return
    rule = {r.id: r for r in own.books["NL"].rules}["ORG_BUSY_COOLDOWN"]
    assert rule.params.days == 5, "the override was accepted but has no effect"


def test_own_rule_with_bad_parameters_is_an_error(tmp_path: Path) -> None:
    error = org_error(tmp_path, BUSY.replace('outcomes = ["busy"]', 'outcomes = ["engaged"]'))
    assert "ORG_BUSY_COOLDOWN" in error.message and "outcomes" in error.message


# ---- the CLI finds the organisation file ----------------------------------------------------------------------


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    return subprocess.run([sys.executable, "-m", "leadgate.cli.main", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env={**base, "COLUMNS": "250", "PYTHONUTF8": "1", **env},
                          timeout=60)


def _dncm(shown: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in shown["rules"] if r["id"] == "BE_PHONE_DNCM")


def test_the_cli_honours_leadgate_org_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "policy.toml"
    path.parent.mkdir()
    path.write_text(HEAD + f'[[override]]\nrule = "BE_PHONE_DNCM"\nparams = {{ max_age_days = 10 }}\n'
                           f'reason = "{REASON}"\n', "utf-8")
    workdir = tmp_path / "work"
    workdir.mkdir()

    with_env = _cli("rules", "show", "BE", "--at", "2026-11-24", "--json", cwd=workdir,
                    env={"LEADGATE_ORG_FILE": str(path)})
    without = _cli("rules", "show", "BE", "--at", "2026-11-24", "--json", cwd=workdir, env={})

    assert with_env.returncode == 0, with_env.stderr
    rule = _dncm(json.loads(with_env.stdout))
    assert rule["params"]["max_age_days"] == 10
    assert rule["override"] == {"loosened": True, "reason": REASON}
    plain = _dncm(json.loads(without.stdout))
    assert plain["params"]["max_age_days"] == 5 and plain["override"] is None


def test_the_cli_reads_leadgate_toml_in_the_working_directory_and_refuses_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text(HEAD + '[[override]]\nrule = "BE_PHONE_DNCM"\n'
                                                   'params = { max_age_days = 10 }\n', "utf-8")

    result = _cli("rules", "show", "BE", "--json", cwd=tmp_path, env={})

    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "BE_PHONE_DNCM" in message and "max_age_days" in message
    assert result.stdout == ""


def test_switching_off_the_uncertain_fr_press_carve_out_fails_closed(books: Rulebooks, tmp_path: Path) -> None:
    # The carve-out rests on one secondary source (confidence M); an organisation may refuse to rely on it.
    press = facts("FR", at="2026-11-24T10:30:00+01:00")
    press["campaign"]["sector"] = "press"
    assert run(books, press).allowed
    strict = org(tmp_path, '[[override]]\nrule = "FR_PHONE_PRESS_CARVE_OUT"\nenabled = false\n')
    decision = run(strict, press)
    assert not decision.allowed
    assert "FR_PHONE_CONSUMER_OPT_IN" not in codes(decision)  # press stays outside the opt-in rule itself
    assert any(r.code == "FR_NO_RULE_IN_FORCE" for r in decision.reasons)
    assert decision.as_dict()["overrides"] == [{"rule": "FR_PHONE_PRESS_CARVE_OUT", "loosened": False, "reason": None}]
