"""The store on SQLite and PostgreSQL: save, read back, identity, export/import, concurrency."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest

from mlops_maturity.store.db import StoreError
from mlops_maturity.store.records import RecordError, parse_record
from mlops_maturity.store.service import AmbiguousProject, Store, UnknownProject

TRACKED = {"dev.experiment-tracking": 3, "dev.scripted-training": 2}
LEVEL2 = {**TRACKED, "dev.reproducible-env": 2, "data.rerunnable-pipeline": 2, "data.versioned-data": 2}


def test_saved_result_reads_back_identical_with_levels_as_columns(db_url, make_result):
    result = make_result(LEVEL2, days_ago=3)
    with Store.open(db_url) as store:
        saved = store.save(result, source="answers", created_by="lead@example.com")
        assert saved.created and saved.project == "fraud-training" and saved.team == "default"
        got = store.get(str(saved.id))
    assert got.result == result
    s = got.summary
    assert (s.organization, s.team, s.project, s.source, s.created_by) == ("default", "default", "fraud-training", "answers", "lead@example.com")
    assert s.assessed_at == result.generated_at
    assert s.overall_level == result.overall.level
    assert s.levels == {d.id: d.level for d in result.dimensions}
    assert list(s.levels) == ["data", "dev", "deploy", "monitor", "gov", "team"]
    assert s.levels["dev"] == 2


def test_history_is_oldest_first_and_times_feed_staleness(db_url, make_result):
    with Store.open(db_url) as store:
        now = datetime.now(UTC)
        for days in (200, 10, 100):
            store.save(make_result(TRACKED, days_ago=days, now=now))
        store.save(make_result(days_ago=1, name="other"))
        history = store.history("fraud-training")
        assert [round((history[-1].assessed_at - h.assessed_at).days) for h in history] == [190, 90, 0]
        times = store.assessment_times("fraud-training")
        assert times == sorted(times) and len(times) == 3
        assert store.last_assessed_at("fraud-training") == history[-1].assessed_at
        assert store.last_assessed_at("never-saved") is None
        assert [(p.name, p.assessments) for p in store.projects()] == [("fraud-training", 3), ("other", 1)]


def test_same_assessment_twice_is_stored_once(db_url, make_result):
    result = make_result(TRACKED)
    with Store.open(db_url) as store:
        first = store.save(result)
        again = store.save(result)
        elsewhere = store.save(result, project="fraud-scoring")
        assert (again.id, again.uid, again.created) == (first.id, first.uid, False)
        assert elsewhere.created and elsewhere.uid != first.uid
        assert len(store.history("fraud-training")) == 1


def test_teams_keep_projects_of_the_same_name_apart(db_url, make_result):
    with Store.open(db_url) as store:
        store.save(make_result(LEVEL2), project="api", team="payments")
        store.save(make_result(), project="api", team="search")
        with pytest.raises(AmbiguousProject, match="payments.*search|search.*payments"):
            store.history("api")
        assert [h.levels["dev"] for h in store.history("api", team="payments")] == [2]
        assert [h.levels["dev"] for h in store.history("api", team="search")] == [1]
        with pytest.raises(UnknownProject, match="'apx'.*api"):
            store.history("apx")


def test_get_by_uid_prefix_and_unknown_refs(db_url, make_result):
    with Store.open(db_url) as store:
        saved = store.save(make_result(TRACKED))
        assert store.get(saved.uid[:10]).summary.id == saved.id
        with pytest.raises(StoreError, match="no assessment #999"):
            store.get("999")
        with pytest.raises(StoreError, match="neither an assessment id"):
            store.get("last-week")
        with pytest.raises(StoreError, match="no assessment with uid 99999999999999999999"):
            store.get("99999999999999999999")  # past any id column: a uid prefix, not an overflow


def test_a_uid_prefix_of_digits_only_is_found(db_url, make_result):
    """Uids are hex: some start with eight digits, and such a prefix must not be read as an id."""
    with Store.open(db_url) as store:
        for i in range(3000):
            saved = store.save(make_result(TRACKED), project=f"digits-{i}")
            if saved.uid[:8].isdigit():
                break
        else:  # pragma: no cover - (10/16)**8 per try: never in practice
            pytest.fail("no uid started with eight digits")
        assert store.get(saved.uid[:8]).summary.id == saved.id


def test_export_then_import_is_identical_and_idempotent(db_url_pair, make_result):
    src, dst = db_url_pair
    with Store.open(src) as store:
        for days in (90, 60, 30):
            store.save(make_result(TRACKED, days_ago=days))
        store.save(make_result(days_ago=5), project="api", team="payments", source="upload")
        lines = [r.to_json() for r in store.export()]
        uids = [h.uid for h in store.history("fraud-training")]
    assert len(lines) == 4
    records = [parse_record(line) for line in lines]
    with Store.open(dst) as store:
        first = store.import_records(records)
        again = store.import_records(records)
        assert (first.added, first.already_present) == (4, 0)
        assert (again.added, again.already_present) == (0, 4)
        assert [h.uid for h in store.history("fraud-training")] == uids
        api = store.history("api")
        assert (api[0].team, api[0].source) == ("payments", "upload")
        assert [r.to_json() for r in store.export()] == lines
        assert store.check() == []


def test_an_altered_record_is_refused_and_nothing_of_the_file_is_stored(db_url, make_result):
    with Store.open(db_url) as store:
        store.save(make_result(TRACKED, days_ago=1))
        line = next(iter(store.export())).to_json()
    tampered = line.replace('"level":2', '"level":4', 1)
    assert tampered != line
    with pytest.raises(RecordError, match="does not match"):
        parse_record(tampered)
    for bad, needle in (("{", "not valid JSON"), ('{"format": "x"}', "not an exported assessment"), (line.replace('"source":"scan"', '"source":"email"'), "source 'email'")):
        with pytest.raises(RecordError, match=needle):
            parse_record(bad)


CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from mlops_maturity.framework.load import default_catalog, load_framework
    from mlops_maturity.model.evidence import Answer
    from mlops_maturity.model.result import Subject
    from mlops_maturity.scoring import Inputs, score
    from mlops_maturity.store.service import Store

    url, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    catalog = default_catalog()
    fw = load_framework(None, catalog)
    base = score(fw, catalog, Inputs(answers=[Answer(question="dev.experiment-tracking", value=3)], subject=Subject(name="shared")))
    store = Store.open(url)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(count):
        result = base.model_copy(update={"generated_at": t0 + timedelta(seconds=worker * 100000 + i)})
        saved = store.save(result, team="team-a")
        print(saved.id, flush=True)
    """
)


def test_processes_saving_at_once_all_succeed(db_url, tmp_path):
    """Four processes save into one new team and project at the same moment: every save succeeds."""
    script = tmp_path / "saver.py"
    script.write_text(CHILD)
    workers, count = 4, 15
    procs = [
        subprocess.Popen([sys.executable, str(script), db_url, str(w), str(count)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(workers)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        ids += [int(x) for x in out.split()]
    assert len(ids) == len(set(ids)) == workers * count
    with Store.open(db_url) as store:
        history = store.history("shared", team="team-a")
        assert sorted(h.id for h in history) == sorted(ids)
        assert [(p.team, p.name) for p in store.projects()] == [("team-a", "shared")]
        assert store.check() == []
