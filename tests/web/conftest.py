"""Web fixtures: one application per database kind (SQLite file, PostgreSQL schema) for the whole
session, and helpers that set up teams, users and tokens through the services.

Tests share an application, so each one makes its own teams and users with unique names. The
PostgreSQL server is 127.0.0.1:5432 (trust auth; MM_TEST_PG overrides, as for tests/store); the
session creates a database `mm_web_<random>` and drops it at the end. In CI (CI=true) an
unreachable server fails the PostgreSQL tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations


import pytest
from helpers import temp_pg_database
from web_helpers import World, build_world


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2 at the server's cost takes ~0.5 s a hash on a CI machine; tests use the same
    algorithm (argon2id) at the lowest cost, so that creating users is not most of their time."""
    from argon2 import PasswordHasher

    from mlops_maturity.web import security

    saved = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = saved

@pytest.fixture(scope="session")
def web_pg_url():
    with temp_pg_database("mm_web", "web tests") as url:
        yield url

@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_app(request, tmp_path_factory):
    """The application on an empty database of each kind (shared by the tests of a session)."""
    from mlops_maturity.web.app import create_app
    from mlops_maturity.web.config import Settings

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    else:
        url = request.getfixturevalue("web_pg_url")
    app = create_app(Settings(db_url=url))
    yield app
    app.state.store.close()

@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    """An application on SQLite only (browser and CLI tests, which need one database kind)."""
    from mlops_maturity.web.app import create_app
    from mlops_maturity.web.config import Settings

    app = create_app(Settings(db_url=f"sqlite:///{tmp_path_factory.mktemp('web1') / 'web.db'}"))
    yield app
    app.state.store.close()

@pytest.fixture
def world(web_app) -> World:
    return build_world(web_app)

@pytest.fixture
def fw_catalog(web_app):
    return web_app.state.framework, web_app.state.catalog
