"""`leadgate serve`: the HTTP API on uvicorn. Stateless workers over the configured database, so several
workers (or hosts) can serve one PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import typer

from leadgate.cli.common import current_database


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 behind a proxy)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each with its own pool)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn's: critical, error, warning, info."),
) -> None:
    """Serve the API (OpenAPI at /openapi.json, docs at /docs). Configure with LEADGATE_DATABASE_URL,
    LEADGATE_SUPPRESSION_KEY, LEADGATE_SECRET_KEY and LEADGATE_PUBLIC_URL."""
    import uvicorn  # imported here: the other commands need not load the web stack

    current_database()  # refuses to start on a database behind the code, with the fix
    # Access logs stay off: request lines carry unsubscribe tokens and client addresses (personal data).
    uvicorn.run("leadgate.api.app:served", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, proxy_headers=True, log_config=_log_config(log_level))


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus leadgate's own loggers (delivery, errors) on the same handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["leadgate"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config
