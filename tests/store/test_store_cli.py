"""`scan --save`, `history`, `diff`, `export`, `import` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from helpers import one_line_error, write

from mlops_maturity.store.db import display
from mlops_maturity.store.service import Store


FIRST = "answers:\n  dev.experiment-tracking: 3\n  dev.scripted-training: 2\n"
SECOND = FIRST + "  dev.reproducible-env: 2\n  data.rerunnable-pipeline: 2\n  data.versioned-data: 2\n"
THIRD = """
respondent: lead@example.com
answers:
  data.rerunnable-pipeline: 2
  data.versioned-data: 2
  data.shared-features: 2
  dev.experiment-tracking: 3
  dev.scripted-training: 2
  dev.reproducible-env: 2
  dev.tested-code: 2
  deploy.automated-training: 3
  deploy.continuous-integration: 3
  deploy.model-registry: 2
  deploy.continuous-delivery: 2
  deploy.quick-rollback: 2
  monitor.service-telemetry: 1
"""


@pytest.fixture
def run(tmp_path):
    """The CLI with a private data directory, so the default database is never the user's."""
    env = {k: v for k, v in os.environ.items() if k != "MLOPS_MATURITY_DB"}
    env.update(NO_COLOR="1", XDG_DATA_HOME=str(tmp_path / "xdg"))

    def call(*args, extra_env=None, stdin=None):
        return subprocess.run(
            [sys.executable, "-m", "mlops_maturity", *map(str, args)],
            capture_output=True, text=True, env={**env, **(extra_env or {})}, timeout=120, input=stdin,
        )

    return call


