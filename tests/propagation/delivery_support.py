"""A fake call centre's webhook receiver (a real HTTP server on loopback, in a thread) that can fail
its first requests, and outbox rows written directly, as the propagation service would."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from leadgate.campaigns.models import Partner
from leadgate.kit.db import unit_of_work
from leadgate.kit.settings import Settings
from leadgate.ledger import service as ledger
from leadgate.propagation.models import Propagation
from leadgate.propagation.signing import derive_secret, verify
from tests.store_helpers import KEY

SECRET = "test-secret-key-0123456789abcdef"
PUBLIC_URL = "https://leadgate.example"

# What the receiver does with the n-th request: answer that status, "hang" (hold it open until released
# or `hang_seconds` pass, then answer 200), or "drop" (close the connection without answering).
Step = int | str


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | None  # None: held or dropped (the sender saw no answer)

    @property
    def id(self) -> str:
        return str(json.loads(self.body)["id"])


class Receiver:
    def __init__(self, script: Sequence[Step] = (), *, port: int = 0, hang_seconds: float = 30.0) -> None:
        self.script = list(script)
        self.hang_seconds = hang_seconds
        self.received: list[Received] = []
        self.held = threading.Event()  # set when a "hang" request arrives
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each small answer waits out a delayed ACK (40 ms)

            def do_POST(self) -> None:  # the name http.server dispatches to
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    n = len(receiver.received)
                    step = receiver.script[n] if n < len(receiver.script) else 200
                    answered = step if isinstance(step, int) else None
                    receiver.received.append(Received(dict(self.headers.items()), body, answered))
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if step == "hang":
                    receiver.held.set()
                    receiver.release.wait(receiver.hang_seconds)
                    step = 200
                try:
                    self.send_response(int(step))
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone (timed out or killed)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/leadgate/opt-outs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def arrived(self) -> list[Received]:
        """Requests the sender saw a 2xx answer to."""
        with self._lock:
            return [r for r in self.received if r.answered is not None and 200 <= r.answered < 300]

    def all(self) -> list[Received]:
        with self._lock:
            return list(self.received)


def free_port() -> int:
    """A loopback port nothing listens on (connections to it are refused until someone binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def delivery_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": database_url, "suppression_key": SecretStr(KEY.decode()),
                              "secret_key": SecretStr(SECRET), "public_url": PUBLIC_URL, "data_dir": None,
                              "api_deliver": False, "webhook_timeout_seconds": 0.5, "webhook_lease_seconds": 30}
    values.update(overrides)
    return Settings(**{k: v for k, v in values.items() if v is not None})


def partner_id(database_url: str, name: str) -> str:
    with unit_of_work(database_url) as session:
        return session.scalars(select(Partner.id).where(Partner.name == name)).one()


def secret_of(database_url: str, name: str) -> str:
    return derive_secret(SECRET.encode(), partner_id(database_url, name))


def add_rows(database_url: str, call_centre: str, count: int, *, at: datetime, due: datetime | None,
             **fields: Any) -> list[str]:
    """`count` outbox rows for that call centre, each for its own opt-out (a ledger event), next attempt
    at `due` (None: pull only); `fields` override columns (e.g. delivered_at)."""
    ids = []
    with unit_of_work(database_url) as session:
        centre = session.scalars(select(Partner.id).where(Partner.name == call_centre)).one()
        for n in range(count):
            event = ledger.append(session, kind="test.objection", actor="test", data={"n": n}, at=at)
            row = Propagation(call_centre_id=centre, cause="objection", cause_seq=event.seq, medium="phone",
                              contact=f"+3247{n:07d}", channel="phone", effective_at=at, created_at=at,
                              due_by=at + timedelta(hours=24), attempts=0, next_attempt_at=due)
            for name, value in fields.items():
                setattr(row, name, value)
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def rows(database_url: str) -> dict[str, Propagation]:
    with unit_of_work(database_url) as session:
        return {row.id: row for row in session.scalars(select(Propagation))}


def check_signed(received: Received, *, secret: str, call_centre: str) -> None:
    """The request is what a call centre's handler expects: signed with its secret, JSON, its own id."""
    assert verify(secret, received.body, received.headers["Leadgate-Signature"])
    assert received.headers["Content-Type"] == "application/json"
    body = json.loads(received.body)
    assert received.headers["Leadgate-Delivery"] == body["id"]
    assert body["call_centre"] == call_centre and body["type"] == "opt_out"
    assert body["ack_url"] == f"{PUBLIC_URL}/v1/propagations/{body['id']}/ack"
