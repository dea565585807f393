"""Loading the rulebooks: the bundled books are complete and dated as the law is; broken books are named."""

from __future__ import annotations

from datetime import date
from importlib import resources
from zoneinfo import ZoneInfo

import holidays
import pytest

from leadgate.kit.errors import RulebookError
from leadgate.rules.loader import load
from leadgate.rules.model import KINDS, REGIMES, Rulebooks

NATIONAL = {"NL", "BE", "FR", "DE", "GB"}


def bundled() -> dict[str, str]:
    folder = resources.files("leadgate.rules") / "data"
    return {p.name: p.read_text("utf-8") for p in folder.iterdir() if p.name.endswith(".toml")}


def ids(rules: tuple) -> set[str]:  # type: ignore[type-arg]
    return {r.id for r in rules}


# ---- the bundled books ------------------------------------------------------------------------------------------


def test_the_five_jurisdictions_are_loaded(books: Rulebooks) -> None:
    assert set(books.books) == NATIONAL
    assert books.organisation is None
    for code, book in books.books.items():
        assert book.jurisdiction == code
        assert book.name and book.revision
        ZoneInfo(book.timezone)
        holidays.country_holidays(book.holidays_country, years=2026)
        for territory in book.territories.values():
            holidays.country_holidays(book.holidays_country, subdiv=territory.holidays_subdiv, years=2026)


def test_every_rule_is_referenced_dated_and_rated(books: Rulebooks) -> None:
    for book in books.books.values():
        assert book.rules
        for rule in book.rules:
            assert rule.reference and len(rule.reference.strip()) >= 3, rule.id
            assert rule.summary.strip(), rule.id
            assert rule.confidence in ("H", "M", "L", "UNCONFIRMED", "practice"), rule.id
            assert isinstance(rule.effective_from, date), rule.id
            assert rule.effective_to is None or rule.effective_to >= rule.effective_from, rule.id
            assert rule.kind in KINDS, rule.id
            assert rule.channels and rule.contact_kinds, rule.id
            assert rule.jurisdiction in (book.jurisdiction, "*"), rule.id


def test_rule_ids_are_unique(books: Rulebooks) -> None:
    owner: dict[str, str] = {}
    for code, book in books.books.items():
        in_book = [r.id for r in book.rules]
        assert len(in_book) == len(set(in_book)), f"{code} has a rule twice"
        for rule in book.rules:
            if rule.jurisdiction == "*":
                continue
            assert owner.setdefault(rule.id, code) == code, f"{rule.id} is in {owner[rule.id]} and {code}"
    # Every national book carries the same common rules.
    common = [{r.id for r in b.rules if r.jurisdiction == "*"} for b in books.books.values()]
    assert all(c == common[0] for c in common) and "OBJECTION" in common[0]


def test_overseas_regions_use_the_french_book(books: Rulebooks) -> None:
    subdivisions = {"GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976"}
    for region, subdiv in subdivisions.items():
        assert books.regions[region] == "FR"
        book = books.for_region(region)
        assert book is not None and book.jurisdiction == "FR"
        assert book.territories[region].holidays_subdiv == subdiv
    for code in NATIONAL:
        assert books.regions[code] == code
    assert books.for_region("US") is None
    assert books.for_region("UK") is None  # the alias is the CLI's and the facts' business, not a region


def test_versions_follow_the_cut_over_dates(books: Rulebooks) -> None:
    nl, fr = books.books["NL"], books.books["FR"]
    assert nl.version(date(2021, 7, 1)) == "nl/2021-07-01"
    assert nl.version(date(2021, 6, 30)) < "nl/2021-07-01"
    assert nl.version(date(2026, 7, 1)) == "nl/2026-07-01"
    assert nl.version(date(2026, 6, 30)) < "nl/2026-07-01"
    assert nl.version(date(2026, 6, 30)).startswith("nl/")
    assert nl.version(date(2026, 11, 24)) == "nl/2026-07-01"
    assert fr.version(date(2026, 8, 11)) == "fr/2026-08-11"
    assert fr.version(date(2026, 8, 10)) < "fr/2026-08-11"
    assert books.books["GB"].version(date(2026, 2, 5)) == "gb/2026-02-05"
    # Asking twice gives the same answer (the memo must not change it).
    assert nl.version(date(2026, 7, 1)) == nl.version(date(2026, 7, 1))


