"""The pre-dial check over HTTP: `leadgate serve` (real uvicorn) against the PostgreSQL store of
bench/make_api.py, driven by an open-loop load generator on loopback.

    python bench/make_api.py                                    # once: 1M people in leadgate_bench_api
    python bench/bench_api.py --workers 2 --rate 500 --duration 30 --repeat 3
    python bench/bench_api.py --route whoami --repeat 1          # the baseline alone
    python bench/bench_api.py --inprocess 2000 --repeat 0        # decide_stored in process alone

Open loop: the send time of request i is fixed in advance (start + i / rate) and its latency is measured
from that scheduled time, not from when it was actually sent, so a server (or generator) that falls
behind shows as queueing in the latency instead of silently lowering the rate (coordinated omission).
The generator is one asyncio (uvloop) process speaking HTTP/1.1 over raw keep-alive connections with the
requests prebuilt as bytes; it opens another connection whenever none is free (up to --max-conns) and
reports its own CPU, how late it sent (send lag), and the CPU of the server's processes and PostgreSQL's.

Each run: warm-up (--warmup seconds at the same rate, not counted), then --duration seconds measured.
The baselines in the same invocation: the same load against GET /v1/whoami (authentication + one query:
the floor of any authenticated route) and `decisions.service.decide_stored` called in process, one at a
time, on the same contacts (the check's own work without HTTP). Runs alternate check / whoami so a
drifting VM affects both alike; the table gives medians over the runs. Results: bench/data/api-bench-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_bench_api"
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc (no psutil here) -------------------------------------------------------------

def _stat(pid: int) -> tuple[int, str, float] | None:
    """(parent pid, command line, CPU seconds user+system) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2:].split()
    return int(rest[1]), command, (int(rest[11]) + int(rest[12])) / TICK


