"""Progress of long commands (intake, screening, register imports): a bar per stage on a terminal."""

from __future__ import annotations

import time

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadgate.cli.common import err_console


class StageBar:
    """A Rich progress bar with rows/s on a terminal; one line per stage on stderr otherwise."""

    def __init__(self) -> None:
        self.live = err_console.is_terminal
        self.started = self.began = time.perf_counter()
        self.done = 0
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(), console=err_console,
                            transient=True) if self.live else None
        self.task = self.bar.add_task("reading", total=None, rate="-") if self.bar else None

    def __enter__(self) -> StageBar:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.bar:
            self.bar.stop()

    def stage(self, name: str, total: int | None = None) -> None:
        self.done, self.started = 0, time.perf_counter()
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=name, total=total, completed=0, rate="-")
        else:
            err_console.print(f"[{self.started - self.began:6.1f} s] {name}" + (f" {total:,} rows" if total else "")
                              + " ...", highlight=False)

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.bar is not None and self.task is not None:
            rate = self.done / max(time.perf_counter() - self.started, 1e-6)
            self.bar.update(self.task, advance=rows, rate=f"{rate:,.0f}")