def test_rules_for_filters_by_date(books: Rulebooks) -> None:
    nl = books.books["NL"]
    before = ids(nl.rules_for(date(2021, 6, 30), "phone", "consumer"))
    after = ids(nl.rules_for(date(2021, 7, 1), "phone", "consumer"))
    assert "NL_PHONE_BEL_ME_NIET" in before and "NL_PHONE_NATURAL_PERSON_OPT_IN" not in before
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in after and "NL_PHONE_BEL_ME_NIET" not in after
    # effective_to is the last day in force.
    assert "NL_PHONE_CUSTOMER_EXCEPTION" in ids(nl.rules_for(date(2026, 6, 30), "phone", "consumer"))
    assert "NL_PHONE_CUSTOMER_EXCEPTION" not in ids(nl.rules_for(date(2026, 7, 1), "phone", "consumer"))
    assert "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL" in ids(nl.rules_for(date(2026, 7, 1), "phone", "consumer"))
    fr = books.books["FR"]
    assert "FR_PHONE_BLOCTEL" in ids(fr.rules_for(date(2026, 8, 10), "phone", "consumer"))
    on = ids(fr.rules_for(date(2026, 8, 11), "phone", "consumer"))
    assert "FR_PHONE_BLOCTEL" not in on and "FR_PHONE_CONSUMER_OPT_IN" in on
    # Nothing that starts later is in force earlier.
    day = date(2015, 1, 1)
    assert all(r.effective_from <= day for r in fr.rules_for(day, "phone", "consumer"))


def test_rules_for_filters_by_channel_and_kind(books: Rulebooks) -> None:
    day = date(2026, 11, 24)
    nl = books.books["NL"]
    email = nl.rules_for(day, "email", "consumer")
    assert all("email" in r.channels for r in email)
    assert "NL_EMAIL_OPT_IN" in ids(email) and "NL_PHONE_NATURAL_PERSON_OPT_IN" not in ids(email)
    # NL: sole traders are natural persons (opt-in); a BV's employee is not.
    sole = ids(nl.rules_for(day, "phone", "sole_trader"))
    business = ids(nl.rules_for(day, "phone", "business"))
    assert "NL_PHONE_NATURAL_PERSON_OPT_IN" in sole and "NL_PHONE_LEGAL_PERSON" not in sole
    assert "NL_PHONE_LEGAL_PERSON" in business and "NL_PHONE_NATURAL_PERSON_OPT_IN" not in business
    assert "B2B_BUSINESS_HOURS" in business and "B2B_BUSINESS_HOURS" not in sole
    # FR: sole traders act as professionals (B2B); Bloctel/opt-in are for consumers.
    fr_sole = ids(books.books["FR"].rules_for(day, "phone", "sole_trader"))
    assert "FR_PHONE_B2B" in fr_sole and "FR_PHONE_CONSUMER_OPT_IN" not in fr_sole
    # UK: TPS covers sole traders, CTPS companies.
    gb = books.books["GB"]
    assert "GB_PHONE_TPS" in ids(gb.rules_for(day, "phone", "sole_trader"))
    assert "GB_PHONE_CTPS" in ids(gb.rules_for(day, "phone", "business"))
    assert "GB_PHONE_TPS" not in ids(gb.rules_for(day, "phone", "business"))


def test_every_channel_and_kind_has_a_regime_today(books: Rulebooks) -> None:
    """Fail closed is the safety net, not the plan: the bundled books say something for every contact today."""
    day = date(2026, 11, 24)
    for code, book in books.books.items():
        for channel in ("phone", "email"):
            for kind in ("consumer", "sole_trader", "business"):
                assert any(r.kind in REGIMES for r in book.rules_for(day, channel, kind)), (code, channel, kind)


