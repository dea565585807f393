"""Every error leaves as JSON `{"code", "message"[, "field"]}` with its status; nothing leaks a traceback.
A request body above the configured size is refused before it is read."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadgate.kit.errors import LeadgateError, RateLimited

log = logging.getLogger("leadgate.api")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


Rendered = tuple[int, dict[str, Any], dict[str, str] | None]


def rendered(exc: BaseException, *, method: str, path: str) -> Rendered:
    """The status, JSON body and headers an exception leaves as: FastAPI's handlers below and the lean
    hot path (api.hot) both answer through here, so a client sees one error format."""
    if isinstance(exc, LeadgateError):
        headers = {"Retry-After": "1"} if isinstance(exc, RateLimited) else None
        if exc.status_code == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return exc.status_code, exc.as_dict(), headers
    if isinstance(exc, RequestValidationError):
        errors = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "message": "invalid request"}
        return 422, {"code": "invalid_input", "message": f"{first['field']}: {first['message']}",
                     "field": first["field"], "errors": errors}, None
    if isinstance(exc, StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        return exc.status_code, {"code": codes.get(exc.status_code, "http_error"), "message": str(exc.detail)}, \
            getattr(exc, "headers", None)
    # The type only: messages and arguments may hold personal data.
    log.error("unexpected %s on %s %s", type(exc).__name__, method, path)
    return 500, {"code": "internal_error", "message": "Something went wrong on our side; nothing was recorded. "
                 "Try again or contact the operator."}, None


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status, body, headers = rendered(exc, method=request.method, path=request.url.path)
        return JSONResponse(body, status_code=status, headers=headers)

    for kind in (LeadgateError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, handle)


def too_large(limit: int) -> dict[str, str]:
    return {"code": "body_too_large",
            "message": f"The request body is larger than {limit} bytes; send fewer items per request."}


class BodyLimit:
    """Refuses bodies above `limit` bytes: by Content-Length at once, by counting when it is streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        if length is not None:
            await self.app(scope, receive, send)
            return
        # Streamed without a declared length: read it here, up to the limit, then hand it on.
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(too_large(self.limit), status_code=413)
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
