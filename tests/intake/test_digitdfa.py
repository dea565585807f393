"""The digit automata of intake.digitdfa answer as Python's `re` on every digit string."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.intake.digitdfa import Unsupported, compile_digits
from leadgate.intake.phonemeta import home_metas


def _patterns() -> list[str]:
    """Every pattern the C normaliser walks: the home regions' and their siblings' number types, and the
    siblings' leading digits (the `(?-u)^(?:...)$` wrapper taken off)."""
    found = []
    for meta in home_metas().values():
        types = [meta.types] + [t for _, _, t in meta.siblings or ()]
        for t in types:
            for desc in (t.general, t.fixed, t.mobile, *t.special):
                if desc is not None:
                    found.append(desc[0].removeprefix("(?-u)^(?:").removesuffix(")$"))
        found += [leading for _, leading, _ in meta.siblings or () if leading]
    return found


PATTERNS = _patterns()
digit_strings = st.text("0123456789", max_size=18)


def test_there_are_patterns_to_check() -> None:
    assert len(PATTERNS) > 40


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.lists(digit_strings, min_size=1, max_size=40))
def test_each_pattern_matches_what_re_matches(pattern: str, strings: list[str]) -> None:
    dfa, regex = compile_digits(pattern), re.compile(pattern)
    for digits in strings:
        assert dfa.fullmatch(digits) == (regex.fullmatch(digits) is not None), (pattern, digits)
        assert dfa.prefix(digits) == (regex.match(digits) is not None), (pattern, digits)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATTERNS), st.data())
def test_strings_the_pattern_matches_are_matched(pattern: str, data: st.DataObject) -> None:
    """Random strings rarely match a long pattern: strings drawn from the pattern itself do."""
    digits = data.draw(st.from_regex(re.compile(f"^(?:{pattern})$", re.ASCII), fullmatch=True))
    assert compile_digits(pattern).fullmatch(digits)


@pytest.mark.parametrize(("pattern", "yes", "no"), [
    (r"6[1-58]\d{7}", ["612345678", "682345678"], ["692345678", "61234567", ""]),
    (r"(?:85|91)\d{7}", ["851234567"], ["861234567"]),
    (r"1\d{4,5}|8\d{6,9}", ["12345", "123456", "8123456"], ["1234", "1234567", "812345"]),
    (r"[^0-8]\d?", ["9", "95"], ["0", "19"]),
    (r"(?:12)*3+", ["3", "12123", "1233"], ["12", "123123"]),
    (r"9\d{2,}", ["900", "90000000"], ["90"]),
])
def test_examples(pattern: str, yes: list[str], no: list[str]) -> None:
    dfa = compile_digits(pattern)
    assert all(dfa.fullmatch(d) for d in yes)
    assert not any(dfa.fullmatch(d) for d in no)


@pytest.mark.parametrize("pattern", [r"[a-z]", r"(?=1)1", r"\s", r"1{2", r"1?+", ".", r"(?i)1", r"\w"])
def test_other_syntax_is_refused(pattern: str) -> None:
    with pytest.raises(Unsupported):
        compile_digits(pattern)
