"""The evidence pack as Markdown (the document to hand to a regulator: the contact point masked, no
names) or as JSON (for the organisation's compliance officer: full values, a stable structure)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from leadgate.evidence.ledgerview import Entry, LedgerRef
from leadgate.evidence.registers import RegisterLine
from leadgate.evidence.service import Pack

# /2: `registers` became an object (as_of, note, checks per register) instead of one sentence.
# /3: the opt-out propagations (`propagations`, also in the timeline), recorded decisions name the call centre
# that asked (`details.call_centre`, and in `what`), double opt-in consents carry submitted_at/confirmed_at.
FORMAT = "leadgate-evidence-pack/3"


def _plain(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def to_json(pack: Pack) -> str:
    chain = pack.chain
    document = {
        "format": FORMAT,
        "generated_at": pack.generated_at,
        "leadgate_version": pack.version,
        "contact": {"medium": pack.medium, "value": pack.value, "masked": pack.masked, "region": pack.region,
                    "jurisdiction": pack.jurisdiction},
        "person": pack.person,
        "erased": pack.erased,
        "ledger": {"intact": chain.intact, "events": chain.events, "head": chain.head, "problem": chain.problem,
                   "broken_seq": chain.seq},
        "suppression": pack.suppression,
        "summary": list(pack.summary),
        "problems": list(pack.problems),
        "registers": {"as_of": pack.registers.as_of, "note": pack.registers.note,
                      "checks": [_register_json(r) for r in pack.registers.lines]},
        "propagations": [_propagation_json(e) for e in pack.propagations],
        "timeline": [_entry_json(e) for e in pack.entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=_plain) + "\n"


def _ledger_json(ledger: LedgerRef | None) -> dict[str, Any] | None:
    return {"seq": ledger.seq, "hash": ledger.hash, "kind": ledger.kind} if ledger else None


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {"at": entry.at, "what": entry.what, "details": entry.details, "ledger": _ledger_json(entry.ledger),
            "checks": list(entry.checks), "problems": list(entry.problems)}


def _propagation_json(entry: Entry) -> dict[str, Any]:
    """One call centre told of the opt-out: the timeline entry's details with its proof, flat."""
    return entry.details | {"ledger": _ledger_json(entry.ledger), "checks": list(entry.checks),
                            "problems": list(entry.problems)}


def _register_json(line: RegisterLine) -> dict[str, Any]:
    snapshot = None if line.snapshot is None else {"id": line.snapshot, "kind": line.snapshot_kind,
                                                   "checked_at": line.checked_at, "file_sha256": line.file_sha256}
    return {"register": line.register, "rules": list(line.rules), "max_age_days": line.max_age_days,
            "status": line.status, "listed": line.listed, "snapshot": snapshot, "ledger": _ledger_json(line.ledger),
            "text": line.text, "checks": list(line.checks), "problems": list(line.problems)}


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())  # one line: a value cannot break the document's structure


def _cell(value: Any) -> str:
    return _value(value).replace("|", "\\|")


def to_markdown(pack: Pack) -> str:
    chain = pack.chain
    lines = [f"# Evidence pack: {pack.medium} {pack.masked}", ""]
    if not chain.intact:
        lines += [f"> **⚠ THE LEDGER CHAIN IS BROKEN: {chain.problem}.** The ledger was altered; every entry "
                  f"recorded at or after event {chain.seq} is unproven.", ""]
    if pack.problems:
        lines += [f"> **⚠ {len(pack.problems)} PROOF PROBLEM(S) FOUND** — see \"Problems\" below.", ""]
    person = pack.person
    rows: list[tuple[str, Any]] = [("Contact point", f"{pack.medium} {pack.masked}"),
            ("Region / jurisdiction", f"{_value(pack.region)} / {_value(pack.jurisdiction)}")]
    if person is None:
        rows.append(("Person", "erased from the store; the objection stands as a keyed hash"))
    else:
        organisation = " ".join(p for p in (person["organisation_name"], person["organisation_id_kind"],
                                            person["organisation_id"]) if p)
        rows += [("Person", f"{person['kind']} (person id {person['id']})"),
                 ("Organisation", organisation or None), ("Job title", person["job_title"])]
    rows += [("Generated", f"{_when(pack.generated_at)} by leadgate {pack.version}"),
             ("Ledger", f"chain intact: {chain.events} events, head {chain.head}" if chain.intact
              else f"BROKEN after {chain.events} intact event(s): {chain.problem}"),
             ("Suppression list", pack.suppression)]
    lines += ["| | |", "|---|---|", *(f"| {name} | {_cell(value)} |" for name, value in rows), ""]
    lines += ["## Summary", "", *(f"- {line}" for line in pack.summary), ""]
    if pack.problems:
        lines += ["## Problems", "", *(f"- **{problem}**" for problem in pack.problems), ""]
    lines += ["## Timeline (oldest first)", ""]
    if not pack.entries:
        lines += ["Nothing recorded.", ""]
    for number, entry in enumerate(pack.entries, start=1):
        lines += [f"### {number}. {_when(entry.at)} — {entry.what}", "", *_entry_lines(entry), ""]
    lines += ["## Opt-out propagation to call centres", "", *_propagation_lines(pack), ""]
    lines += ["## Register checks", "", *_register_lines(pack), "",
              "## How to check this pack", "",
              "Each ledger event's hash is SHA-256(previous event's hash + its canonical JSON body). "
              "`leadgate ledger verify` walks the whole chain; `leadgate ledger export` writes every event for "
              "an auditor, so each hash above can be recomputed independently.", ""]
    return "\n".join(lines)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _register_lines(pack: Pack) -> list[str]:
    registers = pack.registers
    if not registers.lines:
        return [_sentence(registers.note)]
    out = [_sentence(registers.note) + " The status of this number on each register:", ""]
    for line in registers.lines:
        out.append(f"- {_value(_sentence(line.text))}")
        out += [f"  - ✔ {check}" for check in line.checks]
        out += [f"  - ✘ **{problem}**" for problem in line.problems]
    return out


