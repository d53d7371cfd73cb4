#!/usr/bin/env python3
"""Server latency and upload throughput, on SQLite and on PostgreSQL.

Seeds 1,000 projects x 20 assessments (in bulk, through the store's import), starts
`mlops-maturity serve` on 127.0.0.1 (a fresh process, --workers N), then sends a bounded load
from a small async client with a fixed concurrency:

- the portfolio page (signed in as the administrator: every project counted in the distribution,
  the first 200 rows of the heatmap shown),
- the API: /api/v1/portfolio, /api/v1/projects/{id}/assessments, /api/v1/assessments/{id},
- uploads of distinct results with a team token (throughput = uploads / wall time).

Latencies are p50/p95 per kind, after a few warm-up requests. Traffic goes to 127.0.0.1 only and
every loop has a fixed count. PostgreSQL is 127.0.0.1:5432 with trust auth (database `test` to
connect to; MM_TEST_PG overrides, as for the tests); the bench creates its own database
`mm_bench_<random>` and drops it at the end.

Usage:
    python bench/server_bench.py [--db sqlite,postgresql] [--projects 1000] [--assessments 20]
                                 [--requests 100] [--uploads 300] [--concurrency 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ADMIN = "bench@example.org"
PASSWORD = "bench password 123"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data -------------------------------------------------------------------------------------


def result_pool(size: int, seed: int = 7):
    """`size` scored results with different answers (levels spread over 1..5)."""
    from mlops_maturity.framework.load import default_catalog, load_framework
    from mlops_maturity.model.evidence import Answer
    from mlops_maturity.model.result import Subject
    from mlops_maturity.scoring import Inputs, score

    catalog = default_catalog()
    fw = load_framework(None, catalog)
    rng = random.Random(seed)
    crits = fw.active_criteria()
    pool = []
    for i in range(size):
        depth = 1 + i % 5
        answers = [Answer(question=c.id, value=3 if c.level <= depth or rng.random() < 0.2 else rng.choice((0, 1))) for c in crits]
        pool.append(score(fw, catalog, Inputs(answers=answers, subject=Subject(name="bench"), generated_at=datetime(2026, 1, 1, tzinfo=UTC))))
    return pool


def _at(result_json: str, old: str, when: datetime) -> str:
    # The canonical JSON has exactly one "generated_at" (a top-level key): swap its value.
    return result_json.replace(f'"generated_at":"{old}"', f'"generated_at":"{when.isoformat()}"', 1)


def seed(url: str, projects: int, per_project: int) -> tuple[int, float]:
    """Bulk-load the assessments; returns (assessments stored, seconds)."""
    from mlops_maturity.store.records import AssessmentRecord, assessment_uid, canonical_json
    from mlops_maturity.store.service import Store

    pool = result_pool(40)
    bases = []
    for r in pool:
        text = canonical_json(r)
        bases.append((r, text, re.search(r'"generated_at":"([^"]+)"', text).group(1)))
    now = datetime.now(UTC)
    started = time.perf_counter()
    stored = 0
    with Store.open(url) as store:
        batch = []
        for p in range(projects):
            team = f"team-{p % 25:02d}"
            name = f"project-{p:04d}"
            for k in range(per_project):
                result, canonical, old = bases[(p * 7 + k) % len(bases)]
                when = now - timedelta(days=(per_project - k) * 9 + p % 30, minutes=p)
                text = _at(canonical, old, when)
                r = result.model_copy(update={"generated_at": when})
                batch.append(
                    AssessmentRecord(
                        uid=assessment_uid("default", team, name, text), organization="default", team=team, project=name,
                        source="scan" if k % 3 else "answers", created_by="bench", result=r, canonical=text,
                    )
                )
            if len(batch) >= 1000:
                stored += store.import_records(batch).added
                batch = []
        if batch:
            stored += store.import_records(batch).added
    return stored, time.perf_counter() - started


def accounts(url: str) -> str:
    """The administrator (for the pages) and a token of team-00 (for the API); returns the token."""
    from mlops_maturity.store.service import Store
    from mlops_maturity.web.services import accounts as acc

    with Store.open(url) as store:
        acc.bootstrap_admin(store, ADMIN, PASSWORD)
        admin = acc.Principal(kind="user", actor="bench", is_admin=True)
        team = next(t.id for t in acc.teams_of(store, admin) if t.name == "team-00")
        return acc.create_token(store, admin, team, "bench", "bench").token


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, workers: int):
    port = free_port()
    env = {**os.environ, "MLOPS_MATURITY_DB": url}
    cmd = [sys.executable, "-m", "mlops_maturity", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"serve did not start: {proc.stderr.read()[-2000:]}")
        time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- the load ---------------------------------------------------------------------------------


async def timed(n: int, concurrency: int, call) -> tuple[list[float], float]:  # noqa: ANN001
    """`n` calls of `call(i)` with at most `concurrency` in flight; latencies (ms) and wall time (s)."""
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with sem:
            t = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - t) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def load(base: str, token: str, requests: int, uploads: int, concurrency: int) -> dict:
    import httpx

    from mlops_maturity.store.records import canonical_json

    out: dict[str, dict] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as browser, httpx.AsyncClient(
        base_url=base, timeout=60, limits=limits, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        page = await browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = await browser.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": csrf, "next": "/portfolio"})
        assert r.status_code == 303, r.text[:300]
        projects = (await api.get("/api/v1/projects")).json()
        ids = [p["id"] for p in projects]
        latest = [p["latest_assessment_id"] for p in projects if p["latest_assessment_id"]]

        async def ok(response) -> None:  # noqa: ANN001
            if response.status_code >= 300:
                raise SystemExit(f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:200]}")

        async def portfolio_page(i: int) -> None:
            r = await browser.get("/portfolio")
            await ok(r)
            out.setdefault("portfolio_bytes", {"v": len(r.content)})

        async def api_portfolio(i: int) -> None:
            await ok(await api.get("/api/v1/portfolio"))

        async def api_history(i: int) -> None:
            await ok(await api.get(f"/api/v1/projects/{ids[i % len(ids)]}/assessments"))

        async def api_assessment(i: int) -> None:
            await ok(await api.get(f"/api/v1/assessments/{latest[i % len(latest)]}"))

        pool = result_pool(10, seed=11)
        start = datetime.now(UTC)
        bodies = []
        for i in range(uploads):
            r = pool[i % len(pool)].model_copy(update={"generated_at": start + timedelta(seconds=i)})
            bodies.append((f"upload-{i % 50:02d}", canonical_json(r)))

        async def upload(i: int) -> None:
            project, body = bodies[i]
            r = await api.post("/api/v1/assessments", params={"project": project}, content=body, headers={"Content-Type": "application/json"})
            await ok(r)

        for name, call, n in [
            ("portfolio page (every project; 200 rows shown)", portfolio_page, requests),
            ("GET /api/v1/portfolio", api_portfolio, requests),
            ("GET /api/v1/projects/{id}/assessments", api_history, requests * 2),
            ("GET /api/v1/assessments/{id}", api_assessment, requests * 2),
        ]:
            await timed(min(5, n), concurrency, call)  # warm-up
            # One request at a time (latency as a user sees it), then `concurrency` at once (load).
            for c in (1, concurrency):
                lat, wall = await timed(n, c, call)
                out[f"{name} c={c}"] = {"n": n, "p50": pct(lat, 50), "p95": pct(lat, 95), "rps": n / wall}
        lat, wall = await timed(uploads, concurrency, upload)
        out[f"POST /api/v1/assessments (upload) c={concurrency}"] = {"n": uploads, "p50": pct(lat, 50), "p95": pct(lat, 95), "rps": uploads / wall}
    return out


# -- databases --------------------------------------------------------------------------------


@contextmanager
def database(kind: str, tmp: Path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    candidates = [os.environ["MM_TEST_PG"]] if os.environ.get("MM_TEST_PG") else [
        "host=127.0.0.1 port=5432 user=postgres dbname=test",
        "host=127.0.0.1 port=5432 user=root dbname=test",
    ]
    for info in candidates:
        try:
            admin = psycopg.connect(info, autocommit=True, connect_timeout=5)
            break
        except psycopg.Error:
            continue
    else:
        raise SystemExit("PostgreSQL unreachable on 127.0.0.1:5432")
    params = dict(p.split("=", 1) for p in info.split())
    name = f"mm_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{params['user']}@{params['host']}:{params['port']}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--assessments", type=int, default=20)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--uploads", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"# mlops-maturity server bench: {args.projects} projects x {args.assessments} assessments, "
          f"{os.cpu_count()} cores, serve --workers {args.workers}, client concurrency {args.concurrency}")
    for kind in args.db.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="mm-bench-"))
        try:
            with database(kind, tmp) as url:
                n, seconds = seed(url, args.projects, args.assessments)
                token = accounts(url)
                log(f"{kind}: seeded {n} assessments in {seconds:.1f} s")
                with server(url, args.workers) as base:
                    figures = asyncio.run(load(base, token, args.requests, args.uploads, args.concurrency))
                size = figures.pop("portfolio_bytes")["v"]
                print(f"\n## {kind} ({n} assessments seeded in {seconds:.0f} s; portfolio page {size / 1024:.0f} KiB)")
                print(f"{'':50} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
                for name, f in figures.items():
                    print(f"{name:50} {f['n']:>5} {f['p50']:>8.1f} {f['p95']:>8.1f} {f['rps']:>8.1f}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
