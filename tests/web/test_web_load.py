"""Load and crashes (bench/load_uploads.py, bounded): a real `mlops-maturity serve` with two
workers on SQLite and on PostgreSQL takes 200 uploads in flight at once with no 5xx and no
"database is locked", and every acknowledged upload is stored; then the server is SIGKILLed in
the middle of a burst (at a random moment 0.6-1.5 s into it) and after a restart every upload
acknowledged before the kill is there with its uid, and the integrity check finds nothing partial."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import temp_pg_database

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_uploads.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'load.db'}"
        return
    with temp_pg_database("mm_load", "load test") as url:
        yield url


def test_200_concurrent_uploads_and_sigkill_mid_burst(db_url, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--db", db_url, "--uploads", "200", "--workers", "2", "--kill", "1", "--concurrency", "32", "--log", str(tmp_path / "server.log")],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.stdout.strip(), proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    print(report)
    assert report["problems"] == [], report
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert report["burst"]["statuses"] == {"201": 200}
    assert len(report["kills"]) == 1 and all(k["missing"] == 0 for k in report["kills"])
    assert sum(k["acknowledged"] for k in report["kills"]) > 0, "the kills must land mid-burst"
    assert report["integrity_problems"] == 0
