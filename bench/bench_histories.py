"""The store thread's history ids and the cost of one decision, in process, on the screening benchmark's data
(bench/make_screening.py): the parts of `leadgate screen` that bench_screen.py cannot tell apart from the VM's
noise (its whole-run figures vary by tens of per cent from one run to the next on an unsteady day).

    python bench/bench_histories.py --file bench/data/screen-leads-10m.csv --repeat 5
    PYTHONPATH=/tmp/before/src python bench/bench_histories.py ...     # the same for an older src

Screens the file once with the deciding left out (the representatives are kept, not decided), then:
- `stored_histories` of the store view of every stored phone point, --repeat times (min and median);
- how many representatives (decisions) the list has;
- `decide_row` + `outcome` over the first --decisions representatives, --repeat times (µs per decision).
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from leadgate.kit.db import unit_of_work
from leadgate.rules.loader import load
from leadgate.screening import bulk, parallel, service, storeview

DATA = Path(__file__).resolve().parent / "data"


def _captured(setup: dict[str, Any], file: Path) -> dict[str, Any]:
    """The representatives, context, view and suppressions of a screening of `file`, not decided."""
    at = datetime.fromisoformat(setup["at"])
    captured: dict[str, Any] = {}

    def keep(ctx: Any, view: Any, suppressed: Any, jobs: int | None = None) -> Any:
        def run(rows: Any) -> list[tuple[Any, ...]]:
            captured.update(rows=rows, ctx=ctx, view=view, suppressed=suppressed)
            return [(True, "", "", None, None, None, at.isoformat())] * len(rows)
        return run

    parallel.decider = keep  # type: ignore[assignment]
    with unit_of_work(setup["url"]) as session:
        service.decide_candidates(session, campaign_id=setup["campaign"], at=at, books=load(None),
                                  key=setup["key"].encode(), data_dir=Path(setup["data_dir"]), leads=file)
        points = storeview.phone_points(session)
        captured["whole"] = storeview.load(session, person_ids=set(points["person_id"].to_list()),
                                           point_ids=set(points["contact_point_id"].to_list()))
        session.rollback()
    return captured


def _times(repeat: int, work: Any) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DATA / "screen-leads-10m.csv")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--decisions", type=int, default=60_000)
    args = parser.parse_args()
    setup = json.loads((DATA / "screen-setup.json").read_text())
    got = _captured(setup, args.file)
    gc.freeze()  # what was read stays; the timed work alone allocates
    at = datetime.fromisoformat(setup["at"])
    # Older sources take the view alone (no planned day): the same call then measures them too.
    day = {"day": at.date()} if "day" in inspect.signature(bulk.stored_histories).parameters else {}
    histories = _times(args.repeat, lambda: bulk.stored_histories(got["whole"], **day))
    rows, ctx, view, suppressed = got["rows"], got["ctx"], got["view"], got["suppressed"]
    sample = rows[:args.decisions]
    deciding = _times(args.repeat, lambda: [bulk.outcome(*bulk.decide_row(r, ctx, view, suppressed))
                                            for r in sample])
    per = [t / len(sample) * 1e6 for t in deciding]
    print(f"{args.file.name}: {len(rows):,} representatives (decisions)")
    print(f"stored_histories: min {min(histories):.2f} s, median {statistics.median(histories):.2f} s "
          f"({args.repeat} runs)")
    print(f"decide_row + outcome, first {len(sample):,}: min {min(per):.1f} µs, median "
          f"{statistics.median(per):.1f} µs per decision ({args.repeat} runs)")


if __name__ == "__main__":
    main()