def save_three(run, tmp_path, db_url):
    for i, body in enumerate((FIRST, SECOND, THIRD), 1):
        proc = run("scan", "--answers", write(tmp_path / f"a{i}.yaml", body), "--save", "--db", db_url, "--project", "fraud", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip().splitlines() == [f"mlops-maturity: saved as assessment #{i} of project 'fraud' (team 'default') in {display(db_url)}"]
        json.loads(proc.stdout)  # the report is still on stdout, unmixed


def test_history_of_three_assessments_shows_three_rows_and_the_change_per_dimension(run, tmp_path, db_url):
    save_three(run, tmp_path, db_url)
    data = json.loads(run("history", "fraud", "--db", db_url, "--format", "json").stdout)
    assert [a["id"] for a in data["assessments"]] == [1, 2, 3]
    assert all(a["source"] == "answers" for a in data["assessments"])
    trend = data["trend"]
    assert trend["dev"]["levels"] == [1, 2, 3] and trend["dev"]["change"] == 2
    assert trend["deploy"]["levels"] == [1, 1, 3] and trend["deploy"]["change"] == 2
    assert trend["monitor"]["levels"] == [1, 1, 1] and trend["monitor"]["change"] == 0

    proc = run("history", "fraud", "--db", db_url)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    rows = [ln.split() for ln in lines if ln.split() and ln.split()[0].isdigit()]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert "History of fraud" in lines[0] and "3 assessments" in lines[0]
    dev = next(ln.split() for ln in lines if ln.split()[:1] == ["dev"])
    assert dev == ["dev", "1", "→", "3", "+2", "▁▃▅"]
    monitor = next(ln.split() for ln in lines if ln.split()[:1] == ["monitor"])
    assert monitor == ["monitor", "1", "→", "1", "±0", "▁▁▁"]

    listing = run("history", "--db", db_url)
    assert listing.returncode == 0
    assert next(ln.split() for ln in listing.stdout.splitlines() if ln.startswith("fraud"))[:3] == ["fraud", "default", "3"]


def test_diff_names_the_criteria_that_changed(run, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    save_three(run, tmp_path, db_url)
    with Store.open(db_url) as store:
        old, new = store.get("1").result, store.get("3").result

    def met(result):
        return {c.id for d in result.dimensions for c in d.criteria if c.met is True}

    gained, lost = met(new) - met(old), met(old) - met(new)
    assert gained and not lost

    proc = run("diff", "1", "3", "--db", db_url)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    listed = {ln.split()[1] for ln in out.splitlines() if ln.startswith("  + ")}
    assert listed == gained
    assert f"Newly met ({len(gained)})" in out and "Lost" not in out
    assert "  dev      1 → 3  (+2)" in out

    # the other way round, from a result file against a stored one
    result_file = write(tmp_path / "old.json", old.model_dump_json())
    data = json.loads(run("diff", "3", result_file, "--db", db_url, "--format", "json").stdout)
    assert {c["id"] for c in data["lost"]} == gained and data["newly_met"] == []
    assert {c["dimension"]: c["change"] for c in data["levels"]}["dev"] == -2

    same = run("diff", "2", "2", "--db", db_url)
    assert "No change in levels or criteria." in same.stdout
    one_line_error(run("diff", "1", "99", "--db", db_url), "no assessment #99")
    one_line_error(run("diff", "1", write(tmp_path / "x.json", "{}"), "--db", db_url), "x.json", "not an assessment result")


def test_export_then_import_moves_assessments_once(run, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'e.db'}"
    save_three(run, tmp_path, db_url)
    out = tmp_path / "all.jsonl"
    proc = run("export", "--db", db_url, "-o", out)
    assert proc.returncode == 0 and "exported 3 assessments" in proc.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(ln)["project"] == "fraud" for ln in lines)

    other = f"sqlite:///{tmp_path / 'other.db'}"
    first = run("import", out, "--db", other)
    assert first.returncode == 0 and "imported 3 assessments" in first.stderr, first.stderr
    again = run("import", "-", "--db", other, stdin=out.read_text())
    assert again.returncode == 0 and "imported 0 assessments" in again.stderr and "(3 already present)" in again.stderr
    assert json.loads(run("history", "fraud", "--db", other, "--format", "json").stdout)["trend"]["dev"]["levels"] == [1, 2, 3]

    # one bad line refuses the whole file
    bad = write(tmp_path / "bad.jsonl", lines[0] + "\n" + lines[1].replace('"project":"fraud"', '"project":"fraud2"') + "\n")
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    one_line_error(run("import", bad, "--db", fresh), f"{bad}:2:", "does not match", "nothing imported")
    assert not (tmp_path / "fresh.db").exists()
    one_line_error(run("import", tmp_path / "nope.jsonl", "--db", fresh), "nope.jsonl", "no such file")


def test_scan_with_a_database_reports_a_stale_assessment(run, tmp_path, db_url, make_result):
    with Store.open(db_url) as store:
        store.save(make_result(days_ago=120), project="fraud")
    answers = write(tmp_path / "a.yaml", FIRST)
    data = json.loads(run("scan", "--answers", answers, "--db", db_url, "--project", "fraud", "--format", "json").stdout)
    stale = [p for p in data["pitfalls"] if p["id"] == "stale_assessment"]
    assert len(stale) == 1 and "120 days old (more than 90)" in stale[0]["message"]
    # without --save nothing was stored; saving makes the next scan current
    assert run("scan", "--answers", answers, "--db", db_url, "--project", "fraud", "--save").returncode == 0
    data = json.loads(run("scan", "--answers", answers, "--db", db_url, "--project", "fraud", "--format", "json").stdout)
    assert [p for p in data["pitfalls"] if p["id"] == "stale_assessment"] == []
    # another project's history does not count
    data = json.loads(run("scan", "--answers", answers, "--db", db_url, "--project", "api", "--format", "json").stdout)
    assert [p for p in data["pitfalls"] if p["id"] == "stale_assessment"] == []


def test_quarterly_history_meets_the_reassessment_criterion(run, tmp_path, db_url, make_result):
    now = datetime.now(UTC)
    with Store.open(db_url) as store:
        for days in (300, 210, 120, 30):
            store.save(make_result(days_ago=days, now=now), project="fraud")
    answers = write(tmp_path / "a.yaml", FIRST)
    data = json.loads(run("scan", "--answers", answers, "--db", db_url, "--project", "fraud", "--format", "json").stdout)
    practice = next(p for p in data["practices"] if p["id"] == "team.reassessment")
    assert practice["status"] == "present" and practice["sources"] == ["history"]
    assert practice["evidence"] == [
        {"path": "db:fraud", "line": None, "cell": None, "snippet": "", "detector": "assessed-quarterly",
         "message": "assessed 4 times in the last 12 months, never more than 90 days apart"}
    ]
    criterion = next(c for d in data["dimensions"] for c in d["criteria"] if c["id"] == "team.regular-reassessment")
    assert criterion["status"] == "met" and criterion["basis"] == "observed"
    assert "history" in [s["name"] for s in data["sources"]]

    # a scan without a database knows nothing of history
    data = json.loads(run("scan", "--answers", answers, "--format", "json").stdout)
    assert next(p for p in data["practices"] if p["id"] == "team.reassessment")["status"] == "unknown"


def test_default_database_lives_in_the_user_data_directory(run, tmp_path):
    answers = write(tmp_path / "a.yaml", FIRST)
    proc = run("scan", "--answers", answers, "--save")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "xdg" / "mlops-maturity" / "assessments.db"
    assert path.is_file()
    assert f"saved as assessment #1 of project 'questionnaire' (team 'default') in {path}" in proc.stderr
    assert "questionnaire" in run("history").stdout
    # $MLOPS_MATURITY_DB points elsewhere; --db wins over it
    env_db = tmp_path / "env.db"
    assert run("scan", "--answers", answers, "--save", extra_env={"MLOPS_MATURITY_DB": f"sqlite:///{env_db}"}).returncode == 0
    assert env_db.is_file()
    assert "No assessments stored" in run("history", "--db", f"sqlite:///{tmp_path / 'none.db'}", extra_env={"MLOPS_MATURITY_DB": f"sqlite:///{env_db}"}).stdout
    assert not (tmp_path / "none.db").exists()


def test_store_errors_are_one_line(run, tmp_path):
    answers = write(tmp_path / "a.yaml", FIRST)
    one_line_error(run("scan", "--answers", answers, "--project", "x"), "--project and --team", "--save")
    one_line_error(run("scan", "--answers", answers, "--save", "--db", "mysql+nodriver://x/y"), "no driver")
    one_line_error(run("history", "--db", "not a url"), "not a database URL")
    one_line_error(run("scan", "--answers", answers, "--save", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=2"), "cannot open the database")
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert run("scan", "--answers", answers, "--save", "--db", db, "--project", "p").returncode == 0
    one_line_error(run("history", "nope", "--db", db), "no project named 'nope'", "stored projects: p")
    one_line_error(run("history", "nope", "--db", f"sqlite:///{tmp_path / 'empty.db'}"), "nothing is stored")
    proc = run("history", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert proc.returncode == 0 and "No assessments stored" in proc.stdout


def test_help_lists_the_history_commands(run):
    out = run("--help").stdout
    for name in ("history", "diff", "export", "import"):
        assert f"  {name} " in out
    assert "--save" in run("scan", "--help").stdout


def test_sqlalchemy_is_not_imported_for_help():
    code = "import sys; from mlops_maturity.cli import main; print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy','alembic','psycopg','platformdirs'))))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.strip() == ""

