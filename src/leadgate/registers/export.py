"""The file of a campaign's numbers to submit to a check service (Bloctel and the like).

Bloctel takes French numbers as 10 national digits (`0XXXXXXXXX`), one a line; any other register gets
E.164 (`+32470123456`). Only numbers of the register's country are written: a check service answers for
its own country's numbers only. The export is a ledger event (which numbers left, as a hash).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import phonenumbers
import polars as pl
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Campaign
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.registers.parse import region_of
from leadgate.rules.model import Rulebooks


@dataclass(frozen=True)
class CheckExport:
    numbers: int
    sha256: str  # of the file written
    ledger_seq: int


def numbers_for_check(session: Session, *, register: str, campaign_id: str) -> pl.Series:
    """The campaign's distinct candidate numbers of the register's country, sorted, as E.164 text."""
    from leadgate.screening.candidates import normalised, stored_candidates

    if session.get(Campaign, campaign_id) is None:
        raise InvalidInput(f"Unknown campaign {campaign_id!r}; see `leadgate campaign list`.", field="campaign")
    frame = normalised(stored_candidates(session, campaign_id=campaign_id))
    region = region_of(register)
    return frame.filter(pl.col("phone_region") == region)["e164"].drop_nulls().unique().sort()


def service_format(register: str, e164: pl.Series) -> pl.Series:
    """The numbers as the register's check service expects them."""
    if register == "fr-bloctel":
        code = str(phonenumbers.country_code_for_region("FR"))
        return pl.lit("0") + e164.str.slice(1 + len(code))  # type: ignore[return-value]
    return e164


def export_numbers(session: Session, *, register: str, campaign_id: str, out: Path, now: datetime, actor: str,
                   books: Rulebooks | None = None) -> CheckExport:
    from leadgate.registers.service import known_registers

    known = known_registers(books)
    if register not in known:
        raise InvalidInput(f"Unknown register {register!r}: the rulebooks name {', '.join(known)}.", field="register")
    e164 = numbers_for_check(session, register=register, campaign_id=campaign_id)
    lines = pl.select(service_format(register, e164).alias("n"))["n"] if e164.len() else e164
    body = "".join(f"{n}\n" for n in lines.to_list()).encode("ascii")
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    sha256 = hashlib.sha256(body).hexdigest()
    event = ledger.append(session, kind="register.exported_for_check", actor=actor, at=now, data={
        "register": register, "campaign": campaign_id, "numbers": lines.len(), "file": out.name,
        "file_sha256": sha256})
    return CheckExport(lines.len(), sha256, event.seq)
