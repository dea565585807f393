"""A real leadgate API server on loopback (uvicorn in a thread, its own port), over each database kind,
with one API key per role. Tests talk to it with httpx over TCP, as a dialer would."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from leadgate.access import service as access
from leadgate.api.app import create_app
from leadgate.campaigns import service as campaigns
from leadgate.kit.db import unit_of_work
from leadgate.kit.settings import Settings
from leadgate.rules.model import Rulebooks
from tests.store_helpers import KEY, NOW, setup_store

SECRET = "test-secret-key-0123456789abcdef"
OTHER_CALL_CENTRE = "OtherCall"


@dataclass
class Api:
    """A running server: its base URL, settings, database, and a token per role ("call_centre" is CallCo,
    "other_call_centre" is a second call centre)."""

    url: str
    settings: Settings
    database_url: str
    tokens: dict[str, str]

    def client(self, role: str | None = None, *, headers: dict[str, str] | None = None) -> httpx.Client:
        sent = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        sent.update(headers or {})
        return httpx.Client(base_url=self.url, headers=sent, timeout=30)


class ServerThread:
    """uvicorn.Server on a socket bound here (port 0: the OS picks a free one), stopped on exit."""

    def __init__(self, app: object) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


def api_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "suppression_key": SecretStr(KEY.decode()),
                                 "secret_key": SecretStr(SECRET), "data_dir": None, "api_deliver": False}
    values.update(overrides)
    values = {k: v for k, v in values.items() if v is not None}
    return Settings(**values)  # type: ignore[arg-type]


def make_keys(database_url: str) -> dict[str, str]:
    with unit_of_work(database_url) as session:
        campaigns.add_partner(session, name=OTHER_CALL_CENTRE, kind="call_centre", now=NOW, actor="test")
        tokens = {role: access.create_key(session, role=role, partner="CallCo" if role == "call_centre" else None,
                                          label=f"test {role}", now=NOW, actor="test").token
                  for role in access.ROLES}
        tokens["other_call_centre"] = access.create_key(session, role="call_centre", partner=OTHER_CALL_CENTRE,
                                                        label="test other", now=NOW, actor="test").token
    return tokens


@contextmanager
def running_api(database_url: str, books: Rulebooks, **overrides: object) -> Iterator[Api]:
    """The store of tests.store_helpers (CallCo, LeadShop, campaign winter-2026), keys, and a running server
    with these settings changed."""
    setup_store(database_url)
    tokens = make_keys(database_url)
    settings = api_settings(database_url, **overrides)
    with ServerThread(create_app(settings, books=books)) as running:
        yield Api(url=f"http://127.0.0.1:{running.port}", settings=settings, database_url=database_url, tokens=tokens)


@pytest.fixture
def api(database_url: str, books: Rulebooks, tmp_path: object) -> Iterator[Api]:
    with running_api(database_url, books, data_dir=tmp_path) as running:
        yield running
