"""Running the real `leadgate` console program in a subprocess, in a clean temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_text(self) -> str:
        """Standard error with Rich's line wrapping undone (runs of whitespace become one space)."""
        return " ".join(self.err.split())


RunCli = Callable[..., Result]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    env.update({"COLUMNS": "250", "NO_COLOR": "1", "PYTHONUTF8": "1", "TERM": "dumb"})
    env.update(extra)
    return env


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """run_cli("decide", "--facts", path, stdin=..., env={...}, cwd=...) -> Result.

    The working directory defaults to an empty temporary folder so that no ./leadgate.toml is picked up,
    and LEADGATE_* variables of the developer's shell are removed.
    """

    def run(*args: str | Path, stdin: str | bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Result:
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [sys.executable, "-m", "leadgate.cli.main", *map(str, args)],
            input=data if data is not None else b"",
            capture_output=True, cwd=cwd or tmp_path, env=clean_env(**(env or {})), timeout=60,
        )
        return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))

    return run
