"""The delivery loop: POSTs due outbox rows to call centres' webhooks, signed, at least once.

One round (`deliver_once`) claims due rows in one short transaction — on PostgreSQL with FOR UPDATE SKIP
LOCKED, so several workers or hosts never take the same row; SQLite serialises writers at BEGIN — and
commits a lease (next attempt = now + lease, attempts + 1) BEFORE sending anything. A worker that dies
mid-delivery therefore leaves its rows to be sent again once the lease runs out: a call centre may
receive an opt-out twice (same id in `Leadgate-Delivery`), never zero times. Answers are recorded in
short batched transactions: 2xx → delivered; anything else → the status or error type (never the body,
which could echo personal data) and a retry after an exponential backoff with jitter. Delivered is not
acknowledged: the call centre still confirms each id through the API.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from leadgate import __version__
from leadgate.campaigns.models import Partner
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import to_store
from leadgate.kit.settings import Settings
from leadgate.propagation.models import Propagation
from leadgate.propagation.payload import payload
from leadgate.propagation.signing import DELIVERY_HEADER, SIGNATURE_HEADER, derive_secret, sign

log = logging.getLogger("leadgate.propagation")

# Retry n waits about BACKOFF_BASE · 2^(n-1) (half of it fixed, half random), at most BACKOFF_CAP.
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(hours=1)
# Call centres served side by side in one round (each call centre's rows go one after another).
PARALLEL_CALL_CENTRES = 8
# Answers are written in one transaction per this many rows, or sooner when the oldest is this old.
RECORD_EVERY = 50
RECORD_SECONDS = 1.0


def backoff(attempts: int, *, rand: Callable[[], float] = random.random) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: equal jitter, so retries of many rows
    that failed together spread out, and each still waits at least half the exponential step."""
    step = min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(attempts, 1) - 1, 30)))
    return step / 2 + step / 2 * rand()


@dataclass(frozen=True)
class _Claimed:
    id: str
    call_centre_id: str
    url: str
    attempt: int
    body: bytes
    secret: str  # the call centre's, derived (see signing)


@dataclass(frozen=True)
class Round:
    claimed: int
    delivered: int


def deliver_once(settings: Settings, *, now: datetime | None = None, limit: int = 100,
                 client: httpx.Client | None = None) -> int:
    """Claim up to `limit` due rows, send them, record the answers; returns how many were delivered
    (answered 2xx). `now` drives the schedule (leases, backoff; tests move it forward instead of
    sleeping); signatures always carry the real time, which is what receivers check."""
    return _round(settings, now=now, limit=limit, client=client).delivered


def _round(settings: Settings, *, now: datetime | None, limit: int, client: httpx.Client | None) -> Round:
    key = _ready(settings)
    clock: Callable[[], datetime] = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    claimed = _claim(settings, key=key, now=clock(), limit=limit)
    if not claimed:
        return Round(0, 0)
    # A request started later than this could still be running when the lease ends (and another
    # worker sends the row again): such rows are handed back instead.
    send_until = time.monotonic() + settings.webhook_lease_seconds - settings.webhook_timeout_seconds
    groups: dict[str, list[_Claimed]] = defaultdict(list)
    for row in claimed:
        groups[row.call_centre_id].append(row)
    own = client is None
    http = client or _client(settings)
    try:
        with ThreadPoolExecutor(max_workers=min(PARALLEL_CALL_CENTRES, len(groups))) as pool:
            counts = pool.map(lambda rows: _send_group(settings, http, rows, clock, send_until), groups.values())
            delivered = sum(counts)
    finally:
        if own:
            http.close()
    return Round(len(claimed), delivered)


def _ready(settings: Settings) -> bytes:
    """The secret key, checked with the timing settings before anything is claimed."""
    key = settings.secret_key_bytes()  # without it nothing could be signed
    if not 0 < settings.webhook_timeout_seconds < settings.webhook_lease_seconds:
        # A lease no longer than one request would hand every claimed row back unsent, round after round.
        raise InvalidInput("LEADGATE_WEBHOOK_LEASE_SECONDS must be longer than LEADGATE_WEBHOOK_TIMEOUT_SECONDS "
                           "(and the timeout above 0).", field="webhook_lease_seconds")
    return key


def _client(settings: Settings) -> httpx.Client:
    # Redirects are not followed: a signed opt-out goes to the URL the call centre registered, nowhere else.
    return httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False,
                        headers={"User-Agent": f"leadgate/{__version__}"})


