"""The application factory: `create_app()` builds the FastAPI app from the settings (read from the
environment when not given); `leadgate serve` runs it on uvicorn. Nothing connects at import."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from leadgate import __version__
from leadgate.api import checks, consents, errors, hot, keys, lint, outcomes, propagations, unsubscribe
from leadgate.api.deps import RateLimiter, ServerState
from leadgate.decisions.recorder import Recorder
from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.db import API_SESSIONS
from leadgate.kit.settings import Settings
from leadgate.propagation import worker
from leadgate.rules.loader import load
from leadgate.rules.model import Rulebooks

DESCRIPTION = """The compliance gate's HTTP API. Every route but the unsubscribe and confirmation links
(which carry their own signed token) needs `Authorization: Bearer <API key>`; each route says which roles
may call it. Errors are JSON `{"code", "message", "field"?}`; a contact that is not allowed is a normal
200 answer with its reasons."""


class LeadgateAPI(FastAPI):
    """FastAPI with the hot routes of api.hot answered before its middleware and routing (`hot=False`
    leaves every request to FastAPI: the tests compare both paths)."""

    def __init__(self, *, hot_routes: dict[tuple[str, str], hot.Handler], **settings: Any) -> None:
        super().__init__(**settings)
        self.hot = hot_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            handler = self.hot.get((scope["method"], scope["path"]))
            if handler is not None:
                await handler(self.state.leadgate, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, *, books: Rulebooks | None = None,
               deliver: bool | None = None, lean: bool = True, freeze_heap: bool = False) -> LeadgateAPI:
    """`deliver`: run the opt-out delivery loop in this process (default: settings.api_deliver); `lean`:
    answer the hot routes on their lean path (api.hot); `freeze_heap`: leave what startup loaded out of the
    garbage collector's work (a server process of its own: `served`)."""
    settings = settings or Settings()
    pg = AsyncPool(settings.database_url, size=API_SESSIONS) if lean and settings.database_url.startswith(
        "postgresql") else None
    state = ServerState(settings=settings, books=books or load(settings.resolved_org_file()),
                        limiter=RateLimiter(settings.api_rate_per_minute), pg=pg,
                        checks=checks.check_statement(pg) if pg is not None else None,
                        recorder=Recorder(pg) if pg is not None else None)
    run_delivery = settings.api_deliver if deliver is None else deliver

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What startup loaded (rulebooks, phone metadata, the web stack) lives as long as the process: frozen,
        # a full collection no longer walks it (~130-230 ms pauses under load before; ~20 ms after).
        if freeze_heap:
            gc.collect()
            gc.freeze()
        stop = worker.start(settings) if run_delivery else None
        try:
            yield
        finally:
            for batches in (state.checks, state.recorder):
                if batches is not None:
                    await batches.close()
            if state.pg is not None:
                await state.pg.close()
            if stop is not None:
                # Joining the delivery thread may wait for a request in flight: not on the event loop.
                await asyncio.to_thread(stop)

    app = LeadgateAPI(title="leadgate", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                      hot_routes=dict(hot.HOT) if lean else {})
    app.state.leadgate = state
    errors.install(app)
    app.add_middleware(errors.BodyLimit, limit=settings.api_max_body_bytes)
    for module in (keys, checks, consents, unsubscribe, outcomes, lint, propagations):
        app.include_router(module.router)
    return app


def served() -> LeadgateAPI:
    """The app of `leadgate serve`'s worker processes."""
    return create_app(freeze_heap=True)
