"""The HTTP API (FastAPI on uvicorn): pre-dial checks, consent capture with double opt-in, withdrawals and
objections, RFC 8058 one-click unsubscribe, call outcomes, e-mail lint and opt-out acknowledgements. It
only translates: each route authenticates the key, checks its role, opens one unit of work (committed
before the response is sent) and calls a service; errors become JSON with a stable code."""
