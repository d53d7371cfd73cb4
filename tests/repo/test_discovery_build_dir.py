"""build/ in a git repository: tracked files are the project's own; the walk still skips it."""

import subprocess
from pathlib import Path

from mlops_maturity.repo.discovery import discover


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "r"
    (repo / "build").mkdir(parents=True)
    (repo / "build" / "model-deployment.yaml").write_text("steps:\n  - name: gcr.io/cloud-builders/gcloud\n")
    (repo / "train.py").write_text("print('train')\n")
    return repo


def test_tracked_build_dir_is_scanned_in_git(tmp_path):
    repo = _repo(tmp_path)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    found = discover(repo)
    assert found.via_git
    names = {f.path if hasattr(f, "path") else f for f in found.files}
    assert "build/model-deployment.yaml" in names


def test_build_dir_is_skipped_by_the_walk(tmp_path):
    repo = _repo(tmp_path)
    found = discover(repo, use_git=False)
    names = {f.path if hasattr(f, "path") else f for f in found.files}
    assert "build/model-deployment.yaml" not in names
    assert any(s.path == "build/" for s in found.skipped)
