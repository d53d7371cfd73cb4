"""ScanSource as a Source: subjects of several repositories, bad paths, progress, git."""

from __future__ import annotations

import subprocess

from helpers import write
from scan_helpers import FIXTURES, describe

from mlops_maturity.sources.base import Source
from mlops_maturity.sources.scan import ScanSource, scan_path


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def test_satisfies_source_protocol():
    src: Source = ScanSource([FIXTURES])
    assert src.name == "scan"


def test_one_observation_per_scan_practice(catalog):
    result = ScanSource([FIXTURES / "dev.tests" / "present-pytest"]).collect(catalog)
    wanted = [p.id for p in catalog.practices if "scan" in p.observed_by and not p.retired]
    assert [o.practice for o in result.observations] == wanted
    assert all(o.source == "scan" for o in result.observations)


def test_missing_path_fails_with_one_line(tmp_path, catalog):
    missing = tmp_path / "nope"
    result = ScanSource([missing]).collect(catalog)
    assert result.run.status == "failed"
    assert result.run.message == f"scan: {missing}: does not exist"
    assert result.observations == ()


def test_file_path_fails(tmp_path, catalog):
    f = write(tmp_path / "x.txt", "hi")
    result = ScanSource([f]).collect(catalog)
    assert (result.run.status, result.run.message) == ("failed", f"scan: {f}: is not a directory")


def test_several_repos_are_one_subject_with_prefixed_paths(tmp_path, catalog):
    a = FIXTURES / "dev.tests" / "present-pytest"
    b = FIXTURES / "team.ownership" / "present-codeowners"
    result = ScanSource([a, b]).collect(catalog)
    obs = {o.practice: o for o in result.observations}
    assert [describe(e) for e in obs["dev.tests"].evidence] == ["present-pytest/tests/test_features.py:4 project-tests-defined"]
    assert [describe(e) for e in obs["team.ownership"].evidence] == [
        "present-codeowners/.github/CODEOWNERS:3 codeowners-assigns-owners"
    ]
    assert result.subject["name"] == "present-pytest, present-codeowners"
    assert set(result.subject["commits"]) == {str(a), str(b)}


def test_same_named_repos_get_distinct_prefixes(tmp_path, catalog):
    for team in ("t1", "t2"):
        write(tmp_path / team / "app" / "CODEOWNERS", "* @org/x\n")
    result = ScanSource([tmp_path / "t1" / "app", tmp_path / "t2" / "app"]).collect(catalog)
    obs = {o.practice: o for o in result.observations}
    assert [e.path for e in obs["team.ownership"].evidence] == ["app/CODEOWNERS", "app-2/CODEOWNERS"]


def test_scan_path_for_each(catalog):
    result = scan_path(FIXTURES / "dev.hpo" / "present-optuna", catalog)
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.hpo"].status.value == "present"


def test_progress_reaches_total(catalog):
    calls: list[tuple[int, int]] = []
    ScanSource([FIXTURES / "dev.config"], progress=lambda d, t: calls.append((d, t))).collect(catalog)
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


def test_git_repo_commit_untracked_and_ignored(tmp_path, catalog):
    repo = tmp_path / "repo"
    write(repo / "src" / "train.py", "import mlflow\nmlflow.autolog()\n")
    write(repo / ".gitignore", "scratch/\n")
    write(repo / "scratch" / "play.py", "import optuna\noptuna.create_study()\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "src", ".gitignore")
    _git(repo, "commit", "-q", "-m", "init")
    write(repo / "tune.py", "import optuna\n\noptuna.create_study()\n")  # untracked, not ignored
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = ScanSource([repo]).collect(catalog)
    assert result.subject["commits"] == {str(repo): sha}
    obs = {o.practice: o for o in result.observations}
    assert [describe(e) for e in obs["dev.hpo"].evidence] == ["tune.py:3 optuna-study-run"]
    # A subdirectory of a work tree: paths relative to it, commit of the enclosing repo.
    sub = ScanSource([repo / "src"]).collect(catalog)
    assert sub.subject["commits"] == {str(repo / "src"): sha}
    sobs = {o.practice: o for o in sub.observations}
    assert [describe(e) for e in sobs["dev.experiment_tracking"].evidence] == ["train.py:2 mlflow-run-logged"]


def test_walk_honours_nested_gitignore(tmp_path, catalog):
    write(tmp_path / ".gitignore", "*.log\n")
    write(tmp_path / "pkg" / ".gitignore", "generated/\n")
    write(tmp_path / "pkg" / "generated" / "tune.py", "import optuna\noptuna.create_study()\n")
    write(tmp_path / "pkg" / "search.py", "import optuna\noptuna.create_study()\n")
    write(tmp_path / "node_modules" / "x" / "t.py", "import optuna\noptuna.create_study()\n")
    result = ScanSource([tmp_path]).collect(catalog)
    obs = {o.practice: o for o in result.observations}
    assert [describe(e) for e in obs["dev.hpo"].evidence] == ["pkg/search.py:2 optuna-study-run"]
    assert {s.path: s.reason for s in result.run.skipped}["node_modules/"] == "vendored dependencies (node_modules)"


def test_detector_error_makes_practice_unknown_and_run_partial(catalog):
    from mlops_maturity.sources.scan import registry

    def boom(view, det):
        raise RuntimeError("kaput")
        yield  # pragma: no cover

    dets = [d.model_copy(update={"check": "boom"}) if d.id == "project-tests-defined" else d
            for d in registry.detectors()]
    result = ScanSource([FIXTURES / "dev.tests" / "present-pytest"], detectors=dets,
                        checks={**registry.CHECKS, "boom": boom}).collect(catalog)
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.tests"].status.value == "unknown"
    assert obs["dev.tests"].note == "project-tests-defined: RuntimeError: kaput"
    assert result.run.status == "partial"
