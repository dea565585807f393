"""Running a test's work on several threads at once and collecting what they raised."""

from __future__ import annotations

import threading
from collections.abc import Callable


def errors_in_threads(work: Callable[[int], None], threads: int) -> list[BaseException]:
    """Run work(0) ... work(threads - 1) at once, one thread each; what they raised, in no order."""
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            work(k)
        except BaseException as error:  # reported to the caller
            errors.append(error)

    started = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors
