"""Scanning never runs a repository's code through git: its fsmonitor, hooks, filter and diff
drivers named in .git/config stay unused (a control shows plain git does run them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlops_maturity.sources.scan import ScanSource


def _hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    canary = tmp_path / "canary"
    repo = tmp_path / "repo"
    repo.mkdir()
    script = tmp_path / "fire.sh"
    script.write_text(f"#!/bin/sh\necho fired >> {canary}\ncat\n")
    script.chmod(0o755)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    (repo / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 0.9)\n")
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], check=True, env=env)
    for key, value in [
        ("core.fsmonitor", str(script)),
        ("core.hooksPath", str(tmp_path / "hooks")),
        ("filter.evil.clean", str(script)),
        ("filter.evil.smudge", str(script)),
        ("diff.evil.textconv", str(script)),
    ]:
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True, env=env)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\necho hook >> {canary}\n")
        (hooks / hook).chmod(0o755)
    (repo / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 0.95)\n")  # dirty: filters would run
    return repo, canary


def test_plain_git_fires_the_canary(tmp_path):
    repo, canary = _hostile_repo(tmp_path)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, env=env)
    subprocess.run(["git", "-C", str(repo), "diff"], capture_output=True, env=env)
    assert canary.exists(), "the fixture must be able to run code through plain git"


def test_scan_does_not(tmp_path, catalog):
    repo, canary = _hostile_repo(tmp_path)
    result = ScanSource([repo]).collect(catalog)
    assert not canary.exists(), canary.read_text()
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.experiment_tracking"].status.value == "present"
    assert result.subject["commits"][str(repo)]