def _claim(settings: Settings, *, key: bytes, now: datetime, limit: int) -> list[_Claimed]:
    lease_end = to_store(now + timedelta(seconds=settings.webhook_lease_seconds))
    with unit_of_work(settings.database_url) as session:
        query = (select(Propagation, Partner.name, Partner.webhook_url)
                 .join(Partner, Partner.id == Propagation.call_centre_id)
                 .where(Propagation.acknowledged_at.is_(None), Propagation.delivered_at.is_(None),
                        Propagation.next_attempt_at.is_not(None), Propagation.next_attempt_at <= to_store(now),
                        Partner.webhook_url.is_not(None))
                 .order_by(Propagation.next_attempt_at, Propagation.id)
                 .limit(limit)
                 .with_for_update(skip_locked=True, of=Propagation))  # rendered on PostgreSQL only
        claimed = []
        secrets: dict[str, str] = {}
        for row, name, url in session.execute(query).all():
            row.next_attempt_at = lease_end
            row.attempts = (row.attempts or 0) + 1
            body = json.dumps(payload(row, call_centre=name, public_url=settings.public_url),
                              separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            if row.call_centre_id not in secrets:
                secrets[row.call_centre_id] = derive_secret(key, row.call_centre_id)
            secret = secrets[row.call_centre_id]
            claimed.append(_Claimed(row.id, row.call_centre_id, str(url), row.attempts, body, secret))
        # Committed when this block ends, before any request leaves: the lease makes a crash a retry.
    return claimed


def _send_group(settings: Settings, http: httpx.Client, rows: list[_Claimed], clock: Callable[[], datetime],
                send_until: float) -> int:
    """Send one call centre's rows in order. After a transport failure (refused, timed out) the rest
    are not tried this round: they are handed back with the same retry time instead of each waiting
    out its own timeout against an endpoint that is down."""
    results = _Results(settings)
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > send_until:
                results.release(rows[index:], at=clock(), error=None)
                break
            error = _post(http, row)
            at = clock()
            if error is None:
                results.delivered(row, at=at)
                continue
            retry_at = at + backoff(row.attempt)
            results.failed(row, at=retry_at, error=error)
            if not error.startswith("HTTP "):
                results.release(rows[index + 1:], at=retry_at, error=f"{error} (on an earlier row)")
                break
    finally:
        results.flush()
    return results.count


def _post(http: httpx.Client, row: _Claimed) -> str | None:
    """None when the call centre answered 2xx, else what went wrong (status or error type only)."""
    headers = {SIGNATURE_HEADER: sign(row.secret, row.body), DELIVERY_HEADER: row.id,
               "Content-Type": "application/json"}
    try:
        response = http.post(row.url, content=row.body, headers=headers)
    except httpx.HTTPError as exc:
        log.warning("propagation %s to call centre %s: %s (attempt %d)", row.id, row.call_centre_id,
                    type(exc).__name__, row.attempt)
        return type(exc).__name__
    if 200 <= response.status_code < 300:
        log.info("propagation %s delivered to call centre %s (attempt %d)", row.id, row.call_centre_id,
                 row.attempt)
        return None
    log.warning("propagation %s to call centre %s: HTTP %d (attempt %d)", row.id, row.call_centre_id,
                response.status_code, row.attempt)
    return f"HTTP {response.status_code}"


class _Results:
    """Answers recorded in batches (a commit per row cost more than the request on loopback): at most
    RECORD_EVERY rows or RECORD_SECONDS old. A crash before a batch is written only means those rows
    are sent again after their lease, as any crash mid-delivery."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pending: list[Any] = []
        self.count = 0
        self.since = time.monotonic()

    def delivered(self, row: _Claimed, *, at: datetime) -> None:
        self.count += 1
        self._add(update(Propagation).where(Propagation.id == row.id, Propagation.delivered_at.is_(None))
                  .values(delivered_at=to_store(at), next_attempt_at=None, last_error=None))

    def failed(self, row: _Claimed, *, at: datetime, error: str) -> None:
        self._add(update(Propagation).where(Propagation.id == row.id, Propagation.delivered_at.is_(None),
                                            Propagation.acknowledged_at.is_(None))
                  .values(next_attempt_at=to_store(at), last_error=error[:200]))

    def release(self, rows: list[_Claimed], *, at: datetime, error: str | None) -> None:
        """Hand back claimed rows that were not sent: their attempt is not counted."""
        if not rows:
            return
        values: dict[str, Any] = {"next_attempt_at": to_store(at), "attempts": Propagation.attempts - 1}
        if error is not None:
            values["last_error"] = error[:200]
        self._add(update(Propagation).where(Propagation.id.in_([r.id for r in rows]),
                                            Propagation.delivered_at.is_(None), Propagation.acknowledged_at.is_(None))
                  .values(**values))

    def _add(self, statement: Any) -> None:
        self.pending.append(statement)
        if len(self.pending) >= RECORD_EVERY or time.monotonic() - self.since > RECORD_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with unit_of_work(self.settings.database_url) as session:
                for statement in self.pending:
                    session.execute(statement)
            self.pending.clear()
        self.since = time.monotonic()


def run_forever(settings: Settings, stop: threading.Event, interval: float = 1.0, *, limit: int = 100) -> None:
    """Deliver until `stop` is set: again at once while rounds come back full, else every `interval`.
    Raises InvalidInput at once without LEADGATE_SECRET_KEY (nothing could be signed)."""
    _ready(settings)
    last_problem = ""
    with _client(settings) as http:
        while not stop.is_set():
            try:
                result = _round(settings, now=None, limit=limit, client=http)
                last_problem = ""
            except Exception as exc:  # e.g. the database away for a moment: keep going, say it once
                problem = type(exc).__name__
                if problem != last_problem:
                    log.exception("opt-out delivery round failed")
                last_problem = problem
                result = Round(0, 0)
            if result.claimed < limit:
                stop.wait(interval)


def start(settings: Settings) -> Callable[[], None]:
    """Start delivering in a background (daemon) thread; returns the function that stops it. Without
    LEADGATE_SECRET_KEY (or with a lease not longer than the timeout) it raises instead, so a server meant
    to deliver refuses to start."""
    _ready(settings)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(settings, stop), name="leadgate-delivery", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=settings.webhook_timeout_seconds + 5)

    return stopper
