"""A store in which a campaign's call list was screened against a be-dncm snapshot (through the real
screening service): +32 470 12 34 56 has a consent and is exported, +32 470 99 88 77 has one too but is
listed on the DNCM, and +31 6 12345678 (NL, no register in force) is exported as well."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from leadgate.kit.db import unit_of_work
from leadgate.registers.service import import_full
from leadgate.rules.loader import load
from leadgate.screening.service import screen
from tests.screening.builder import CAMPAIGN, KEY, NOW, give_consent, setup_campaign, write_leads
from tests.screening.lawful import assert_exports_lawful

AT = datetime.fromisoformat("2026-11-25T10:30:00+01:00")  # the planned moment of the call list
CHECKED_AT = AT - timedelta(days=1)
DNCM = b"0470998877;2020-01-01\n0470000001;2021-05-05\n"
EXPORTED = "+32470123456"
LISTED = "+32470998877"


@dataclass(frozen=True)
class Screened:
    url: str
    export_id: str
    snapshot: int
    snapshot_seq: int


def dncm(url: str, data_dir: Path, *, data: bytes = DNCM, checked_at: datetime = CHECKED_AT) -> tuple[int, int]:
    """Import a be-dncm full list; (snapshot id, its ledger event)."""
    with unit_of_work(url) as session:
        imported = import_full(session, register="be-dncm", data=data, where="dncm.txt", checked_at=checked_at,
                               now=max(NOW, checked_at), actor="test", data_dir=data_dir)
    assert imported.ledger_seq is not None
    return imported.snapshot_id, imported.ledger_seq


def build(url: str, tmp_path: Path) -> Screened:
    setup_campaign(url)
    for contact in (EXPORTED, LISTED, "+31612345678"):
        give_consent(url, contact, given_at=AT - timedelta(days=30))
    snapshot, seq = dncm(url, tmp_path / "data")
    leads = write_leads(tmp_path / "leads.csv", [
        {"telefoon": "0470 12 34 56", "land": "BE", "naam": "Chloé"},
        {"telefoon": "0470/99.88.77", "land": "BE", "naam": "Dirk"},
        {"telefoon": "06-12345678", "land": "NL", "naam": "Anna"}])
    with unit_of_work(url) as session:
        result = screen(session, campaign_id=CAMPAIGN, at=AT, books=load(None), key=KEY, data_dir=tmp_path / "data",
                        out_dir=tmp_path / "out", now=NOW, actor="test", leads=leads)
    assert (result.exported, result.blocked) == (2, 1)
    assert_exports_lawful(url, load(None), result.out_dir, key=KEY, data_dir=tmp_path / "data")
    return Screened(url, result.export_id, snapshot, seq)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
