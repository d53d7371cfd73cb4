"""Small helpers shared by tests (importable as `helpers`, see pytest pythonpath)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pg_admin_connect():
    """An autocommit connection to the machine's PostgreSQL (127.0.0.1:5432, trust auth, database
    `test`; MM_TEST_PG overrides), and its conninfo; or (None, why not)."""
    import psycopg

    explicit = os.environ.get("MM_TEST_PG")
    candidates = [explicit] if explicit else [
        "host=127.0.0.1 port=5432 user=postgres dbname=test",
        "host=127.0.0.1 port=5432 user=root dbname=test",
    ]
    problems = []
    for conninfo in candidates:
        try:
            return psycopg.connect(conninfo, autocommit=True, connect_timeout=5), conninfo
        except psycopg.Error as exc:
            problems.append(f"{conninfo}: {str(exc).strip().splitlines()[0]}")
    return None, "; ".join(problems)


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@contextmanager
def temp_pg_database(prefix: str, what: str):
    """A fresh PostgreSQL database `<prefix>_<random>` for the duration (dropped after); yields
    its SQLAlchemy URL. Unreachable: the test fails in CI, else it is skipped with the reason."""
    import pytest

    conn, info = pg_admin_connect()
    if conn is None:
        message = f"PostgreSQL unreachable ({info})"
        if IN_CI:
            pytest.fail(f"{message}: CI must run the PostgreSQL {what}", pytrace=False)
        pytest.skip(message)
    params = dict(p.split("=", 1) for p in info.split())
    name = f"{prefix}_{secrets.token_hex(4)}"
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{quote(params['user'])}@{params['host']}:{params['port']}/{name}"
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def cli(*args, cwd=None, env: dict | None = None, stdin=subprocess.DEVNULL, timeout: float = 300):
    """`mlops-maturity ARGS` in a fresh process (NO_COLOR, no terminal), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "mlops_maturity", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, "NO_COLOR": "1", **(env or {})}, stdin=stdin, timeout=timeout,
    )


def one_line_error(proc, *needles) -> str:
    """Assert the run failed as input errors must: exit 2, one stderr line holding `needles`,
    no traceback. Returns the line."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]
