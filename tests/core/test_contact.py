"""The fast e-mail path must give email-validator's answer on every address it settles."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadgate.core.contact import _plain_email, normalise_email


def _reference(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


ATOM = st.one_of(st.text(alphabet="abcXYZ019_%+-.", min_size=1, max_size=12),
                 st.sampled_from(["sales", "SALES", "Info", "postmaster", "Abuse", "webmaster", "NOC"]))
LABEL = st.text(alphabet="abcXYZ019-", min_size=1, max_size=10)
TLD = st.sampled_from(["nl", "BE", "fr", "de", "co.uk", "com", "test", "local", "c", "123", "xn--abc", "x-y"])


@settings(max_examples=3000, deadline=None)
@given(ATOM, st.lists(LABEL, min_size=1, max_size=3), TLD)
@example("Jan.Jansen", ["Example"], "COM")
@example("SALES", ["OUTLOOK"], "COM")
@example("Postmaster", ["voorbeeld"], "nl")
@example("a..b", ["example"], "com")
@example("a", ["b-"], "com")
@example("a", ["foo"], "test")
def test_fast_path_agrees_with_email_validator(local, labels, tld):
    raw = f"{local}@{'.'.join(labels)}.{tld}"
    fast = _plain_email(raw)
    if fast is not None:
        assert fast == _reference(raw), raw
    assert normalise_email(raw) == _reference(raw)


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=40))
def test_any_string_gives_email_validators_answer(raw):
    assert normalise_email(raw) == _reference(raw)


def test_the_domain_is_lowercased_and_the_local_part_kept():
    assert normalise_email("Jan.Jansen@Voorbeeld.NL") == "Jan.Jansen@voorbeeld.nl"
