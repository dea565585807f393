"""Which numbers belong to a call centre: a number is assigned to a call centre for a campaign when an
export of that campaign gave it to that call centre. A call-centre API key may check and report only
those (it learns nothing about anyone else). Reads, never writes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.kit.db import driver_cursor, on_postgresql
from leadgate.kit.errors import Forbidden
from leadgate.screening.models import Export, ExportContact, ExportSheet

_CHUNK = 1000  # numbers per IN list
PG_ASSIGNED_ONE = ("SELECT 1 FROM export_contacts c JOIN export_sheets s ON s.id = c.sheet_id "
                   "JOIN exports e ON e.id = s.export_id WHERE c.number = %(number)s "
                   "AND s.call_centre_id = %(call_centre)s AND e.campaign_id = %(campaign)s LIMIT 1")


class NotAssigned(Forbidden):
    """A call centre asked about (or reported on) a contact no export of the campaign gave it."""

    code = "not_assigned"


def assigned_numbers(session: Session, *, call_centre_id: str, campaign_id: str, numbers: Iterable[int]) -> set[int]:
    """The numbers (E.164 digits) among `numbers` that an export of `campaign_id` gave to this call centre."""
    wanted = sorted(set(numbers))
    found: set[int] = set()
    if len(wanted) == 1 and on_postgresql(session):  # the pre-dial check's scope: a prepared statement
        with driver_cursor(session) as cursor:
            hit = cursor.execute(PG_ASSIGNED_ONE, {"number": wanted[0], "call_centre": call_centre_id,
                                           "campaign": campaign_id}, prepare=True).fetchone()
        return set(wanted) if hit else found
    for start in range(0, len(wanted), _CHUNK):
        # export_contacts is indexed by number only (see ExportContact): the number narrows it first.
        found.update(session.scalars(
            select(ExportContact.number).join(ExportSheet, ExportSheet.id == ExportContact.sheet_id)
            .join(Export, Export.id == ExportSheet.export_id)
            .where(ExportContact.number.in_(wanted[start:start + _CHUNK]),
                   ExportSheet.call_centre_id == call_centre_id, Export.campaign_id == campaign_id)
            .distinct()))
    return found
