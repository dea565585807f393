"""The JSON Lines contract of `leadgate decide`: one facts line in, one decision (or error) object out.

Pure: the caller owns the files. A line that cannot be read or validated becomes
``{"id": ..., "allowed": false, "error": {"line": N, "field": "contact.phone", "message": ...}}`` so
that one bad line never stops the others from being decided.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from leadgate.core.engine import decide
from leadgate.core.facts import Facts
from leadgate.rules.model import Rulebooks

# Pydantic adds the member type of a union to the location ("id.constrained-str"); readers want "id".
_TYPE_TAG = re.compile(r"^(str|int|bool|float|date|datetime|constrained-\w+|[\w-]+\[.*\])$")
_HINTS = {
    "timezone_aware": "give the UTC offset, e.g. 2026-11-23T10:15:00+01:00",
    "extra_forbidden": "unknown field: remove it or check its spelling",
}


def field_path(loc: tuple[int | str, ...]) -> str | None:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not _TYPE_TAG.match(part):
            parts.append(("." if parts else "") + part)
    return "".join(parts) or None


def _message(error: Any) -> str:
    hint = _HINTS.get(error["type"])
    return f"{error['msg']} ({hint})" if hint and hint not in error["msg"] else str(error["msg"])


def error_record(line: str | bytes, lineno: int, exc: ValidationError) -> dict[str, Any]:
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    ident: Any = None
    try:
        raw = json.loads(line)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str | int) and not isinstance(raw["id"], bool):
            ident = raw["id"]
    except ValueError:
        pass
    details = [{"field": field_path(e["loc"]), "message": _message(e)} for e in errors]
    where = details[0]["field"]
    message = f"line {lineno}: " + (f"{where}: " if where else "") + _message(first)
    error: dict[str, Any] = {"line": lineno, "field": where, "message": message}
    if len(details) > 1:
        error["details"] = details
    return {"id": ident, "allowed": False, "error": error}


def decide_line(line: str | bytes, lineno: int, books: Rulebooks) -> tuple[dict[str, Any], bool]:
    """(output object, whether the line was valid). Bytes must be UTF-8; anything else is the line's error."""
    try:
        facts = Facts.model_validate_json(line)
    except ValidationError as exc:
        return error_record(line, lineno, exc), False
    return decide(facts, books).as_dict(), True
