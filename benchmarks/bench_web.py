"""Benchmark the web app: a server on 127.0.0.1 over a store of N collectors x P periods, many signed-in
collectors at once, each opening their home page and their latest statement (page and xlsx).

    python benchmarks/bench_web.py [--collectors 2000] [--periods 12] [--sessions 50] [--requests 3000]
                                   [--seconds 300] [--workers 2] [--pg postgresql://user@host/db]

The store: the latest period (2026-09) is a real batch, computed from a synthetic data set of
--collectors collectors, approved and locked by two people, its statements prepared; the --periods - 1 months before it are
synthetic at the store level (paid batches whose pay rows are drawn at random), so every collector has a
year of history without computing it. Not timed. Then --sessions collectors sign in, and each session
asks its pages in turn until --requests requests were made in all or --seconds passed. Prints p50 and p95
per page, and the errors (any answer but 200). The batch's statements are prepared for the pages once,
as HR does from the batch page (timed apart); each session's first statement is reported apart
("statement (first)"). The store is an SQLite file, or with --pg a new database on that PostgreSQL
server (dropped at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from commission.app.accounts import change_password, issue_password, sign_in  # noqa: E402
from commission.app.batches import act_on_batch, create_payout_batch  # noqa: E402
from commission.app.collector_pay import keep_statements  # noqa: E402
from commission.app.inputs import InputPaths  # noqa: E402
from commission.app.runs import RunRequest  # noqa: E402
from commission.app.samples import make_sample  # noqa: E402
from commission.app.users import add, set_up_store  # noqa: E402
from commission.periods import Period  # noqa: E402
from commission.store import open_store  # noqa: E402
from commission.store.schema import batches, payouts  # noqa: E402

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
PASSWORD = "bench password 2026"
LAST = Period.parse("2026-09")


def months_before(period: Period, count: int) -> list[str]:
    year, month = period.start.year, period.start.month
    out = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(f"{year}-{month:02d}")
    return out[::-1]


def build(folder: Path, url: str, collectors: int, periods: int) -> tuple[list[str], int]:
    """The store at `url`; returns (collector ids, id of the real batch)."""
    data, sample = make_sample(collectors, 3, 7, "2026-07", folder / "sample")
    set_up_store(url, "ada", False, NOW)
    for name, role in (("pat", "preparer"), ("abe", "approver"), ("pam", "payer")):
        add(url, "ada", name, [role], NOW)
    ids = sorted(data.roster["collector_id"])
    rng = random.Random(7)
    with open_store(url).begin() as connection:
        for month in months_before(LAST, periods - 1):
            batch_id = connection.execute(insert(batches).values(
                period=month, kind="payout", status="paid", currency="CNY", minor_units=2, plans="[]", inputs="[]",
                engine_version="synthetic", totals="{}", reports="", lines_sha256="", created_by="pat",
                created_at=NOW, approved_by="abe", approved_at=NOW, locked_by="pam", locked_at=NOW,
                paid_by="pam", paid_at=NOW, pay_date=date(2026, 1, 15))).inserted_primary_key[0]
            connection.execute(insert(payouts), [
                {"batch_id": batch_id, "collector_id": c, "pay_code": code, "employee_id": "", "name": "",
                 "team": "", "plan": "synthetic", "plan_version": 1, "amount": rng.randrange(0, 2_000_000)}
                for c in ids for code in ("commission", "bonus")])
    paths = InputPaths(sorted((ROOT / "policies").glob("*.yaml")), [sample / "ledger.csv"], sample / "roster.csv",
                       [sample / "targets.csv"], [sample / "assignments.csv"], [sample / "events.csv"])
    created = create_payout_batch(RunRequest(paths, LAST), url, folder / "reports", "pat", NOW)
    act_on_batch(url, created.batch.id, "approve", "abe", NOW)
    act_on_batch(url, created.batch.id, "lock", "pam", NOW)
    began = time.perf_counter()
    kept = keep_statements(url, "pam", created.batch.id, ("en",))
    print(f"statements prepared for collectors' pages: {kept} in {time.perf_counter() - began:.0f} s")
    return ids, created.batch.id


@contextlib.contextmanager
def store(folder: Path, pg: str | None):
    """An SQLite file in `folder`, or a new PostgreSQL database on the server of `pg`, dropped after."""
    if not pg:
        yield f"sqlite:///{folder / 'store.db'}"
        return
    import sqlalchemy as sa

    name = f"bench_web_{os.getpid()}"
    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield pg.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))


def sign_up(url: str, collector: str) -> str:
    """A collector user for `collector` with PASSWORD (their one-time password changed); returns the name."""
    name = f"u{collector.lower()}"
    add(url, "ada", name, ["collector"], NOW, collector)
    one_time = issue_password(url, "ada", name, NOW)
    change_password(url, sign_in(url, name, one_time, "127.0.0.1", NOW), one_time, PASSWORD, "127.0.0.1", NOW)
    return name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, folder: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "commission", "serve", "--db", url, "--port", str(port),
                               "--workers", str(workers), "--reports", str(folder / "web")],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def session(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf})
    if answer.status_code != 303:
        raise SystemExit(f"{name} could not sign in: {answer.status_code}")
    return client


def load(clients: dict, batch_id: int, requests: int, seconds: float) -> tuple[dict, dict, float]:
    """Each session asks home, statement page, statement xlsx in turn; returns ({page: [ms]}, {page: errors},
    elapsed seconds)."""
    times, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
    budget = {"left": requests}
    deadline = time.perf_counter() + seconds

    def run(collector: str, client: httpx.Client) -> None:
        pages = {"home": f"/collectors/{collector}", "statement": f"/collectors/{collector}/batches/{batch_id}",
                 "statement.xlsx": f"/collectors/{collector}/batches/{batch_id}/statement.xlsx"}
        turn = 0
        first = True  # a session's first look at its statement, reported apart
        while time.perf_counter() < deadline:
            with lock:
                if budget["left"] <= 0:
                    return
                budget["left"] -= 1
            page = "statement" if first else list(pages)[turn % len(pages)]
            turn += 0 if first else 1
            began = time.perf_counter()
            try:
                status = client.get(pages[page]).status_code
            except httpx.HTTPError:
                status = 0
            took = (time.perf_counter() - began) * 1000
            shown = "statement (first)" if first else page
            first = False
            with lock:
                times[shown].append(took)
                if status != 200:
                    errors[shown] += 1

    threads = [threading.Thread(target=run, args=item) for item in clients.items()]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors, time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collectors", type=int, default=2000)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", help="A PostgreSQL server's URL: the store is a new database there.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch, store(Path(scratch), args.pg) as url:
        folder = Path(scratch)
        began = time.perf_counter()
        ids, batch_id = build(folder, url, args.collectors, args.periods)
        chosen = random.Random(1).sample(ids, min(args.sessions, len(ids)))
        names = {collector: sign_up(url, collector) for collector in chosen}
        print(f"store: {len(ids)} collectors x {args.periods} periods, built in {time.perf_counter() - began:.0f} s")
        server, base = start_server(url, folder, args.workers)
        try:
            clients = {collector: session(base, name) for collector, name in names.items()}
            times, errors, elapsed = load(clients, batch_id, args.requests, args.seconds)
        finally:
            server.terminate()
            server.wait(30)
    total = sum(len(v) for v in times.values())
    print(f"{len(clients)} sessions, {total} requests in {elapsed:.1f} s ({total / elapsed:.1f} requests/s), "
          f"{args.workers} server workers, store {'PostgreSQL' if args.pg else 'SQLite'}")
    print(f"{'page':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for page, values in times.items():
        print(f"{page:<16}{len(values):>9}{percentile(values, 0.5):>9.0f}{percentile(values, 0.95):>9.0f}"
              f"{errors[page]:>8}")
    print(json.dumps({page: {"p50": round(percentile(v, 0.5)), "p95": round(percentile(v, 0.95)),
                             "errors": errors[page], "requests": len(v)} for page, v in times.items()}))


if __name__ == "__main__":
    main()
