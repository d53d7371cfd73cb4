"""Small helpers shared by tests (importable as `helpers`, see pytest pythonpath)."""

from __future__ import annotations

import os
from pathlib import Path


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
