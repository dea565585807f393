"""The decision core: a pure function from the facts of one contact question to a `Decision` with the
reasons that block it, the grounds it rests on and when it would next be allowed. It reads rulebooks
(data, see `leadgate.rules`) but does no I/O, reads no clock and touches no database; the CLI, the
store, bulk screening and the API all reach the law through `decide`.

Import from the modules (`leadgate.core.engine.decide`, `leadgate.core.facts.Facts`); the names below
are re-exported lazily so that importing the facts vocabulary never drags in the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Decision", "Facts", "Reason", "decide"]


def __getattr__(name: str) -> Any:
    if name == "decide":
        from leadgate.core.engine import decide

        return decide
    if name in ("Decision", "Reason"):
        from leadgate.core import decision

        return getattr(decision, name)
    if name == "Facts":
        from leadgate.core.facts import Facts

        return Facts
    raise AttributeError(name)
