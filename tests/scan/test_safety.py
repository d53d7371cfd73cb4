"""A hostile repository scans to completion, reports what it skipped, and leaks nothing."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from mlops_maturity.repo import discovery as discovery_mod
from mlops_maturity.repo import view as view_mod
from mlops_maturity.sources.scan import ScanSource

SECRET = "OUTSIDE-SECRET-mlflow.log_metric"


def _build(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"import mlflow\nmlflow.log_metric('x', 1)  # {SECRET}\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# r\n")
    os.symlink("loop_b", repo / "loop_a")
    os.symlink("loop_a", repo / "loop_b")
    os.symlink(outside / "secret.py", repo / "escape.py")
    os.symlink(outside, repo / "escape_dir")
    with open(repo / "big.csv", "wb") as fh:  # sparse 50 MB
        fh.truncate(50 * 1024 * 1024)
    (repo / "train.py").write_bytes(b"import mlflow\x00\x01\x02mlflow.log_metric('a', 1)\n")
    (repo / "latin1.py").write_bytes(b"# caf\xe9\nimport wandb\nwandb.init()\n")
    (repo / "broken.ipynb").write_text("{ this is not json")
    locked = repo / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_text("import optuna\noptuna.create_study()\n")
    os.mkfifo(repo / "pipe")
    return repo, outside, locked


def _simulate_unreadable(monkeypatch, locked):
    """Root reads a chmod 000 directory anyway: make the walk see EACCES for it."""
    real = discovery_mod._scandir

    def scandir(path):
        if os.path.realpath(path) == os.path.realpath(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery_mod, "_scandir", scandir)


@pytest.mark.parametrize("with_git", [False, True], ids=["walk", "git"])
def test_hostile_repo_scans_to_completion(tmp_path, monkeypatch, catalog, with_git):
    repo, outside, locked = _build(tmp_path)
    if with_git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    locked.chmod(0)
    try:
        if os.geteuid() == 0:
            _simulate_unreadable(monkeypatch, locked)
            if with_git:  # git lists the directory's files as root; simulate the open failing
                real_open = view_mod._open

                def opener(path, flags, *a):
                    if os.path.realpath(path).startswith(os.path.realpath(locked)):
                        raise PermissionError(13, "Permission denied", path)
                    return real_open(path, flags, *a)

                monkeypatch.setattr(view_mod, "_open", opener)
        result = ScanSource([repo], jobs=2).collect(catalog)
    finally:
        locked.chmod(0o755)

    assert result.run.status == "partial", result.run.message
    reasons = {s.path: s.reason for s in result.run.skipped}
    assert reasons["loop_a"] == "symlink loop"
    assert reasons["loop_b"] == "symlink loop"
    assert reasons["escape.py"] == "symlink outside the repository (not followed)"
    # git lists the link as a file, the walk as a directory; under load the git listing has
    # been seen to fall back to the walk, so either spelling proves the link was not followed.
    assert (reasons.get("escape_dir") or reasons.get("escape_dir/")) == "symlink outside the repository (not followed)", reasons
    assert reasons["big.csv"].startswith("over size cap (52428800 bytes")
    assert reasons["train.py"] == "binary file (NUL byte)"
    assert reasons["latin1.py"] == "invalid UTF-8: read with replacement characters"
    assert reasons["broken.ipynb"] == "not a valid notebook: not valid JSON"
    if not with_git:  # git does not list FIFOs at all
        assert reasons["pipe"] == "not a regular file (FIFO, socket or device)"
    locked_key = "locked/hidden.py" if with_git else "locked/"
    assert reasons[locked_key].startswith("unreadable")

    obs = {o.practice: o for o in result.observations}
    # The latin-1 file is still read (with replacement characters) and counts.
    assert [f"{e.location} {e.detector}" for e in obs["dev.experiment_tracking"].evidence] == [
        "latin1.py:3 wandb-run-logged"
    ]
    # Nothing from outside the root, nothing from the unreadable directory.
    dumped = json.dumps([o.model_dump(mode="json") for o in result.observations])
    assert SECRET not in dumped and "outside" not in dumped
    assert obs["dev.hpo"].status.value == "absent"


def test_symlink_inside_root_is_followed_once(tmp_path, catalog):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "train.py").write_text("import mlflow\nmlflow.autolog()\n")
    os.symlink("src", repo / "alias")  # a directory symlink inside the root
    os.symlink("../src", repo / "src" / "self")  # a loop back to its parent
    result = ScanSource([repo]).collect(catalog)
    obs = {o.practice: o for o in result.observations}
    locs = [e.location for e in obs["dev.experiment_tracking"].evidence]
    assert "src/train.py:2" in locs
    reasons = {s.path: s.reason for s in result.run.skipped}
    assert reasons["src/self/"] == "symlink loop"


def test_over_cap_file_is_never_read(tmp_path, monkeypatch, catalog):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("import mlflow\nmlflow.autolog()\n" + "#" * 5000)
    opened: list[str] = []
    real_open = view_mod._open
    monkeypatch.setattr(view_mod, "_open", lambda p, f, *a: opened.append(p) or real_open(p, f, *a))
    result = ScanSource([repo], max_file_bytes=1000).collect(catalog)
    assert not any(p.endswith("train.py") for p in opened)
    assert {s.path: s.reason for s in result.run.skipped}["train.py"].startswith("over size cap (50")
