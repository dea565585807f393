"""The timeline entries for the call lists a phone number was exported in ("exported to call centre X"),
each with the register snapshots it was screened against, and the proof re-checked: the stored export
against its `screening.exported` ledger event (the whole summary, and the campaign and moments), each
snapshot against its `register.imported` event. Exports are found by the number (the export event names
no person), so they show even when the number's person record has gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Partner
from leadgate.evidence.ledgerview import Entry, Events, LedgerRef, recorded_moment, utc
from leadgate.kit.moments import from_store
from leadgate.ledger.models import LedgerEvent
from leadgate.registers.models import RegisterSnapshot
from leadgate.screening.export import FLOW_FILES, centre_folder
from leadgate.screening.models import Export, ExportContact, ExportSheet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the moment of an export nothing records any more


def snapshot_proof(session: Session, snapshot: RegisterSnapshot, events: Events, checks: list[str],
                   problems: list[str]) -> LedgerRef | None:
    """The snapshot's `register.imported` event, compared with the stored snapshot."""
    event = events.recording(session, snapshot.ledger_seq, kind="register.imported", key="snapshot",
                             value=snapshot.id)
    if event is None:
        problems.append(f"NO LEDGER EVENT records register snapshot {snapshot.id} (event {snapshot.ledger_seq} is "
                        "not it)")
        return None
    ref = events.ref(event, problems)
    events.compare(event, {"register": snapshot.register, "kind": snapshot.kind, "checked_at": snapshot.checked_at,
                           "file_sha256": snapshot.file_sha256}, checks, problems)
    return ref


def _snapshots(session: Session, used: Any, events: Events, checks: list[str], problems: list[str]
               ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not isinstance(used, dict):
        problems.append("the export's summary names no register snapshots")
        return out
    for name, ids in sorted(used.items()):
        for snapshot_id in ids if isinstance(ids, list) else []:
            snapshot = session.get(RegisterSnapshot, snapshot_id) if isinstance(snapshot_id, int) else None
            if snapshot is None:
                problems.append(f"register snapshot {snapshot_id} ({name}) named by the export is not stored")
                out.append({"register": name, "snapshot": snapshot_id})
                continue
            mine: list[str] = []
            ref = snapshot_proof(session, snapshot, events, mine, problems)
            checks += [f"snapshot {snapshot.id}: {check}" for check in mine]
            out.append({"register": name, "snapshot": snapshot.id, "kind": snapshot.kind,
                        "checked_at": from_store(snapshot.checked_at), "file_sha256": snapshot.file_sha256,
                        "ledger_seq": ref.seq if ref else None, "ledger_hash": ref.hash if ref else None})
    return out


def _file(files: Any, centre: str, flow: str) -> tuple[str | None, str | None]:
    """The call centre's file for this flow in the export (name, SHA-256)."""
    stem = f"{centre_folder(centre)}/{FLOW_FILES.get(flow, flow)}."
    found = [(name, digest) for name, digest in (files.items() if isinstance(files, dict) else ())
             if isinstance(name, str) and name.startswith(stem)]
    return found[0] if found else (None, None)


def _removed(session: Session, sheet: ExportSheet, centre: str, flow: str, events: Events) -> Entry:
    """A call centre received the number in an export whose record is gone: shown, with its ledger event
    when one still names it."""
    problems = [f"EXPORT {sheet.export_id} IS NOT STORED: the call centre received this number in an export "
                "whose record was removed"]
    event = session.scalars(select(LedgerEvent).where(LedgerEvent.kind == "screening.exported",
                                                      LedgerEvent.body.contains(sheet.export_id))).first()
    ref = None
    if event is not None:
        events.add(event)
        ref = events.ref(event, problems)
    return Entry(utc(event.at) if event is not None else EPOCH, f"exported to call centre {centre}",
                 {"export": sheet.export_id, "call_centre": centre, "flow": flow}, ref, (), tuple(problems))


def _lost_sheet(contact: ExportContact) -> Entry:
    """A receipt row whose sheet is gone: the number was exported, but to whom and in which export is lost."""
    return Entry(EPOCH, "exported to an unknown call centre", {"sheet": contact.sheet_id}, None, (), (
        f"EXPORT SHEET {contact.sheet_id} IS NOT STORED: the number was exported, but the record of which export "
        "and call centre received it was removed",))


def exports(session: Session, number: int, events: Events) -> list[Entry]:
    query = (select(ExportContact, ExportSheet, Export, Partner)
             .outerjoin(ExportSheet, ExportContact.sheet_id == ExportSheet.id)
             .outerjoin(Export, ExportSheet.export_id == Export.id)
             .outerjoin(Partner, ExportSheet.call_centre_id == Partner.id).where(ExportContact.number == number)
             .order_by(ExportContact.sheet_id))
    out: list[Entry] = []
    for contact, sheet, export, centre in session.execute(query):
        if sheet is None:
            out.append(_lost_sheet(contact))
            continue
        checks: list[str] = []
        problems: list[str] = []
        centre_name = centre.name if centre else sheet.call_centre_id
        flow = FLOW_FILES.get(sheet.flow, sheet.flow)
        if export is None:
            out.append(_removed(session, sheet, centre_name, flow, events))
            continue
        try:
            stored = json.loads(export.summary)
        except ValueError:
            stored = None
            problems.append("the stored export summary is not readable JSON")
        event = events.recording(session, export.ledger_seq, kind="screening.exported", key="export_id",
                                 value=export.id)
        recorded: dict[str, Any] = {}
        ref = None
        if event is None:
            problems.append(f"NO LEDGER EVENT records this export (event {export.ledger_seq} is not it)")
        else:
            ref = events.ref(event, problems)
            recorded = events.data[event.seq]
            if stored == recorded:
                checks.append(f"the stored export summary equals ledger event {event.seq}")
            elif stored is not None:
                differ = sorted(k for k in set(recorded) | set(stored if isinstance(stored, dict) else {})
                                if not isinstance(stored, dict) or stored.get(k) != recorded.get(k))
                problems.append(f"EXPORT SUMMARY MISMATCH with ledger event {event.seq}: the stored "
                                f"{', '.join(differ)} differ(s) from what the ledger recorded")
            events.compare(event, {"campaign": export.campaign_id, "planned_at": export.planned_at,
                                   "created_at": export.created_at}, checks, problems)
        # What the ledger recorded is the proof; the stored summary only when there is no event to show.
        summary = recorded or (stored if isinstance(stored, dict) else {})
        file_name, file_sha256 = _file(summary.get("files"), centre_name, sheet.flow)
        out.append(Entry(recorded_moment(export.created_at, recorded.get("created_at")),
                         f"exported to call centre {centre_name}", {
                             "export": export.id, "campaign": export.campaign_id, "call_centre": centre_name,
                             "flow": flow, "planned_at": recorded_moment(export.planned_at, recorded.get("planned_at")),
                             "source": export.source, "file": file_name, "file_sha256": file_sha256,
                             "register_snapshots": _snapshots(session, summary.get("register_snapshots"), events,
                                                              checks, problems)},
                         ref, tuple(checks), tuple(problems)))
    return out
