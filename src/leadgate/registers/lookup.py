"""What the registers said at a moment: in bulk for screening (`register_states`), for one number on the
pre-dial path (`register_checks`). Both answer from the same choice of snapshots:

- the latest full snapshot with checked_at <= at: a number it lists is listed, any other number was
  checked then and not listed;
- overridden, per number, by the latest check-service answer that is strictly later than that full
  snapshot (and <= at). Without a full snapshot only the check services' answers exist; a number they
  never saw was not checked (the core then blocks: fail closed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core import facts as f
from leadgate.kit.moments import from_store, to_store
from leadgate.registers.cache import listed_numbers
from leadgate.registers.models import RegisterCheckResult, RegisterNumber, RegisterSnapshot

STATE_SCHEMA = pl.Schema({"number": pl.Int64(), "listed": pl.Boolean(), "checked_at": pl.Datetime("us", "UTC")})


@dataclass(frozen=True)
class RegisterState:
    name: str
    snapshot_ids: tuple[int, ...]  # every snapshot this state rests on (for the export's ledger record)
    # Latest full snapshot with checked_at <= at: a number absent from `numbers` was checked then and not
    # listed. None: no full snapshot, and absent numbers are NOT checked.
    default_checked_at: datetime | None
    # number (Int64), listed (Boolean), checked_at (Datetime us UTC): each number whose status differs
    # from the default.
    numbers: pl.DataFrame
    # Every row of `numbers` is listed at default_checked_at (a full snapshot with no later check answers,
    # the usual case): a lookup then needs only the sorted numbers, and the two constant columns of a
    # 25M-number snapshot are never built (~0.6 s and ~0.2 GB on first touch).
    uniform: bool = False

    def __post_init__(self) -> None:
        if self.uniform and self.default_checked_at is None:
            raise ValueError(f"{self.name}: a uniform state is a full snapshot's list and needs its moment")


class SnapshotLike(Protocol):
    """What choosing reads of a snapshot (a RegisterSnapshot, or a row the pre-dial path read)."""

    @property
    def id(self) -> int: ...
    @property
    def register(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def checked_at(self) -> datetime: ...


@dataclass(frozen=True)
class Chosen:
    """The snapshots of one register an answer rests on: its latest full list and the check answers after it."""

    full: Any  # SnapshotLike | None
    checks: tuple[Any, ...]  # SnapshotLike later than `full`, oldest first


def _when(snapshot: SnapshotLike) -> datetime:
    return from_store(snapshot.checked_at)


def _chosen(session: Session, at: datetime) -> dict[str, Chosen]:
    return choose(session.scalars(select(RegisterSnapshot).where(RegisterSnapshot.checked_at <= to_store(at))).all(),
                  at)


def choose(snapshots: Sequence[SnapshotLike], at: datetime) -> dict[str, Chosen]:
    """Per register, the snapshots an answer as of `at` rests on (see the module docstring), from the
    snapshots with checked_at <= at (more do no harm). Pure: the pre-dial path reads the rows its own way."""
    by_register: dict[str, list[Any]] = defaultdict(list)
    for s in snapshots:
        if _when(s) <= at:  # the SQL filter compares stored text on SQLite; this one compares moments
            by_register[s.register].append(s)
    chosen = {}
    for name, group in sorted(by_register.items()):
        group.sort(key=lambda s: (_when(s), s.id))
        fulls = [s for s in group if s.kind == "full"]
        full = fulls[-1] if fulls else None
        checks = tuple(s for s in group if s.kind == "check" and (full is None or _when(s) > _when(full)))
        chosen[name] = Chosen(full, checks)
    return chosen


def _check_results(session: Session, checks: tuple[RegisterSnapshot, ...]) -> pl.DataFrame:
    """The latest answer per number among `checks` (number, listed, checked_at)."""
    if not checks:
        return pl.DataFrame(schema=STATE_SCHEMA)
    order = {s.id: i for i, s in enumerate(checks)}
    rows = session.execute(select(RegisterCheckResult.snapshot_id, RegisterCheckResult.number,
                                  RegisterCheckResult.listed)
                           .where(RegisterCheckResult.snapshot_id.in_(list(order)))).all()
    frame = pl.DataFrame(rows, schema={"snapshot_id": pl.Int64, "number": pl.Int64, "listed": pl.Boolean},
                         orient="row")
    moments = pl.DataFrame({"snapshot_id": [s.id for s in checks], "order": list(range(len(checks))),
                            "checked_at": [_when(s) for s in checks]},
                           schema={"snapshot_id": pl.Int64, "order": pl.Int64, "checked_at": pl.Datetime("us", "UTC")})
    return (frame.join(moments, on="snapshot_id").sort("order").group_by("number").last()
            .select(list(STATE_SCHEMA)).cast(STATE_SCHEMA))


def register_states(session: Session, *, at: datetime, data_dir: Path) -> list[RegisterState]:
    """One state per register with any snapshot checked at or before `at` (see the module docstring)."""
    states = []
    for name, chosen in _chosen(session, at).items():
        checked = _check_results(session, chosen.checks)
        ids = tuple(s.id for s in chosen.checks)
        default: datetime | None = None
        numbers = checked
        uniform = False
        if chosen.full is not None:
            default = _when(chosen.full)
            ids = (chosen.full.id, *ids)
            # One chunk (the Parquet file's row groups are many): searched as one numpy array, copied here
            # beside the reading of the lead file rather than on the first lookup.
            listed = listed_numbers(session, snapshot=chosen.full, data_dir=data_dir).rechunk().to_frame("number")
            listed = listed.with_columns(pl.lit(True).alias("listed"),
                                         pl.lit(default).cast(pl.Datetime("us", "UTC")).alias("checked_at"))
            # The list is sorted already; with no later check answers (the usual case) it is the state as is.
            numbers = listed if checked.height == 0 else pl.concat(
                [listed.join(checked, on="number", how="anti"), checked]).sort("number")
            uniform = checked.height == 0
        states.append(RegisterState(name, ids, default, numbers.select(list(STATE_SCHEMA)), uniform))
    return states


def register_checks(session: Session, *, number: int, at: datetime) -> tuple[f.RegisterCheck, ...]:
    """What each register said about one number (E.164 digits) as of `at`: the facts for the core."""
    chosen = _chosen(session, at)
    check_ids = [s.id for c in chosen.values() for s in c.checks]
    answers: dict[int, bool] = dict(session.execute(select(
        RegisterCheckResult.snapshot_id, RegisterCheckResult.listed).where(
        RegisterCheckResult.number == number, RegisterCheckResult.snapshot_id.in_(check_ids))).all()) \
        if check_ids else {}
    fulls = [(name, c.full.id) for name, c in chosen.items() if c.full is not None]
    listings = session.execute(select(RegisterNumber.register, RegisterNumber.listed_from, RegisterNumber.listed_to)
                               .where(RegisterNumber.number == number,
                                      RegisterNumber.register.in_([name for name, _ in fulls]))).all() if fulls else []
    return checks_from(chosen, answers=answers, listings=[(r, a, b) for r, a, b in listings])


def checks_from(chosen: dict[str, Chosen], *, answers: dict[int, bool],
                listings: Sequence[tuple[str, int, int | None]]) -> tuple[f.RegisterCheck, ...]:
    """The register facts of one number from its rows: `answers` (check snapshot id -> listed) and
    `listings` (register, listed_from, listed_to) of its listing intervals. Pure (see `choose`)."""
    out = []
    for name, c in chosen.items():
        latest = [s for s in c.checks if s.id in answers]
        if latest:
            out.append(f.RegisterCheck(name=name, listed=bool(answers[latest[-1].id]),
                                       checked_at=_when(latest[-1]).astimezone(UTC)))
            continue
        if c.full is not None:
            full_id = c.full.id
            listed = any(register == name and listed_from <= full_id and (listed_to is None or listed_to > full_id)
                         for register, listed_from, listed_to in listings)
            out.append(f.RegisterCheck(name=name, listed=listed, checked_at=_when(c.full)))
    return tuple(out)