def test_parameters_are_the_law(books: Rulebooks) -> None:
    rules = {r.id: r for b in books.books.values() for r in b.rules}
    assert rules["BE_PHONE_DNCM"].params.max_age_days == 5  # DNCM licence: re-download every 5 days
    assert rules["GB_PHONE_TPS"].params.max_age_days == 28  # PECR reg 21(3)
    assert rules["NL_PHONE_CUSTOMER_EXCEPTION"].params.window_days == 3 * 365  # Code Telemarketing
    assert rules["NL_PHONE_CUSTOMER_EXCEPTION"].effective_to == date(2026, 6, 30)
    assert rules["FR_PHONE_MAX_ATTEMPTS"].params.max_attempts == 4  # D223-9
    assert rules["FR_PHONE_MAX_ATTEMPTS"].params.period_days == 30
    assert rules["FR_PHONE_REFUSAL_COOLDOWN"].params.days == 60
    assert rules["FR_PHONE_CONSUMER_OPT_IN"].effective_from == date(2026, 8, 11)
    assert rules["FR_PHONE_BLOCTEL"].effective_to == date(2026, 8, 10)
    assert rules["NL_PHONE_NATURAL_PERSON_OPT_IN"].effective_from == date(2021, 7, 1)
    windows = rules["FR_PHONE_CALLING_HOURS"].params.windows
    assert set(windows) == {"mon", "tue", "wed", "thu", "fri"}
    assert all(list(v) == ["10:00-13:00", "14:00-20:00"] for v in windows.values())
    assert rules["FR_PHONE_CALLING_HOURS"].params.closed_on_public_holidays is True


def test_loading_from_sources_gives_the_same_books(books: Rulebooks) -> None:
    again = load(None, sources=sorted(bundled().items()))
    assert set(again.books) == set(books.books)
    for code, book in books.books.items():
        assert ids(again.books[code].rules) == ids(book.rules)


# ---- parse errors -----------------------------------------------------------------------------------------------

MINI = """\
jurisdiction = "XA"
name = "Testland"
revision = "2026-01-01"
timezone = "Europe/Amsterdam"
holidays_country = "NL"

[[rule]]
id = "XA_PHONE_REGISTER"
kind = "register"
channels = ["phone"]
contact_kinds = ["b2c"]
effective_from = 2020-01-01
confidence = "H"
reference = "Testland Telecom Act art. 1"
summary = "Listed numbers are not called."
[rule.params]
register = "xa-dnc"
max_age_days = 5
"""


def load_mini(text: str) -> Rulebooks:
    return load(None, sources=[("rulebooks/xa.toml", text)])


def broken(old: str, new: str) -> str:
    assert old in MINI
    return MINI.replace(old, new, 1)


def test_a_minimal_book_loads() -> None:
    books = load_mini(MINI)
    rule = books.books["XA"].rules[0]
    assert rule.id == "XA_PHONE_REGISTER"
    assert rule.contact_kinds == frozenset({"consumer"})  # default b2c
    assert rule.category == "register"
    assert books.books["XA"].version(date(2026, 1, 1)) == "xa/2020-01-01"


