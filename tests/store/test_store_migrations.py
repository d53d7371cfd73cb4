"""Schema migrations: an older database is upgraded (its data carried over), a newer one refused,
and the ORM model never drifts from what the migrations build."""

from __future__ import annotations


import pytest
from sqlalchemy import text

from helpers import cli

from mlops_maturity.store import db
from mlops_maturity.store.records import assessment_uid, canonical_json
from mlops_maturity.store.service import Store


def build_at(url: str, revision: str) -> None:
    """A database migrated only up to `revision`, as an older mlops-maturity left it."""
    from alembic import command

    engine = db.make_engine(url, create=True)
    cfg = db.alembic_config()
    with db.writer(engine).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_head_constant_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert db.HEAD == ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def test_fresh_database_is_created_at_head_silently(db_url):
    messages = []
    Store.open(db_url, notify=messages.append).close()
    engine = db.make_engine(db_url, create=False)
    with engine.connect() as conn:
        assert db.current_revisions(conn) == (db.head_revision(),)
    engine.dispose()
    assert messages == []


def test_older_database_is_upgraded_with_one_message_and_its_assessments_kept(db_url, make_result):
    build_at(db_url, "0001")
    results = [make_result({"dev.experiment-tracking": 3, "dev.scripted-training": 2}, days_ago=d) for d in (40, 20)]
    engine = db.make_engine(db_url, create=False)
    with db.writer(engine).begin() as conn:
        now = results[-1].generated_at
        conn.execute(text("INSERT INTO organizations (name, created_at) VALUES ('default', :t)"), {"t": now})
        conn.execute(text("INSERT INTO teams (organization_id, name, created_at) SELECT id, 'default', :t FROM organizations"), {"t": now})
        conn.execute(text("INSERT INTO projects (team_id, name, created_at) SELECT id, 'fraud-training', :t FROM teams"), {"t": now})
        for r in results:
            canonical = canonical_json(r)
            conn.execute(
                text(
                    "INSERT INTO assessments (uid, project_id, framework_id, framework_version, overall_level, overall_mean,"
                    " source, \"commit\", assessed_at, stored_at, created_by, result_json)"
                    " SELECT :uid, id, 'default', '1.0', :lvl, :mean, 'answers', NULL, :at, :at, 'old', :json FROM projects"
                ),
                {
                    "uid": assessment_uid("default", "default", "fraud-training", canonical),
                    "lvl": r.overall.level,
                    "mean": r.overall.mean,
                    # SQLite stores naive UTC, as the UTCDateTime column type does
                    "at": r.generated_at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else r.generated_at,
                    "json": canonical,
                },
            )
    engine.dispose()

    messages = []
    with Store.open(db_url, notify=messages.append) as store:
        assert len(messages) == 1
        assert "upgrading the assessment database" in messages[0]
        assert f"from schema revision 0001 to {db.HEAD}" in messages[0]
        history = store.history("fraud-training")
        assert [h.levels for h in history] == [{d.id: d.level for d in r.dimensions} for r in results]
        assert [h.assessed_at for h in history] == [r.generated_at for r in results]
        assert store.check() == []
        store.save(make_result(days_ago=1))
        assert len(store.history("fraud-training")) == 3
    with Store.open(db_url, notify=messages.append):
        assert len(messages) == 1  # upgraded once


def stamp_future(url: str) -> None:
    engine = db.make_engine(url, create=False)
    with db.writer(engine).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()


def test_newer_database_is_refused(db_url):
    Store.open(db_url).close()
    stamp_future(db_url)
    with pytest.raises(db.StoreError, match=rf"revision 9999\) is newer than this mlops-maturity understands \(revision {db.HEAD}\)"):
        Store.open(db_url)


def test_cli_refuses_a_newer_database_in_one_line_and_upgrades_an_older_one(tmp_path):
    newer = f"sqlite:///{tmp_path / 'newer.db'}"
    Store.open(newer).close()
    stamp_future(newer)
    proc = cli("history", "--db", newer)
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlops-maturity: error: ") and "newer" in lines[0] and "newer.db" in lines[0]

    older = f"sqlite:///{tmp_path / 'older.db'}"
    build_at(older, "0001")
    proc = cli("history", "--db", older)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"mlops-maturity: upgrading the assessment database {tmp_path / 'older.db'} from schema revision 0001 to {db.HEAD}"
    ]
    assert cli("history", "--db", older).stderr == ""


def test_models_match_the_migrations(db_url):
    """What the migrations build is what the ORM describes: no drift on either database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from mlops_maturity.store.models import Base

    Store.open(db_url).close()
    engine = db.make_engine(db_url, create=False)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_unreachable_or_malformed_databases_are_one_line_errors(tmp_path):
    with pytest.raises(db.StoreError, match="not a database URL"):
        Store.open("not a url")
    with pytest.raises(db.StoreError, match="cannot open the database"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(db.NoDatabase):
        Store.open(f"sqlite:///{tmp_path / 'missing.db'}", create=False)
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(db.StoreError, match="is a directory"):
        Store.open(f"sqlite:///{tmp_path / 'dir.db'}")
