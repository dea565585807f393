"""Opt-out delivery throughput: `deliver_once` rounds over N due outbox rows, POSTed signed to a local
webhook receiver (http.server in a thread of this process, so it shares the GIL with the sender: a floor,
not a ceiling), on a fresh SQLite file or an emptied PostgreSQL database.

    python bench/bench_delivery.py --rows 2000 --call-centres 1
    python bench/bench_delivery.py --database postgresql+psycopg://postgres@127.0.0.1:5432/dlvbench --call-centres 8

The PostgreSQL database must exist; its public schema is dropped and recreated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.propagation.delivery_support import Receiver, add_rows, delivery_settings
from tests.store_helpers import NOW, setup_store

from leadgate.campaigns import service as campaigns
from leadgate.kit.db import alembic_config, unit_of_work
from leadgate.propagation.webhooks import set_webhook
from leadgate.propagation.worker import deliver_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--call-centres", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/delivery.db"
        if url.startswith("postgresql"):
            with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        command.upgrade(alembic_config(url), "head")
        setup_store(url)
        names = ["CallCo"] + [f"CallCentre{i}" for i in range(1, args.call_centres)]
        with Receiver() as receiver:
            with unit_of_work(url) as session:
                for name in names[1:]:
                    campaigns.add_partner(session, name=name, kind="call_centre", now=NOW, actor="bench")
                for name in names:
                    set_webhook(session, partner=name, url=receiver.url, now=NOW, actor="bench")
            now = datetime.now(UTC)
            for name in names:
                add_rows(url, name, args.rows // len(names), at=now, due=now)
            settings = delivery_settings(url, webhook_timeout_seconds=10, webhook_lease_seconds=600)
            started, total = time.perf_counter(), 0
            while delivered := deliver_once(settings):
                total += delivered
            elapsed = time.perf_counter() - started
        print(f"{url.split(':')[0]}, {len(names)} call centre(s): {total} delivered in {elapsed:.2f} s "
              f"= {total / elapsed:.0f}/s")


if __name__ == "__main__":
    main()
