"""Parameter sets sent to PostgreSQL as one JSON text and read back in SQL as typed values: the batched
statements of the pre-dial check (kit.batches) and its records (decisions.service, ledger.service).
psycopg's list parameters are converted in pure Python (~70-130 µs a statement); `json.dumps` of the
same values costs a few µs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any


def json_field(array: str, index: int, type_: str) -> str:
    """SQL: element `index` of the jsonb array `array` as text (NULL for null), cast to `type_`."""
    return f"({array}->>{index})::{type_}"


def json_rows(rows: Iterable[Iterable[Any]]) -> str:
    """Parameter sets as the one JSON text `kit.batches.over_json` reads: None as null, moments in ISO 8601 with their
    offset; read as jsonb (parsed once)."""
    return json.dumps([list(row) for row in rows], ensure_ascii=False, separators=(",", ":"), default=_iso,
                      allow_nan=False)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a naive moment would be read in the server's time zone
            raise ValueError("a naive datetime cannot be a statement parameter")
        return value.isoformat()
    raise TypeError(f"a statement parameter of type {type(value).__name__} has no JSON form")