def processes() -> dict[int, tuple[int, str, float]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (got := _stat(int(entry))) is not None:
            table[int(entry)] = got
    return table


def _all_cores() -> list[int]:
    """The summed "cpu" line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal, ... (ticks)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def machine_busy() -> float:
    """CPU seconds all cores were busy (all but idle and iowait), from /proc/stat."""
    return sum(x for i, x in enumerate(_all_cores()[:8]) if i not in (3, 4)) / TICK


def machine_steal() -> float:
    """CPU seconds the hypervisor gave the VM's cores to others (steal), from /proc/stat."""
    fields = _all_cores()
    return fields[7] / TICK if len(fields) > 7 else 0.0


def cpu_used(before: dict[int, tuple[int, str, float]], after: dict[int, tuple[int, str, float]], *,
             server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds between two snapshots of: the server and its workers, PostgreSQL (the backends of the
    benchmark's database and the server's own background processes, not other databases' backends), and
    this generator. Processes that ended in between are not counted (other helpers' test backends)."""
    server = {server_pid}
    grew = True
    while grew:
        size = len(server)
        server |= {pid for pid, (ppid, _, _) in after.items() if ppid in server}
        grew = len(server) != size

    def delta(pid: int) -> float:
        return after[pid][2] - (before[pid][2] if pid in before else 0.0)

    postgres = [pid for pid, (_, cmd, _) in after.items() if cmd.startswith("postgres")
                and (f" {database} " in cmd or ("main:" in cmd and "postgres " not in cmd.split("main:", 1)[1][:10]))]
    return {"server": sum(delta(p) for p in server if p in after),
            "postgres": sum(delta(p) for p in postgres),
            "generator": delta(os.getpid()) if os.getpid() in after else 0.0}


# --- the load generator ---------------------------------------------------------------------------------------

class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15:head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0 else None]) if at >= 0 else 0
        if len(self.buffer) < end + 4 + length:
            return
        status = int(head[9:12])
        body = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        if b"connection: close" in head:
            self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


@dataclass
class Outcome:
    scheduled: np.ndarray  # seconds from the start
    sent: np.ndarray
    done: np.ndarray  # NaN: no answer
    status: np.ndarray
    bodies: list[bytes | None]
    connections: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def drive(port: int, requests: list[bytes], *, rate: float, duration: float, max_conns: int,
                timeout: float, keep_bodies: bool) -> Outcome:
    loop = asyncio.get_running_loop()
    n = int(rate * duration)
    schedule = np.arange(n) / rate
    out = Outcome(schedule, np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=np.int32),
                  [None] * n if keep_bodies else [])
    idle: list[Connection] = []
    opened = 0
    free = asyncio.Condition()

    async def connection() -> Connection:
        nonlocal opened
        while True:
            while idle:
                conn = idle.pop()
                if not conn.closed:
                    return conn
            if opened < max_conns:
                opened += 1
                out.connections += 1
                try:
                    _, conn = await loop.create_connection(Connection, "127.0.0.1", port)
                except BaseException:
                    opened -= 1
                    raise
                return conn
            async with free:
                await free.wait()

    async def one(i: int, start: float) -> None:
        nonlocal opened
        conn: Connection | None = None
        try:
            conn = await connection()
            out.sent[i] = clock() - start
            status, body = await asyncio.wait_for(conn.send(requests[i % len(requests)]), timeout)
            out.done[i] = clock() - start
            out.status[i] = status
            if keep_bodies:
                out.bodies[i] = body
        except (TimeoutError, OSError, ConnectionError) as problem:
            out.errors[type(problem).__name__] += 1
            if conn is not None:
                conn.closed = True
                if conn.transport is not None:
                    conn.transport.close()
        finally:
            if conn is not None:
                if conn.closed:
                    opened -= 1
                else:
                    idle.append(conn)
                async with free:
                    free.notify()

    # perf_counter, not loop.time(): uvloop's clock ticks in whole milliseconds.
    clock = time.perf_counter
    tasks = []
    start = clock() + 0.05
    i = 0
    while i < n:
        now = clock() - start
        while i < n and schedule[i] <= now:
            tasks.append(loop.create_task(one(i, start)))
            i += 1
        if i < n:
            await asyncio.sleep(max(0.0, schedule[i] - (clock() - start)))
    await asyncio.gather(*tasks)
    for conn in idle:
        if conn.transport is not None:
            conn.transport.close()
    return out


# --- requests -------------------------------------------------------------------------------------------------

def http_request(method: str, path: str, token: str, body: bytes | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
    if body is None:
        return (head + "\r\n").encode()
    return (head + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def check_body(entry: dict[str, Any], campaign: str, at: str | None) -> bytes:
    body: dict[str, Any] = {"contact": entry["contact"], "campaign": campaign, "channel": entry["channel"]}
    if entry.get("country"):
        body["country"] = entry["country"]
    if at:
        body["at"] = at
    return json.dumps(body).encode()


# --- the server -----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(setup: dict[str, Any], *, workers: int, port: int, deliver: bool, src: Path | None = None,
                 url: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    env |= ({"PYTHONPATH": str(src)} if src else {}) | {
        "LEADGATE_DATABASE_URL": url or setup["url"], "LEADGATE_SUPPRESSION_KEY": setup["key"],
        "LEADGATE_SECRET_KEY": setup["secret"], "LEADGATE_DATA_DIR": setup["data_dir"],
        "LEADGATE_API_DELIVER": "true" if deliver else "false"}
    proc = subprocess.Popen([sys.executable, "-m", "leadgate.cli.main", "serve", "--port", str(port), "--workers",
                             str(workers), "--log-level", "warning"], env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"leadgate serve exited {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    time.sleep(1.0 if workers > 1 else 0.2)  # the other workers start alike
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("leadgate serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- one measured run -----------------------------------------------------------------------------------------

def ms(values: np.ndarray, q: float) -> float:
    return round(float(np.quantile(values, q)) * 1000, 2) if values.size else float("nan")


def slow_seconds(scheduled: np.ndarray, latency: np.ndarray, over: float = 0.010) -> list[dict[str, Any]]:
    """The run's seconds (by scheduled send time) with any request slower than `over`: when the tail
    happened, to tell a stall (one second, every request late) from load (slow requests spread out)."""
    if not latency.size:
        return []
    second = (scheduled - scheduled[0]).astype(int)
    out = []
    for s in np.unique(second[latency > over]).tolist():
        here = latency[second == s]
        out.append({"second": s, "n": int(here.size), "slow": int((here > over).sum()),
                    "p50_ms": ms(here, 0.5), "max_ms": round(float(here.max()) * 1000, 1)})
    return out


def summarise(out: Outcome, cpu: dict[str, float], wall: float, kinds: list[str] | None) -> dict[str, Any]:
    answered = ~np.isnan(out.done)
    latency = (out.done - out.scheduled)[answered]
    service = (out.done - out.sent)[answered]
    lag = (out.sent - out.scheduled)[~np.isnan(out.sent)]
    ok = answered & (out.status == 200)
    span = float(np.nanmax(out.done) - out.scheduled[0]) if answered.any() else float("nan")
    result: dict[str, Any] = {
        "requests": int(out.scheduled.size), "answered": int(answered.sum()), "ok_200": int(ok.sum()),
        "statuses": dict(Counter(int(s) for s in out.status[answered])), "errors": dict(out.errors),
        "throughput": round(float(answered.sum()) / span, 1) if span else None,
        "p50_ms": ms(latency, 0.5), "p90_ms": ms(latency, 0.9), "p99_ms": ms(latency, 0.99),
        "p999_ms": ms(latency, 0.999), "max_ms": round(float(latency.max()) * 1000, 2) if latency.size else None,
        "service_p50_ms": ms(service, 0.5), "service_p99_ms": ms(service, 0.99),
        "send_lag_p99_ms": ms(lag, 0.99), "send_lag_max_ms": round(float(lag.max()) * 1000, 2) if lag.size else None,
        "connections": out.connections,
        "cpu_ms_per_request": {k: round(v / max(int(answered.sum()), 1) * 1000, 3) for k, v in cpu.items()},
        "cpu_cores": {k: round(v / wall, 2) for k, v in cpu.items()},  # busy cores over the run's wall time
        "slow_seconds": slow_seconds(out.scheduled[answered], latency),
    }
    if kinds is not None and out.bodies:
        allowed: Counter[str] = Counter()
        by_kind: dict[str, list[float]] = defaultdict(list)
        for i in np.flatnonzero(answered).tolist():
            kind = kinds[i % len(kinds)]
            by_kind[kind].append(float(out.done[i] - out.scheduled[i]))
            body = out.bodies[i]
            if out.status[i] == 200 and body:
                answer = json.loads(body)
                decision = answer.get("decision", answer)
                allowed[f"{kind}: {'allowed' if decision.get('allowed') else 'not allowed'}"] += 1
            else:
                allowed[f"{kind}: HTTP {out.status[i]}"] += 1
        result["answers"] = dict(sorted(allowed.items()))
        result["by_kind"] = {k: {"n": len(v), "p50_ms": ms(np.asarray(v), 0.5), "p99_ms": ms(np.asarray(v), 0.99)}
                             for k, v in sorted(by_kind.items())}
    return result


def measured(port: int, server: subprocess.Popen[bytes] | None, requests: list[bytes], kinds: list[str] | None,
             args: argparse.Namespace) -> dict[str, Any]:
    import uvloop

    if args.warmup > 0:
        uvloop.run(drive(port, requests[::-1], rate=args.rate, duration=args.warmup, max_conns=args.max_conns,
                         timeout=args.timeout, keep_bodies=False))
    before, busy, stolen, began = processes(), machine_busy(), machine_steal(), time.perf_counter()
    out = uvloop.run(drive(port, requests, rate=args.rate, duration=args.duration, max_conns=args.max_conns,
                           timeout=args.timeout, keep_bodies=kinds is not None))
    after, busy, wall = processes(), machine_busy() - busy, time.perf_counter() - began
    cpu = cpu_used(before, after, server_pid=server.pid if server else -1, database=args.database)
    cpu["machine"] = busy  # everything on both cores, other helpers' work included
    cpu["steal"] = machine_steal() - stolen  # (inside "machine" too) time the host ran others on our cores
    return summarise(out, cpu, wall, kinds)


# --- the in-process baseline ----------------------------------------------------------------------------------

def inprocess(setup: dict[str, Any], pool: list[dict[str, Any]], n: int, at: str | None) -> dict[str, Any]:
    """decide_stored per contact, one at a time, as the route would call it (its own unit of work), without
    and with recording; plus the bare unit of work with the API-key lookup (what whoami does)."""
    from leadgate.access.service import authenticate
    from leadgate.decisions.service import decide_stored
    from leadgate.kit.db import unit_of_work
    from leadgate.rules.loader import load

    books = load(None)
    key = setup["key"].encode()
    moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    token = json.loads((Path(setup["data_dir"]).parent / "tokens.json").read_text())["compliance"]
    from leadgate.decisions import pgfacts

    results: dict[str, Any] = {}
    fast = pgfacts.applies
    cases = (("decide_stored, per-part queries (before pgfacts)", False, False),
             ("decide_stored", False, True), ("decide_stored + record", True, True),
             ("decide_stored + record, per-part queries (before pgfacts)", True, False),
             ("authenticate", None, True))
    for label, record, one_statement in cases:
        setattr(pgfacts, "applies", fast if one_statement else (lambda _: False))  # noqa: B010
        times, cpu = [], []
        for entry in pool[:n]:
            began, began_cpu = time.perf_counter(), time.process_time()
            with unit_of_work(setup["url"]) as session:
                if record is None:
                    authenticate(session, token)
                else:
                    decide_stored(session, contact=entry["contact"], country=entry.get("country"),
                                  campaign_id=setup["campaign"], channel=entry["channel"], at=moment, key=key,
                                  books=books, record=record, now=datetime.now(UTC), actor="bench")
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        setattr(pgfacts, "applies", fast)  # noqa: B010
        values = np.asarray(times[n // 10:])  # the first tenth warms caches and connections
        results[label] = {"calls": int(values.size), "mean_ms": round(float(values.mean()) * 1000, 3),
                          "p50_ms": ms(values, 0.5), "p99_ms": ms(values, 0.99),
                          "cpu_ms": round(float(np.mean(cpu[n // 10:])) * 1000, 3)}
        print(f"  in process, {label}: {results[label]}", file=sys.stderr, flush=True)
    return results


def inprocess_loop(setup: dict[str, Any], pool: list[dict[str, Any]], n: int, at: str | None,
                   concurrency: int = 8) -> dict[str, Any]:
    """The route's own work as the server runs it on PostgreSQL (api.checks.checked_on_loop: one event loop,
    psycopg's async pool, batched statements and records), `concurrency` checks at a time, without HTTP: the CPU a check
    costs the server process when nothing else competes for the cores."""
    import uvloop

    from leadgate.api import checks as api_checks
    from leadgate.api.app import create_app
    from leadgate.kit.settings import Settings

    tokens = json.loads((Path(setup["data_dir"]).parent / "tokens.json").read_text())
    settings = Settings(database_url=setup["url"], suppression_key=setup["key"], secret_key=setup["secret"],
                        data_dir=setup["data_dir"], api_deliver=False, api_rate_per_minute=10**9)
    state = create_app(settings).state.leadgate
    requests = [(tokens[e["role"]], check_body(e, setup["campaign"], at)) for e in pool[:n]]
    warm = n // 10  # the first tenth opens connections and prepares statements

    async def run() -> dict[str, Any]:
        gate = asyncio.Semaphore(concurrency)

        async def one(token: str, body: bytes) -> None:
            async with gate:
                await api_checks.checked_on_loop(state, state.pg, state.checks, state.recorder, token, raw=body)

        try:
            await asyncio.gather(*(one(t, b) for t, b in requests[:warm]))
            began, began_cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(one(t, b) for t, b in requests[warm:]))
            wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        finally:
            await state.checks.close()
            await state.recorder.close()
            await state.pg.close()
        done = len(requests) - warm
        return {"calls": done, "concurrency": concurrency, "wall_ms_per_check": round(wall / done * 1000, 3),
                "cpu_ms": round(cpu / done * 1000, 3)}

    result = uvloop.run(run())
    print(f"  in process, the route's work on the event loop: {result}", file=sys.stderr, flush=True)
    return result


# --- main -----------------------------------------------------------------------------------------------------

def recorded(url: str) -> int:
    """Decision records in the benchmark's store: the runs add to them, and the ledger's indexes grow."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM decision_records")).scalar_one())
    finally:
        engine.dispose()


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("throughput", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "service_p50_ms", "service_p99_ms",
            "send_lag_p99_ms")
    out: dict[str, Any] = {k: statistics.median(r[k] for r in runs) for k in keys if all(r.get(k) is not None
                                                                                        for r in runs)}
    out["cpu_ms_per_request"] = {k: statistics.median(r["cpu_ms_per_request"][k] for r in runs)
                                 for k in runs[0]["cpu_ms_per_request"]}
    out["errors"] = sum(sum(r["errors"].values()) for r in runs)
    out["non_200"] = sum(r["answered"] - r["ok_200"] for r in runs)
    return out


def synchronous_commit(url: str, value: str | None) -> None:
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        setting = "RESET synchronous_commit" if value is None else f"SET synchronous_commit = {value}"
        connection.execute(text(f'ALTER DATABASE "{target.database}" {setting}'))
    engine.dispose()


def serve_and_drive(args: argparse.Namespace, setup: dict[str, Any], routes: list[str], checks: list[bytes],
                    whoami: list[bytes], kinds: list[str], report: dict[str, Any]) -> None:
    if not args.repeat:
        return
    port = args.port or free_port()
    server = None if args.port else start_server(setup, workers=args.workers, port=port, deliver=args.deliver,
                                                 src=args.src, url=args.server_url)
    try:
        for run in range(args.repeat):
            for route in routes:
                result = measured(port, server, checks if route == "check" else whoami,
                                  kinds if route == "check" else None, args)
                report["runs"][route].append(result)
                brief = {k: result[k] for k in ("throughput", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                                                "send_lag_p99_ms", "statuses", "errors", "connections")}
                print(f"run {run + 1} {route}: {brief}\n  cpu ms/request {result['cpu_ms_per_request']}"
                      f"\n  cpu cores {result['cpu_cores']}", file=sys.stderr, flush=True)
                worst = sorted(result["slow_seconds"], key=lambda x: -x["slow"])[:5]
                print(f"  seconds with requests over 10 ms: {len(result['slow_seconds'])}, the worst: {worst}",
                      file=sys.stderr, flush=True)
                if route == "check" and "answers" in result and run == 0:
                    print(f"  answers {result['answers']}\n  by kind {result['by_kind']}", file=sys.stderr)
    finally:
        if server is not None:
            stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=URL, help="the database make_api.py built")
    parser.add_argument("--server-url", help=(
        "the URL the server connects with (default: --url's, TCP on loopback); on one host PostgreSQL's Unix "
        "socket: postgresql+psycopg://postgres@/leadgate_bench_api?host=/var/run/postgresql"))
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second (open loop)")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at the same rate before each run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each route (medians over them)")
    parser.add_argument("--route", choices=("check", "whoami", "both"), default="both")
    parser.add_argument("--at", default=None, help="the moment checked (default: the data set's, "
                                                   "2026-11-26T10:30+01:00; 'now' sends none)")
    parser.add_argument("--max-conns", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--inprocess", type=int, default=2000, help="contacts for the in-process baseline (0: skip)")
    parser.add_argument("--deliver", action="store_true", help="run the opt-out delivery loop in the server")
    parser.add_argument("--async-commit", action="store_true", help=(
        "synchronous_commit=off for the benchmark database while it runs (ALTER DATABASE ... SET, reset after): "
        "commits stop waiting for the WAL flush, so the ledger's lock is not held over an fsync"))
    parser.add_argument("--tag", default="", help="label of this invocation in the results file")
    parser.add_argument("--src", type=Path, help="serve this source tree instead of the installed leadgate (e.g. an "
                                                  "older commit: git archive COMMIT src | tar -x -C /tmp/before)")
    parser.add_argument("--port", type=int, help="drive a server already running on this port (e.g. under py-spy); "
                                                  "its CPU is then not measured")
    args = parser.parse_args()

    from sqlalchemy import make_url

    database = make_url(args.url).database
    args.database = database
    setup = json.loads((DATA / f"api-setup-{database}.json").read_text())
    folder = DATA / f"api-{database}"
    tokens = json.loads((folder / "tokens.json").read_text())
    pool = [json.loads(line) for line in (folder / "requests.jsonl").read_text().splitlines()]
    at = None if args.at == "now" else (args.at or setup["at"])
    checks = [http_request("POST", "/v1/checks", tokens[e["role"]], check_body(e, setup["campaign"], at)) for e in pool]
    kinds = [e["kind"] for e in pool]
    whoami = [http_request("GET", "/v1/whoami", tokens[e["role"]]) for e in pool]
    # The pools above are millions of objects: a full collection of them stalls the generator for ~100 ms,
    # and every request due meanwhile would count the stall as the server's latency. Frozen, they are
    # left out of collections.
    gc.collect()
    gc.freeze()
    report: dict[str, Any] = {"tag": args.tag, "started": datetime.now(UTC).isoformat(timespec="seconds"),
                              "args": vars(args), "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
                              "nproc": os.cpu_count(), "runs": {"check": [], "whoami": []}}
    print(f"load average before: {report['loadavg_before']}", file=sys.stderr)
    report["recorded_before"] = recorded(args.url)
    print(f"recorded checks in the store before: {report['recorded_before']} (every measured check adds one; "
          "PostgreSQL's cost per check grows with them, see BENCHMARKS.md)", file=sys.stderr)
    if args.inprocess:
        report["inprocess"] = inprocess(setup, pool, args.inprocess, at)
        report["inprocess"]["on the event loop"] = inprocess_loop(setup, pool, args.inprocess, at)
    routes = {"check": ["check"], "whoami": ["whoami"], "both": ["check", "whoami"]}[args.route]
    if args.async_commit:
        synchronous_commit(args.url, "off")
    try:
        serve_and_drive(args, setup, routes, checks, whoami, kinds, report)
    finally:
        if args.async_commit:
            synchronous_commit(args.url, None)
    report["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    report["median"] = {route: median_of(runs) for route, runs in report["runs"].items() if runs}
    for route, m in report["median"].items():
        print(f"median {route} over {len(report['runs'][route])} runs: {m}", file=sys.stderr)
    if "check" in report["median"] and "whoami" in report["median"]:
        c, w = report["median"]["check"], report["median"]["whoami"]
        report["ratio"] = {k: round(c[k] / w[k], 2) for k in ("p50_ms", "p99_ms") if w.get(k)}
        report["ratio"]["cpu_server_pg"] = round(
            (c["cpu_ms_per_request"]["server"] + c["cpu_ms_per_request"]["postgres"])
            / (w["cpu_ms_per_request"]["server"] + w["cpu_ms_per_request"]["postgres"]), 2)
        print(f"check / whoami: {report['ratio']}", file=sys.stderr)
    name = DATA / f"api-bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    name.write_text(json.dumps(report, indent=1, default=str))
    print(f"results: {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
