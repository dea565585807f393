"""An export's catch-up finds the unknown numbers among the ones the exporter passes (export_contacts is
keyed by number: reading one export's rows would read the whole table); numbers it passes that the export
does not hold are not queued. Screening passes the numbers it exported."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from leadgate.kit.db import unit_of_work
from leadgate.propagation import service as propagation
from leadgate.rules.model import Rulebooks
from leadgate.screening import service as screening
from leadgate.screening.models import ExportContact, ExportSheet
from tests.propagation.support import exported, outbox, setup
from tests.screening.builder import CAMPAIGN, KEY, NOW, give_consent, object_to, setup_campaign, write_leads

UNKNOWN, OTHER, ELSEWHERE = "+31611110001", "+31611110002", "+31611110003"


def _catch_up(url: str, export_id: str, since: int, numbers: list[str] | None) -> None:
    given = None if numbers is None else np.array([int(n[1:]) for n in numbers], dtype=np.int64)
    with unit_of_work(url) as session:
        propagation.catch_up_export(session, export_id=export_id, since_seq=since, key=KEY, now=NOW, actor="test",
                                    numbers=given)


@pytest.mark.parametrize(("given", "queued"), [
    (None, [UNKNOWN]),  # read from the export's rows
    ([UNKNOWN, OTHER], [UNKNOWN]),  # the export's numbers
    ([UNKNOWN, OTHER, ELSEWHERE], [UNKNOWN]),  # more: ELSEWHERE objected too, but this export did not give it
    ([OTHER], []),  # the given numbers are all it looks at
])
def test_the_catch_up_matches_digests_among_the_given_numbers(database_url: str, given: list[str] | None,
                                                              queued: list[str]) -> None:
    setup(database_url)
    with unit_of_work(database_url) as session:
        since = propagation.high_water(session)
    object_to(database_url, UNKNOWN, at=NOW)  # numbers the store does not know: only their digests name them
    object_to(database_url, ELSEWHERE, at=NOW)
    export_id = exported(database_url, "CallCo", UNKNOWN, OTHER)
    exported(database_url, "OtherCall", ELSEWHERE)  # before the objection it would have been queued already
    _catch_up(database_url, export_id, since, given)
    assert [contact for _, _, contact, _, _ in outbox(database_url)] == queued


def test_screening_passes_the_numbers_it_exported(database_url: str, books: Rulebooks, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    at = datetime.fromisoformat("2026-11-25T10:30:00+01:00")
    setup_campaign(database_url, shares=(("CallCo", 100, None),))
    for number in ("+31612345678", "+31687654321"):
        give_consent(database_url, number, given_at=at - timedelta(days=30))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": "+31612345678", "country": "NL"},
                                                 {"phone": "+31687654321", "country": "NL"},
                                                 {"phone": "+31611112222", "country": "NL"},  # no consent
                                                 {"phone": "not a number", "country": "NL"}])
    passed: list[set[int]] = []
    catch_up = propagation.catch_up_export

    def spy(*args: Any, **kwargs: Any) -> Any:
        passed.append(set(kwargs["numbers"].tolist()))
        return catch_up(*args, **kwargs)

    monkeypatch.setattr(propagation, "catch_up_export", spy)
    with unit_of_work(database_url) as session:
        result = screening.screen(session, campaign_id=CAMPAIGN, at=at, books=books, key=KEY,
                                  data_dir=tmp_path / "data", out_dir=tmp_path / "out", now=NOW, actor="test",
                                  leads=leads)
    with unit_of_work(database_url) as session:
        rows = set(session.scalars(select(ExportContact.number)
                                   .join(ExportSheet, ExportSheet.id == ExportContact.sheet_id)
                                   .where(ExportSheet.export_id == result.export_id)))
    assert passed == [rows] and rows == {31612345678, 31687654321}
