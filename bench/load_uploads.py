#!/usr/bin/env python3
"""Concurrent uploads against a real server, and SIGKILL of the server in the middle of a burst.

Starts `mlops-maturity serve` (a fresh process group on 127.0.0.1, --workers N) on the database
given, makes a team and an API token through the store, then:

- burst: N distinct uploads, all in flight at once (one asyncio client, N connections). Every
  answer must be 201; no 5xx, no "database is locked" in an answer or in the server's log; every
  acknowledged upload is then read back.
- crash (--kill K): K rounds of: start the server, keep C uploads in flight, SIGKILL the whole
  server process group after a random 0.6-1.5 s, restart it on the same database, and check that
  every upload acknowledged (201/200) before the kill is there with the same uid, and that the
  store's integrity check finds nothing partial.

Prints one JSON line with the figures and exits non-zero on any violation. Traffic goes to
127.0.0.1 only; every loop is bounded. PostgreSQL: pass a postgresql+psycopg:// URL of a database
the caller created (tests/web/test_web_load.py does).

Usage:
    python bench/load_uploads.py --db sqlite:////tmp/load.db [--uploads 200] [--workers 2]
                                 [--kill 3 --concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mlops-maturity serve` in its own process group (uvicorn's workers are its children)."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        exe = str(Path(sys.executable).parent / "mlops-maturity")
        self.log = open(log, "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [exe, "serve", "--db", url, "--port", str(self.port), "--workers", str(workers)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        started = time.monotonic()
        deadline = started + 90
        while True:
            try:
                if httpx.get(f"{self.base}/login", timeout=2).status_code == 200:
                    self.startup = time.monotonic() - started
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise SystemExit(f"the server did not start (see {log})")
            time.sleep(0.2)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.log.close()


def setup(url: str) -> tuple[str, str]:
    """A team and its token, written through the store (no server needed)."""
    from mlops_maturity.store.service import Store
    from mlops_maturity.web.services import accounts
    from mlops_maturity.web.services.accounts import Principal

    admin = Principal(kind="user", actor="load-bench", is_admin=True)
    store = Store.open(url)
    try:
        if accounts.needs_admin(store):
            accounts.bootstrap_admin(store, "load-bench@example.org", os.urandom(16).hex())
        name = f"load-{os.getpid()}-{random.randrange(10**6)}"
        team = accounts.create_team(store, admin, name, "bench")
        return name, accounts.create_token(store, admin, team, "load", "bench").token
    finally:
        store.close()


def bodies(count: int, seed: int) -> list[str]:
    """`count` distinct results (one scored result, a distinct generated_at each)."""
    from mlops_maturity.framework.load import default_catalog, load_framework
    from mlops_maturity.model.result import Subject
    from mlops_maturity.scoring import Inputs, score

    catalog = default_catalog()
    fw = load_framework(None, catalog)
    base = score(fw, catalog, Inputs(subject=Subject(name="load")))
    t0 = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=seed)
    return [base.model_copy(update={"generated_at": t0 + timedelta(seconds=i)}).model_dump_json() for i in range(count)]


async def _upload(client: httpx.AsyncClient, base: str, token: str, body: str, i: int, out: dict) -> None:
    try:
        r = await client.post(f"{base}/api/v1/assessments", params={"project": f"load-{i % 10}"}, content=body,
                              headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    except httpx.HTTPError as exc:
        out["errors"].append(type(exc).__name__)
        return
    out["status"][r.status_code] = out["status"].get(r.status_code, 0) + 1
    if r.status_code >= 500 or "locked" in r.text:
        out["bad"].append(f"{r.status_code} {r.text[:200]}")
    if r.status_code in (200, 201):
        out["acked"].append(r.json())


async def burst(base: str, token: str, payloads: list[str], concurrency: int, stop_after: float | None = None, on_time=None) -> dict:
    out: dict = {"status": {}, "bad": [], "errors": [], "acked": []}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        if stop_after is None:
            await asyncio.gather(*(_upload(client, base, token, b, i, out) for i, b in enumerate(payloads)))
        else:
            queue = iter(enumerate(payloads))
            killed = asyncio.Event()

            async def worker():
                for i, b in queue:
                    if killed.is_set():
                        return
                    await _upload(client, base, token, b, i, out)

            tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
            await asyncio.sleep(stop_after)
            await asyncio.to_thread(on_time)  # the kill: in-flight requests fail from here on
            killed.set()
            await asyncio.wait(tasks, timeout=60)
            for t in tasks:
                t.cancel()
    return out


def verify(base: str, token: str, acked: list[dict]) -> list[str]:
    problems = []
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for a in acked:
            r = client.get(f"{base}/api/v1/assessments/{a['id']}")
            if r.status_code != 200 or r.json()["assessment"]["uid"] != a["uid"]:
                problems.append(f"acknowledged upload #{a['id']} missing or different: {r.status_code}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--uploads", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill", type=int, default=0, metavar="ROUNDS")
    ap.add_argument("--concurrency", type=int, default=32, help="uploads in flight during a kill round")
    ap.add_argument("--log", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / f"load_uploads_{os.getpid()}.log")
    args = ap.parse_args(argv)
    from mlops_maturity.store.service import Store

    team, token = setup(args.db)
    report: dict = {"db": args.db.split(":", 1)[0], "workers": args.workers}
    problems: list[str] = []

    server = Server(args.db, args.workers, args.log)
    try:
        if args.uploads:
            payloads = bodies(args.uploads, 0)
            start = time.monotonic()
            out = asyncio.run(burst(server.base, token, payloads, args.uploads))
            elapsed = time.monotonic() - start
            problems += out["bad"] + [f"client error {e}" for e in out["errors"]]
            if out["status"] != {201: args.uploads}:
                problems.append(f"statuses {out['status']}")
            problems += verify(server.base, token, out["acked"])
            report["burst"] = {"uploads": args.uploads, "in_flight": args.uploads, "seconds": round(elapsed, 2),
                               "per_second": round(args.uploads / elapsed, 1), "statuses": out["status"]}
        rounds = []
        for k in range(args.kill):  # each round kills the running server mid-burst, then restarts it
            payloads = bodies(1000, 100 + k)
            delay = random.uniform(0.6, 1.5)
            out = asyncio.run(burst(server.base, token, payloads, args.concurrency, stop_after=delay, on_time=server.kill))
            problems += out["bad"]
            server = Server(args.db, args.workers, args.log)
            missing = verify(server.base, token, out["acked"])
            problems += missing
            rounds.append({"restart_s": round(server.startup, 1), "killed_after_s": round(delay, 2), "acknowledged": len(out["acked"]), "missing": len(missing)})
    finally:
        server.stop()

    if rounds:
        report["kills"] = rounds
        store = Store.open(args.db)
        try:
            integrity = store.check()
        finally:
            store.close()
        problems += integrity
        report["integrity_problems"] = len(integrity)

    log = args.log.read_text(errors="replace") if args.log.exists() else ""
    if "database is locked" in log or "Traceback" in log:
        problems.append(f"the server log has errors: {args.log}")
    report["problems"] = problems[:20]
    print(json.dumps(report))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
