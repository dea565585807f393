"""The e-mail requirements are rulebook data: validated when the rulebooks load, every one with a
reference, dates and confidence, each check named once in the lint."""

from __future__ import annotations

import pytest

from leadgate.kit.errors import RulebookError
from leadgate.lint.core import ADVICE, CHECKS, CODES
from leadgate.rules.loader import builtin_sources, load
from leadgate.rules.model import EMAIL_CHECKS, Rulebooks


def test_every_rulebook_has_e_mail_requirements_with_references(books: Rulebooks) -> None:
    for code, book in books.books.items():
        national = [r for r in book.email_requirements if r.jurisdiction == code]
        assert national, code
        checks = {c for r in book.email_requirements for c in r.checks if r.severity == "error"}
        assert {"from_address", "sender_disguised", "sender_identity", "unsubscribe_link"} <= checks, code
        for req in book.email_requirements:
            assert req.reference and req.summary and req.confidence
            assert set(req.add) <= set(req.checks)
    assert set(CHECKS) == set(CODES) == set(ADVICE) == set(EMAIL_CHECKS)
    assert len(set(CODES.values())) == len(CODES)


def _with(extra: str, file: str = "rulebooks/nl.toml") -> list[tuple[str, str]]:
    return [(where, text + extra if where == file else text) for where, text in builtin_sources()]


REQUIREMENT = """
[[email_requirement]]
id = "NL_TEST_REQUIREMENT"
checks = ["unsubscribe_link"]
severity = "error"
effective_from = 2020-01-01
confidence = "H"
reference = "test reference"
summary = "test summary"
"""


def test_a_valid_extra_requirement_loads() -> None:
    books = load(sources=_with(REQUIREMENT))
    assert "NL_TEST_REQUIREMENT" in {r.id for r in books.books["NL"].email_requirements}
    assert "NL_TEST_REQUIREMENT" not in {r.id for r in books.books["FR"].email_requirements}


@pytest.mark.parametrize(("change", "says"), [
    (('"unsubscribe_link"', '"unsubscribe_lnk"'), "checks"),
    (('severity = "error"', 'severity = "fatal"'), "severity"),
    (('confidence = "H"', 'confidence = "sure"'), "confidence"),
    (("effective_from = 2020-01-01", "effective_from = 2020-01-01\neffective_to = 2019-01-01"), "effective_to"),
    (('summary = "test summary"', 'summary = "test summary"\nadd = { reason = "why" }'), "add"),
    (('summary = "test summary"', 'summary = "test summary"\nsource_kinds = ["bought"]'), "source_kinds"),
    (('id = "NL_TEST_REQUIREMENT"', 'id = "NL_EMAIL_OPT_IN"'), "used twice"),
])
def test_a_malformed_requirement_is_refused_naming_it(change: tuple[str, str], says: str) -> None:
    with pytest.raises(RulebookError) as caught:
        load(sources=_with(REQUIREMENT.replace(*change)))
    assert says in caught.value.message and "nl.toml" in caught.value.message
