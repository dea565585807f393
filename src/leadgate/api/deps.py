"""What every route depends on: the settings and rulebooks of this server, one unit of work per request,
the caller's principal (API key → role, call centre) and the role check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from leadgate.access.service import Principal, authenticate
from leadgate.decisions.recorder import Recorder
from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.batches import StatementBatches
from leadgate.kit.db import API_SESSIONS, new_session, unit_of_work
from leadgate.kit.errors import Forbidden, RateLimited
from leadgate.kit.settings import Settings
from leadgate.rules.model import Rulebooks

T = TypeVar("T")


class RateLimiter:
    """A token bucket per API key, in this process (each uvicorn worker keeps its own)."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(max(per_minute // 6, 1))  # bursts of up to ten seconds' worth
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = Lock()

    def take(self, key: str) -> float | None:
        """None when the request may go ahead, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens - 1.0, now)
            return None


@dataclass
class ServerState:
    """Built once when the app is created: nothing here connects to a database."""

    settings: Settings
    books: Rulebooks
    limiter: RateLimiter
    extras: dict[str, object] = field(default_factory=dict)
    # Requests holding a database session (see db_session); bound to the server's loop on first use.
    sessions: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(API_SESSIONS))
    # PostgreSQL: the connections of the pre-dial check's path on the event loop (api.hot); opened on first use.
    pg: AsyncPool | None = None
    checks: StatementBatches | None = None  # the checks' statement (api.checks), in batches, over `pg`
    recorder: Recorder | None = None  # the checks' records, in batches, over `pg`


async def server(request: Request) -> ServerState:  # async: no worker thread for a lookup
    state: ServerState = request.app.state.leadgate
    return state


Server = Annotated[ServerState, Depends(server)]


async def db_session(state: Server) -> AsyncIterator[Session]:
    """One transaction per request, committed when the route returns (before the response is sent: an
    objection is in force for every later request once its 200 arrives).

    At most API_SESSIONS requests of this process hold a session at once; the others wait here, on the
    event loop. Waiting for a pooled connection in a worker thread instead deadlocks under a burst: the
    waiting requests take every thread while the requests that hold the connections wait for a thread to
    run their route (until the pool's 30 s timeout). Commit and rollback run in a thread (a commit waits
    for the disk)."""
    async with state.sessions:
        session = new_session(state.settings.database_url)
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_end, session, commit=False)
            raise
        if session.in_transaction():
            await run_in_threadpool(_end, session, commit=True)
        else:  # the route committed (the pre-dial check): nothing to send, no trip to a worker thread
            session.close()


def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close in one trip to a worker thread: each trip costs the hot path."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# scope="function": the unit of work ends (commits) when the route function returns, not after the response.
Db = Annotated[Session, Depends(db_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API key from `leadgate keys create`: `Bearer lg_...`.")


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def principal(state: Server, session: Db, credentials: Bearer) -> Principal:
    return admit(state, session, credentials)


def admit(state: ServerState, session: Session, credentials: HTTPAuthorizationCredentials | str | None
          ) -> Principal:
    """The caller's principal (401 without a valid key), within its key's rate (429). `credentials`: the
    bearer token as FastAPI parsed it, or as a string (api.hot parses it itself)."""
    token = credentials.credentials if isinstance(credentials, HTTPAuthorizationCredentials) else credentials
    return within_rate(state, authenticate(session, token))


def within_rate(state: ServerState, who: Principal) -> Principal:
    """`who`, unless its key is over its rate (429)."""
    wait = state.limiter.take(who.key_id)
    if wait is not None:
        raise RateLimited(f"Too many requests for this API key; retry in {wait:.1f} s.")
    return who


Caller = Annotated[Principal, Depends(principal)]


def allow(who: Principal, roles: Iterable[str]) -> Principal:
    """`who` when its role is one of `roles` (admin always is), else 403."""
    allowed = {"admin", *roles}
    if who.role not in allowed:
        raise Forbidden(f"A {who.role} key may not do this; it needs one of: {', '.join(sorted(allowed))}.")
    return who


def require(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only these roles through (admin always may)."""

    async def check(who: Caller) -> Principal:  # async: no worker thread for comparing a role
        return allow(who, roles)

    return check


async def in_one_trip(state: ServerState, credentials: HTTPAuthorizationCredentials | str | None, *,
                      roles: tuple[str, ...], work: Callable[[Session, Principal], T]) -> T:
    """For the hot route (the pre-dial check): what `principal`, `require` and `db_session` do around a sync
    route, in one trip to a worker thread instead of three (authentication, the role check, the route's
    work, commit and close). Each trip costs CPU and, under load, a wait for the GIL. Same session limit
    as db_session. A route with a body validates it inside `work` (see api.checks): FastAPI would validate
    it before the key, and every route answers 401 and 403 before 422."""
    async with state.sessions:
        return await run_in_threadpool(_trip, state, credentials, roles, work)


def _trip(state: ServerState, credentials: HTTPAuthorizationCredentials | str | None, roles: tuple[str, ...],
          work: Callable[[Session, Principal], T]) -> T:
    with unit_of_work(state.settings.database_url) as session:  # commits (if `work` left anything), closes
        return work(session, allow(admit(state, session, credentials), roles))
