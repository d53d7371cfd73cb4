"""Small helpers shared by tests (importable as `helpers`, see pytest pythonpath)."""

from __future__ import annotations

import os
import secrets
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
