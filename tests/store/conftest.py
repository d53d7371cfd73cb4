"""Store fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth, user postgres or root, database `test`;
override with MM_TEST_PG="host=… port=… user=… dbname=…"). Each test session creates its own
database `mm_test_<random>` and drops it at the end; each test gets a fresh schema in it. In CI
(CI=true) an unreachable server fails the tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from helpers import temp_pg_database

from mlops_maturity.model.evidence import Answer
from mlops_maturity.model.result import Subject
from mlops_maturity.scoring import Inputs, score

_counter = itertools.count(1)




@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test session: its SQLAlchemy base URL."""
    with temp_pg_database("mm_test", "store tests") as url:
        yield url


def fresh_pg_url(pg_database: str) -> str:
    """A new, empty schema in the session database, as the first entry of the search path."""
    from sqlalchemy import create_engine, text

    schema = f"t{next(_counter)}_{secrets.token_hex(3)}"
    engine = create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{pg_database}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return fresh_pg_url(request.getfixturevalue("pg_database"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url_pair(request, tmp_path):
    """Two empty databases of the same kind (export from one, import into the other)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    pg = request.getfixturevalue("pg_database")
    return fresh_pg_url(pg), fresh_pg_url(pg)


@pytest.fixture
def make_result(fw, catalog):
    """A scored result: `make_result({"dev.experiment-tracking": 3}, days_ago=30, name="fraud")`."""

    def make(answers: dict[str, int] | None = None, *, days_ago: float = 0, name: str = "fraud-training", now: datetime | None = None):
        now = now or datetime.now(UTC)
        values = [Answer(question=k, value=v) for k, v in (answers or {}).items()]
        return score(fw, catalog, Inputs(answers=values, subject=Subject(name=name), generated_at=now - timedelta(days=days_ago)))

    return make
