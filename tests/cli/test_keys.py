"""`leadgate keys create|list|revoke` and `leadgate serve` as an operator runs them: a key printed once
works against a real server started by the command, is listed without its secret, and stops working
once revoked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import RunCli, clean_env
from tests.store_helpers import setup_store


@pytest.fixture
def env(run_cli: RunCli, tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    values = {"LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": "k" * 32, "LEADGATE_SECRET_KEY": "s" * 32,
              "LEADGATE_API_DELIVER": "false"}
    assert run_cli("db", "upgrade", env=values).code == 0
    setup_store(url)
    return values


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_created_key_works_on_the_served_api_until_revoked(run_cli: RunCli, env: dict[str, str],
                                                              tmp_path: Path) -> None:
    created = run_cli("keys", "create", "--role", "call_centre", "--partner", "CallCo", "--label", "dialer", env=env)
    assert created.code == 0, created.err
    token = created.out.strip().splitlines()[-1]
    assert token.startswith("lg_")
    key_id = token.split("_")[1]
    listed = run_cli("keys", "list", env=env)
    assert key_id in listed.out and "CallCo" in listed.out and "dialer" in listed.out
    assert token.split("_", 2)[2] not in listed.out  # the secret is shown once, never listed
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "leadgate.cli.main", "serve", "--port", str(port)],
                              cwd=tmp_path, env=clean_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/v1/whoami"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "leadgate serve did not start"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.json() == {"key": key_id, "role": "call_centre", "call_centre": "CallCo"}
        revoked = run_cli("keys", "revoke", key_id, env=env)
        assert revoked.code == 0, revoked.err
        assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 401
        assert "revoked" in run_cli("keys", "list", env=env).out
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize(("args", "message"), [
    (("--role", "root"), "role must be one of"),
    (("--role", "call_centre"), "give --partner"),
    (("--role", "call_centre", "--partner", "Nobody"), "Nobody"),
    (("--role", "marketing", "--partner", "CallCo"), "Only call_centre keys"),
])
def test_keys_that_would_be_wrong_are_not_created(run_cli: RunCli, env: dict[str, str], args: tuple[str, ...],
                                                  message: str) -> None:
    result = run_cli("keys", "create", *args, env=env)
    assert result.code == 1
    assert message in result.err_text
    assert "lg_" not in run_cli("keys", "list", env=env).out


def test_revoking_an_unknown_key_says_how_to_find_one(run_cli: RunCli, env: dict[str, str]) -> None:
    result = run_cli("keys", "revoke", "0123456789abcdef", env=env)
    assert result.code == 1
    assert "leadgate keys list" in result.err_text


def test_serve_refuses_a_database_that_is_behind(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("serve", "--port", str(_free_port()),
                     env={"LEADGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert result.code == 1
    assert "leadgate db upgrade" in result.err_text
    assert os.path.exists(tmp_path / "empty.db")