_TOLD = (("Call centre", "call_centre"), ("Cause", "cause"), ("Number", "number"), ("Queued", "queued_at"),
         ("Delivered (webhook)", "delivered_at"), ("Acknowledged", "acknowledged_at"), ("Due by", "due_by"),
         ("Status", "status"))


def _propagation_lines(pack: Pack) -> list[str]:
    """Every call centre that held the number and was told of the opt-out (details in the timeline)."""
    if not pack.propagations:
        return ["No opt-out of this person was propagated to a call centre (none held a number of theirs)."]
    out = ["Each call centre that received the number (a call list, a pre-dial check) was told of the opt-out; "
           f"status as of {_when(pack.generated_at)}.", "",
           "| " + " | ".join(name for name, _ in _TOLD) + " | Proof |",
           "|" + "---|" * (len(_TOLD) + 1)]
    for entry in pack.propagations:
        cells = [_cell(entry.details.get(key)) for _, key in _TOLD]
        if entry.details.get("overdue"):
            cells[-1] = f"**{cells[-1]}**"
        proof = f"ledger event {entry.ledger.seq}" if entry.ledger else "no ledger event"
        proof += f", acknowledged in event {entry.details['ack_ledger_seq']}" \
            if entry.details.get("ack_ledger_seq") is not None else ""
        proof += f"; **{len(entry.problems)} problem(s)**" if entry.problems else ""
        out.append("| " + " | ".join([*cells, _cell(proof)]) + " |")
    return out


def _snapshot_line(item: dict[str, Any]) -> str:
    if "checked_at" not in item:
        return f"{_value(item.get('register'))}: snapshot #{_value(item.get('snapshot'))} (not stored)"
    ledger = f"ledger event {item['ledger_seq']}" if item.get("ledger_seq") is not None else "no ledger event"
    return (f"{_value(item.get('register'))}: snapshot #{_value(item.get('snapshot'))} ({_value(item.get('kind'))}) "
            f"checked {_value(item.get('checked_at'))}, file sha256 `{_value(item.get('file_sha256'))}`, {ledger}")


def _entry_lines(entry: Entry) -> list[str]:
    out: list[str] = []
    for key, value in entry.details.items():
        label = key.replace("_", " ")
        if key == "text":
            out += [f"- {label} (verbatim):", "", *(f"  > {line}" for line in str(value).splitlines() or [""]), ""]
        elif isinstance(value, list):
            out.append(f"- {label}: " + ("none" if not value else ""))
            out += [f"  - {_snapshot_line(item)}" if key == "register_snapshots" else
                    f"  - {_value(item.get('code'))}: {_value(item.get('message'))}" for item in value]
        else:
            out.append(f"- {label}: {_value(value)}")
    ledger = entry.ledger
    out.append(f"- ledger: event {ledger.seq} ({ledger.kind}), hash `{ledger.hash}`" if ledger
               else "- ledger: no event")
    out += [f"- ✔ {check}" for check in entry.checks]
    out += [f"- ✘ **{problem}**" for problem in entry.problems]
    return out
