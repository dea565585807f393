"""The entry point: every command listed and loadable, each one loading only its own module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from leadgate.cli.main import COMMANDS
from tests.cli.conftest import RunCli, clean_env


def test_help_lists_every_command(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.code == 0
    commands = result.out.split("Commands")[1]
    listed = [line.split()[1] for line in commands.splitlines() if line.startswith("│ ") and line[2] != " "]
    assert listed == list(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_its_help(run_cli: RunCli, name: str) -> None:
    result = run_cli(name, "--help")
    assert result.code == 0 and f" {name} [OPTIONS]" in result.out, result.err


def test_an_unknown_command_is_named() -> None:
    proc = subprocess.run([sys.executable, "-m", "leadgate.cli.main", "scren"], capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert proc.returncode == 2 and "No such command 'scren'" in proc.stderr


def test_a_command_loads_its_own_module_only() -> None:
    # The start of `leadgate screen` must not pay for the other commands' imports, nor for alembic
    # (the schema check compares against kit.db.SCHEMA_HEAD).
    probe = ("import sys\n"
             "from leadgate.cli.main import app\n"
             "try:\n    app(['screen', '--help'])\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
             "print(sorted(m for m in sys.modules if m.startswith('leadgate.cli.') or m.split('.')[0] == 'alembic'))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    loaded = eval(proc.stdout.strip().splitlines()[-1])
    assert "leadgate.cli.screen" in loaded
    others = {f"leadgate.cli.{module}" for module, _, _ in COMMANDS.values()} - {"leadgate.cli.screen"}
    assert not others & set(loaded) and not [m for m in loaded if m.startswith("alembic")], loaded


RUN = ("import atexit, sys, threading, time\n"
       "atexit.register(lambda: print('exit handler ran', flush=True))\n"
       "{extra}"
       "from leadgate.cli.main import run\n"
       "sys.argv = ['leadgate', *sys.argv[1:]]\n"
       "run()\n")


@pytest.mark.parametrize("args, code", [(["rules", "list"], 0), (["scren"], 2), (["rules", "show", "zz"], 1)])
def test_the_program_ends_with_the_commands_code_its_output_and_exit_handlers(args: list[str], code: int) -> None:
    """`run` ends the process without the interpreter's teardown: the code, every line written and the exit
    handlers must come through all the same (the output goes to a pipe, so it is buffered)."""
    proc = subprocess.run([sys.executable, "-c", RUN.format(extra=""), *args], capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout.endswith("exit handler ran\n")
    if code == 0:
        listed = proc.stdout.splitlines()
        assert any("BE" in line for line in listed) and any("NL" in line for line in listed), proc.stdout


def test_a_thread_still_running_is_waited_for() -> None:
    extra = ("def late():\n    time.sleep(0.3)\n    print('thread done', flush=True)\n"
             "threading.Thread(target=late).start()\n")
    proc = subprocess.run([sys.executable, "-c", RUN.format(extra=extra), "rules", "list"], capture_output=True,
                          text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "thread done" in proc.stdout and proc.stdout.endswith("exit handler ran\n")