@pytest.mark.parametrize(("old", "new", "mentions", "field"), [
    ('kind = "register"', 'kind = "registry"', ["xa.toml", "XA_PHONE_REGISTER", "registry"], "XA_PHONE_REGISTER.kind"),
    ("effective_from = 2020-01-01", "effective_from = 2020-01-01\neffective_to = 2019-12-31",
     ["xa.toml", "XA_PHONE_REGISTER", "effective_to"], "XA_PHONE_REGISTER.effective_to"),
    ("max_age_days = 5", 'max_age_days = "five"', ["xa.toml", "XA_PHONE_REGISTER", "max_age_days"], "max_age_days"),
    ("max_age_days = 5", "max_age_days = -1", ["xa.toml", "XA_PHONE_REGISTER", "max_age_days"], "max_age_days"),
    ("max_age_days = 5", "max_age_days = 5\nmax_age_dyas = 3", ["xa.toml", "XA_PHONE_REGISTER", "max_age_dyas"],
     "max_age_dyas"),
    ('register = "xa-dnc"', 'register = "XA DNC"', ["xa.toml", "XA_PHONE_REGISTER", "register"], "register"),
    ('reference = "Testland Telecom Act art. 1"\n', "", ["xa.toml", "reference"], "reference"),
    ('confidence = "H"', 'confidence = "high"', ["xa.toml", "confidence"], "confidence"),
    ('contact_kinds = ["b2c"]', 'contact_kinds = ["consumers"]', ["xa.toml", "contact_kinds"], "contact_kinds"),
    ('channels = ["phone"]', 'channels = ["fax"]', ["xa.toml", "channels"], "channels"),
    ('channels = ["phone"]', "channels = []", ["xa.toml", "channels"], "channels"),
    ('id = "XA_PHONE_REGISTER"', 'id = "xa phone register"', ["xa.toml", "id"], "id"),
    ('jurisdiction = "XA"', 'jurisdiction = "Testland"', ["xa.toml", "jurisdiction"], "jurisdiction"),
    ('revision = "2026-01-01"', 'revision = "2026-01-01"\nregion = "north"', ["xa.toml", "region"], "region"),
    ("effective_from = 2020-01-01", 'effective_from = "soon"', ["xa.toml", "effective_from"], "effective_from"),
])
def test_parse_errors_name_the_file_and_field(old: str, new: str, mentions: list[str], field: str) -> None:
    with pytest.raises(RulebookError) as caught:
        load_mini(broken(old, new))
    for needle in mentions:
        assert needle in caught.value.message, f"{needle!r} not in {caught.value.message!r}"
    assert caught.value.field is not None and field in caught.value.field


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(RulebookError) as caught:
        load_mini(MINI.replace('name = "Testland"', "name = Testland"))
    assert "xa.toml" in caught.value.message and "TOML" in caught.value.message


@pytest.mark.parametrize("span", ["17:00-09:00", "9-17", "09:00-25:00", "09:00-09:00"])
def test_a_bad_calling_window_is_an_error(span: str) -> None:
    text = MINI + f"""
[[rule]]
id = "XA_HOURS"
kind = "calling_hours"
channels = ["phone"]
contact_kinds = ["all"]
effective_from = 2020-01-01
confidence = "M"
reference = "Testland code art. 9"
summary = "Calls in the day."
[rule.params.windows]
mon = ["{span}"]
"""
    with pytest.raises(RulebookError) as caught:
        load_mini(text)
    assert "XA_HOURS" in caught.value.message and "windows" in caught.value.message


def test_a_duplicate_rule_id_is_an_error() -> None:
    second = MINI.replace('jurisdiction = "XA"', 'jurisdiction = "XB"')
    with pytest.raises(RulebookError) as caught:
        load(None, sources=[("rulebooks/xa.toml", MINI), ("rulebooks/xb.toml", second)])
    assert "XA_PHONE_REGISTER" in caught.value.message
    assert "xb.toml" in caught.value.message


def test_a_duplicate_rule_id_with_a_bundled_common_rule_is_an_error() -> None:
    clash = MINI.replace('id = "XA_PHONE_REGISTER"', 'id = "OBJECTION"')
    with pytest.raises(RulebookError) as caught:
        load(None, sources=[("rulebooks/common.toml", bundled()["common.toml"]), ("rulebooks/xa.toml", clash)])
    assert "OBJECTION" in caught.value.message


def test_common_rules_join_every_national_book() -> None:
    books = load(None, sources=[("rulebooks/common.toml", bundled()["common.toml"]), ("rulebooks/xa.toml", MINI)])
    xa = books.books["XA"]
    assert {"OBJECTION", "XA_PHONE_REGISTER"} <= ids(xa.rules)
    assert "*" not in books.books
    # The common rules do not make a version of their own: only national cut-overs do.
    assert xa.version(date(2026, 1, 1)) == "xa/2020-01-01"
