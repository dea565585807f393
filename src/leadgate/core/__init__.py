"""The decision core: a pure function from the facts of one contact question to a `Decision` with the
reasons that block it, the grounds it rests on and when it would next be allowed. It reads rulebooks
(data, see `leadgate.rules`) but does no I/O, reads no clock and touches no database; the CLI, the
store, bulk screening and the API all reach the law through `decide`."""

from leadgate.core.decision import Decision, Reason
from leadgate.core.engine import decide
from leadgate.core.facts import Facts

__all__ = ["Decision", "Facts", "Reason", "decide"]
