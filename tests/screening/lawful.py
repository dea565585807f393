"""The gate every exported call list of the test suite passes: each row, decided again one by one through
`decide --contact`'s path (facts from the store, the pure core) at the moment the row says calling may
start, must be allowed. Screening tests, the CLI tests and the demo test all call it on their files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from leadgate.core.engine import decide
from leadgate.decisions.service import facts_for
from leadgate.kit.db import unit_of_work
from leadgate.rules.model import Rulebooks

CHECKED: list[Path] = []  # every file checked in this test run (the suite asserts it is not empty)


def assert_exports_lawful(url: str, books: Rulebooks, out_dir: Path, *, key: bytes, data_dir: Path | None = None
                          ) -> int:
    """Re-decide every row of every leadflow/klantflow file under `out_dir`; returns the rows checked."""
    files = sorted(out_dir.glob("*/leadflow.*")) + sorted(out_dir.glob("*/klantflow.*"))
    assert files, f"no call lists in {out_dir}"
    checked = 0
    with unit_of_work(url) as session:
        for path in files:
            frame = _xlsx(path) if path.suffix == ".xlsx" else pl.read_csv(path, infer_schema=False)
            for row in frame.iter_rows(named=True):
                facts = facts_for(session, contact=row["phone"], country=None, campaign_id=row["campaign"],
                                  channel="phone", at=datetime.fromisoformat(row["call_from"]), key=key,
                                  kind=row["kind"])
                decision = decide(facts, books)
                assert decision.allowed, (f"{path.name} row {row['row']} ({row['phone']}) is not allowed: "
                                          f"{[r.code for r in decision.reasons]}")
                checked += 1
            CHECKED.append(path)
    return checked


def _xlsx(path: Path) -> pl.DataFrame:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).active
    assert sheet is not None
    rows = [[None if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    return pl.DataFrame(rows[1:], schema={str(c): pl.String for c in rows[0]}, orient="row")
