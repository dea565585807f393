"""The pack as Markdown (masked, no names, loud about problems) and as JSON (full values, round-trips)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from leadgate.consent import service as consents
from leadgate.evidence import render, service
from leadgate.kit.db import unit_of_work
from leadgate.ledger.service import Verification
from leadgate.people.models import Person
from tests.evidence.state import E164, FORM_TEXT, KEY, SUPPLIER_TEXT, State, at, build
from tests.evidence.test_service import pack_of

EMAIL_IN_CLEAR = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def state(database_url: str) -> State:
    return build(database_url)


def test_markdown_masks_the_number_leaves_out_the_name_and_quotes_the_consent_text(state: State) -> None:
    pack = pack_of(state.url)
    md = render.to_markdown(pack)
    assert md.startswith("# Evidence pack: phone +31 6 •••• 78\n")
    assert E164 not in md and "12345678" not in md.replace("kvk 12345678", "")  # the KvK number is no phone
    assert "Jan Jansen" not in md and "Jansen BV kvk 12345678" in md and "Inkoper" in md
    assert f"  > {FORM_TEXT}\n" in md and f"  > {SUPPLIER_TEXT}\n" in md
    for entry in pack.entries:
        assert entry.ledger is not None and f"hash `{entry.ledger.hash}`" in md
    assert "- consent on record for phone: yes, given 2026-10-01 10:00 UTC via source LP-ENERGY-07" in md
    assert ("## Register checks\n\nThe NL rulebook names no do-not-call register in force on 2026-11-25 "
            "(nl-bel-me-niet applied from 2009-10-01 to 2021-06-30).\n") in md
    assert "BROKEN" not in md and "## Problems" not in md
    assert md.index("consent given") < md.index("lead received") < md.index("objection (phone)")


def test_markdown_says_loudly_when_the_chain_is_broken_and_lists_problems(state: State) -> None:
    pack = dataclasses.replace(pack_of(state.url), chain=Verification(4, "0" * 64, "event 5 was changed", 5))
    md = render.to_markdown(pack)
    assert md.splitlines()[2] == ("> **⚠ THE LEDGER CHAIN IS BROKEN: event 5 was changed.** The ledger was altered; "
                                  "every entry recorded at or after event 5 is unproven.")
    assert "## Problems\n\n- **LEDGER CHAIN BROKEN: event 5 was changed**" in md
    assert "| Ledger | BROKEN after 4 intact event(s): event 5 was changed |" in md


def test_an_email_address_is_never_in_clear_in_markdown_but_is_in_json(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        consents.give_consent(session, contact="Jan.Jansen@Voorbeeld.nl", country="NL", kind="consumer",
                              channel="email", text="Ja, mail mij.", source_code="NB-1", given_at=at(10, 1),
                              now=at(10, 2), actor="t")
        consents.record_objection(session, contact="Jan.Jansen@voorbeeld.NL", country="NL", channel="email",
                                  at=at(11, 1), via="email", actor="t", key=KEY)
    pack = pack_of(database_url, " Jan.Jansen@VOORBEELD.nl")
    md = render.to_markdown(pack)
    assert EMAIL_IN_CLEAR.search(md) is None and "jansen" not in md.lower()
    assert "# Evidence pack: email J•••@v•••.nl" in md and "objection (email)" in md
    assert "- consent on record for email: yes" in md
    assert json.loads(render.to_json(pack))["contact"]["value"] == "Jan.Jansen@voorbeeld.nl"


def test_json_round_trips_with_a_stable_structure(state: State) -> None:
    pack = pack_of(state.url)
    doc = json.loads(render.to_json(pack))
    assert set(doc) == {"format", "generated_at", "leadgate_version", "contact", "person", "erased", "ledger",
                        "suppression", "summary", "problems", "registers", "propagations", "timeline"}
    assert doc["format"] == "leadgate-evidence-pack/3"
    assert doc["registers"] == {"as_of": "2026-11-25T00:00:00+00:00", "checks": [], "note": (
        "the NL rulebook names no do-not-call register in force on 2026-11-25 (nl-bel-me-niet applied from "
        "2009-10-01 to 2021-06-30)")}
    assert doc["contact"] == {"medium": "phone", "value": E164, "masked": "+31 6 •••• 78", "region": "NL",
                              "jurisdiction": "NL"}
    assert doc["person"]["name"] == "Jan Jansen" and doc["erased"] is False
    assert doc["ledger"]["intact"] is True and doc["ledger"]["broken_seq"] is None
    assert [datetime.fromisoformat(e["at"]) for e in doc["timeline"]] == [e.at for e in pack.entries]
    assert [(e["ledger"]["seq"], e["ledger"]["hash"]) for e in doc["timeline"]] == \
        [(e.ledger.seq, e.ledger.hash) for e in pack.entries if e.ledger]
    assert doc["timeline"][3]["details"]["text"] == FORM_TEXT
    assert json.loads(json.dumps(doc)) == doc


def test_json_of_an_erased_person(state: State) -> None:
    with unit_of_work(state.url) as session:
        session.execute(delete(Person).where(Person.id == state.person))
    doc = json.loads(render.to_json(pack_of(state.url)))
    assert doc["erased"] is True and doc["person"] is None
    assert [e["what"] for e in doc["timeline"]] == ["objection (phone)"]
    md = render.to_markdown(pack_of(state.url))
    assert "erased from the store; the objection stands" in md


@given(st.from_regex(r"\+316[1-9][0-9]{7}", fullmatch=True))
def test_a_masked_mobile_shows_country_first_digit_and_last_two_only(number: str) -> None:
    assert service.mask("phone", number) == f"+31 6 •••• {number[-2:]}"


@given(st.emails())
def test_a_masked_address_keeps_one_letter_of_each_part(address: str) -> None:
    masked = service.mask("email", address.lower())
    local, _, domain = address.lower().rpartition("@")
    assert masked.startswith(f"{local[0]}•••@{domain[0]}•••.")
    assert EMAIL_IN_CLEAR.search(masked) is None


def test_times_are_utc_in_both_formats(state: State) -> None:
    pack = pack_of(state.url)
    assert all(e.at.tzinfo == UTC for e in pack.entries)
    assert "### 1. 2026-09-01 08:00:00 UTC — consent given (phone)" in render.to_markdown(pack)
