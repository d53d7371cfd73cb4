"""Where the database is, how to connect to it, and bringing its schema up to date.

SQLite (the default, a file under the user's data directory) runs in WAL mode with a busy
timeout, and write transactions start with BEGIN IMMEDIATE: a writer takes the write lock
before it reads, so two processes saving at once queue up instead of one failing with
"database is locked" when its read snapshot turns out stale. PostgreSQL needs nothing
special beyond one advisory lock around migrations.

The schema is migrated with Alembic's API from the scripts shipped in `migrations/`; an older
database is upgraded on open (the caller is told, in one line), a newer one is refused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

APP_NAME = "mlops-maturity"
ENV_VAR = "MLOPS_MATURITY_DB"
DEFAULT_FILE = "assessments.db"
BUSY_TIMEOUT_S = 30
# Key of the PostgreSQL advisory lock taken while migrating ("mm-migr" in ASCII).
MIGRATION_LOCK = 0x6D6D2D6D69677200
WRITE = "mlops_maturity_write"  # execution option: this transaction writes
# The newest revision in migrations/versions (a test keeps the two in step). Knowing it lets a
# database that is up to date open without loading Alembic and its scripts.
HEAD = "0005"


class StoreError(Exception):
    """A one-line, user-facing problem with the database (no traceback needed)."""


class NoDatabase(StoreError):
    """The SQLite file does not exist and the caller did not ask to create it."""


def default_url() -> str:
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir(APP_NAME, appauthor=False)) / DEFAULT_FILE}"


def resolve_url(url: str | None) -> str:
    """--db, else $MLOPS_MATURITY_DB, else the SQLite file under the user's data directory."""
    return url or os.environ.get(ENV_VAR) or default_url()


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///path/to/file.db or postgresql+psycopg://user@host/db)") from None


def display(url: str | URL) -> str:
    """How to name the database in messages: the file for SQLite, the URL without password otherwise."""
    u = parse_url(url) if isinstance(url, str) else url
    if u.get_backend_name() == "sqlite":
        return u.database if u.database and u.database != ":memory:" else "in-memory SQLite database"
    return u.render_as_string(hide_password=True)


def one_line(exc: BaseException) -> str:
    """The first line of a driver's message, without SQLAlchemy's SQL and background link."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(orig).__name__


def make_engine(url: str, *, create: bool) -> Engine:
    """An engine for `url`. For a SQLite file that does not exist: create its directory when
    `create`, else raise NoDatabase (reading never leaves an empty file behind)."""
    u = parse_url(url)
    backend = u.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(u, create=create)
        return create_engine(u)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"{display(u)}: no driver for this database ({one_line(exc)})") from None


def _sqlite_engine(u: URL, *, create: bool) -> Engine:
    memory = not u.database or u.database == ":memory:"
    if not memory:
        path = Path(u.database).expanduser()
        if not path.exists():
            if not create:
                raise NoDatabase(f"{path}: no assessment database here yet")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path.parent}: cannot create the directory ({exc.strerror})") from None
        elif path.is_dir():
            raise StoreError(f"{path}: is a directory, not a database file")
        u = u.set(database=str(path))
    kwargs: dict = {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
    if memory:
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    engine = create_engine(u, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Transactions are begun explicitly below, not by the driver's implicit BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that write (BEGIN IMMEDIATE on SQLite)."""
    return engine.execution_options(**{WRITE: True})


def alembic_config():  # noqa: ANN201
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "mlops_maturity.store:migrations")
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revisions(conn) -> tuple[str, ...]:  # noqa: ANN001
    from alembic.migration import MigrationContext

    return tuple(MigrationContext.configure(conn).get_current_heads())


def migrate(engine: Engine, notify: Callable[[str], None] | None = None) -> None:
    """Bring the schema to the newest revision. A fresh database is created silently, an older
    one is upgraded with one line to `notify`, a newer (or foreign) one raises StoreError."""
    with engine.connect() as conn:
        if _at_head(conn):
            return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    known = {r.revision for r in script.walk_revisions()}
    name = display(engine.url)

    def check(current: tuple[str, ...]) -> bool:
        unknown = [r for r in current if r not in known]
        if unknown:
            raise StoreError(
                f"{name}: the database schema (revision {', '.join(unknown)}) is newer than this "
                f"mlops-maturity understands (revision {head}); upgrade mlops-maturity to use it"
            )
        return current == (head,)

    with engine.connect() as conn:
        if check(current_revisions(conn)):
            return
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        current = current_revisions(conn)  # again, under the lock: another process may have done it
        if check(current):
            return
        if current:
            (notify or _stderr)(f"upgrading the assessment database {name} from schema revision {', '.join(current)} to {head}")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _at_head(conn) -> bool:  # noqa: ANN001
    try:
        with conn.begin():
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()) == [HEAD]
    except SQLAlchemyError:  # no version table yet: a fresh database
        return False


def _stderr(message: str) -> None:
    print(f"mlops-maturity: {message}", file=sys.stderr)


def _revision(message: str) -> None:
    """Development helper: autogenerate the next revision against a scratch database at head."""
    import tempfile

    from alembic import command

    cfg = alembic_config()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.db", create=True)
        migrate(engine)
        nxt = f"{int(head_revision()) + 1:04d}"
        with writer(engine).begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True, rev_id=nxt)
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit("usage: python -m mlops_maturity.store.db revision MESSAGE")
    _revision(sys.argv[2])


__all__ = [
    "ENV_VAR",
    "NoDatabase",
    "SQLAlchemyError",
    "StoreError",
    "default_url",
    "display",
    "make_engine",
    "migrate",
    "resolve_url",
    "writer",
]
