"""The hot route's lean path through the server: `POST /v1/checks` (the pre-dial check, p99 under 10 ms at
500 checks/s on two cores) is answered before Starlette's middleware, routing and FastAPI's dependency
resolution, which cost about as much CPU as the check's own work (py-spy, BENCHMARKS.md). What those
layers do for this route is done here in a few lines: the body size limit, the bearer token, the check
(on PostgreSQL on the event loop, api.checks.checked_on_loop; a check by person_id, and every check on
SQLite, in one trip to a worker thread, api.deps.in_one_trip), the JSON answer, and every error in the
format of api.errors. The FastAPI route in api.checks stays the route's definition (OpenAPI, docs) and
answers identically (tests/api/test_hot.py sends the same requests down both paths).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from starlette.types import Receive, Scope, Send

from leadgate.api import errors
from leadgate.api.checks import CHECK_ROLES, checked, checked_on_loop
from leadgate.api.deps import ServerState, in_one_trip
from leadgate.kit.errors import TooLarge

Handler = Callable[[ServerState, Scope, Receive, Send], Awaitable[None]]


def bearer(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer <token>` as FastAPI's HTTPBearer reads it (first header, scheme
    in any case), else None (the key check then answers 401)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


async def body(scope: Scope, receive: Receive, *, limit: int) -> bytes:
    """The whole request body, refused (413) above `limit` bytes: by Content-Length before reading, by
    counting when it is streamed without one."""
    for name, value in scope["headers"]:
        if name == b"content-length" and (not value.isdigit() or int(value) > limit):
            raise TooLarge(errors.too_large(limit)["message"])
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: nothing to answer
            raise ConnectionAbortedError
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise TooLarge(errors.too_large(limit)["message"])
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def answer(send: Send, status: int, content: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """As Starlette's JSONResponse renders it (compact, UTF-8)."""
    data = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    raw = [(b"content-length", str(len(data)).encode()), (b"content-type", b"application/json")]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


async def check(state: ServerState, scope: Scope, receive: Receive, send: Send) -> None:
    try:
        raw = await body(scope, receive, limit=state.settings.api_max_body_bytes)
        if state.pg is not None and state.checks is not None and state.recorder is not None and (
                b'"person_id"' not in raw):  # the common case
            result = await checked_on_loop(state, state.pg, state.checks, state.recorder, bearer(scope), raw=raw)
        else:
            result = await in_one_trip(state, bearer(scope), roles=CHECK_ROLES,
                                       work=partial(checked, raw=raw, state=state))
    except ConnectionAbortedError:
        return
    except Exception as exc:  # every error leaves as FastAPI's handlers send it (an unexpected one is logged)
        await answer(send, *errors.rendered(exc, method=scope["method"], path=scope["path"]))
        return
    await answer(send, 200, result)


HOT: dict[tuple[str, str], Handler] = {("POST", "/v1/checks"): check}
