"""`leadgate decide --contact ...`: one decision about a stored contact, printed as pretty JSON."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from leadgate.cli.common import current_database, fail
from leadgate.decisions import service
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.rules.model import Rulebooks

ACTOR = "cli"


def decide_from_store(*, contact: str, campaign: str | None, channel: str | None, country: str | None,
                      at: str | None, record: bool, books: Rulebooks) -> None:
    if campaign is None or channel is None:
        fail("--contact needs --campaign and --channel (phone, email or sms).")
    now = datetime.now(UTC)
    moment = now
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at {at!r} is not a moment like 2026-11-23T10:15:00+01:00")
        if moment.tzinfo is None:
            fail("--at needs a UTC offset, e.g. 2026-11-23T10:15:00+01:00")
    try:
        key = Settings().suppression_key_bytes()
        with unit_of_work(current_database()) as session:
            result = service.decide_stored(session, contact=contact, country=country.upper() if country else None,
                                           campaign_id=campaign, channel=channel, at=moment, key=key, books=books,
                                           record=record, now=now, actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    print(json.dumps(result.decision.as_dict(), ensure_ascii=False, indent=2))
    if result.record_id is not None:  # standard error: the output stays the decision contract
        print(f"leadgate decide: recorded as decision record {result.record_id}.", file=sys.stderr)
