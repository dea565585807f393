"""Kill the server mid-delivery: a real `leadgate serve` process delivers opt-outs to a call centre's
webhook; the call centre holds the first request open, the server is killed with SIGKILL while it waits,
then started again. Every opt-out still arrives, signed: the claim was committed before the request left,
so the restarted server sends it again once the lease has run out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from leadgate.kit.db import unit_of_work
from leadgate.propagation.webhooks import set_webhook
from tests.propagation.delivery_support import (
    PUBLIC_URL,
    SECRET,
    Receiver,
    add_rows,
    check_signed,
    free_port,
    rows,
    secret_of,
)
from tests.store_helpers import KEY, NOW, setup_store

LEASE_SECONDS = 4  # a dead server's claims are retried after this (60 by default)
TIMEOUT_SECONDS = 3  # below the lease, above the moment the test needs to kill the server


def serve(database_url: str, port: int, workdir: Path, log: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    env.update({"LEADGATE_DATABASE_URL": database_url, "LEADGATE_SECRET_KEY": SECRET,
                "LEADGATE_SUPPRESSION_KEY": KEY.decode(), "LEADGATE_PUBLIC_URL": PUBLIC_URL,
                "LEADGATE_API_DELIVER": "1", "LEADGATE_WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
                "LEADGATE_WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS)})
    with open(workdir / log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "leadgate.cli.main", "serve", "--port", str(port),
                                 "--log-level", "warning"], cwd=workdir, env=env, stdout=out, stderr=out)


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_server_killed_mid_delivery_loses_no_opt_out(database_url: str, tmp_path: Path) -> None:
    setup_store(database_url)
    start = datetime.now(UTC)
    with Receiver(["hang"], hang_seconds=60) as callco:
        with unit_of_work(database_url) as session:
            set_webhook(session, partner="CallCo", url=callco.url, now=NOW, actor="test")
        ids = set(add_rows(database_url, "CallCo", 5, at=start, due=start))
        port = free_port()

        first = serve(database_url, port, tmp_path, "first.log")
        try:
            wait_for(callco.held.is_set, 60, "the first delivery to arrive")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        # Killed mid-delivery: the rows were claimed (a lease, committed) and none is recorded delivered.
        killed = rows(database_url)
        assert all(row.delivered_at is None for row in killed.values())
        assert sum(row.attempts for row in killed.values()) >= 1
        callco.release.set()

        second = serve(database_url, port, tmp_path, "second.log")
        try:
            wait_for(lambda: all(r.delivered_at is not None for r in rows(database_url).values()),
                     60, "every opt-out to be delivered after the restart")
            # The restarted process is a working API server that delivers beside it.
            assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).status_code == 200
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

    held = callco.all()[0]
    assert {r.id for r in callco.arrived()} == ids  # the held one too, sent again by the second server
    assert held.id in {r.id for r in callco.arrived()}
    for received in callco.all():
        check_signed(received, secret=secret_of(database_url, "CallCo"), call_centre="CallCo")
    final = rows(database_url)
    assert final[held.id].attempts == 2
    assert all(row.acknowledged_at is None for row in final.values())  # the call centre still acknowledges
    logs = (tmp_path / "first.log").read_bytes() + (tmp_path / "second.log").read_bytes()
    assert b"+3247" not in logs  # no phone number in the server's logs
