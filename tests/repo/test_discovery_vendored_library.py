"""A copy of a well-known ML library nested in the project is not the project's code."""

import subprocess
from pathlib import Path

import pytest

from mlops_maturity.repo.discovery import discover


def _write(repo: Path, rel: str, text: str = "x = 1\n") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "r"
    _write(repo, "train.py")
    _write(repo, "annotator/seg/mmcv/__init__.py")
    _write(repo, "annotator/seg/mmcv/runner/logger.py")
    _write(repo, "annotator/seg/model.py")
    _write(repo, "timm/__init__.py")  # the library's own repository (or a fork): kept
    _write(repo, "src/transformers/__init__.py")  # src layout: kept
    _write(repo, "configs/mmcv/base.yaml", "lr: 0.1\n")  # not a package: kept
    _write(repo, "churn/features/transformers/__init__.py")  # a project's own feature transformers: kept
    _write(repo, "churn/features/__init__.py")
    return repo


@pytest.mark.parametrize("use_git", [False, True])
def test_nested_library_package_is_skipped(tmp_path, use_git):
    repo = _repo(tmp_path)
    if use_git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    found = discover(repo, use_git=use_git)
    assert found.via_git is use_git
    names = set(found.files)
    assert "annotator/seg/mmcv/runner/logger.py" not in names
    assert "annotator/seg/mmcv/__init__.py" not in names
    assert {"train.py", "annotator/seg/model.py", "timm/__init__.py", "src/transformers/__init__.py",
            "configs/mmcv/base.yaml", "churn/features/transformers/__init__.py"} <= names
    assert any(s.path == "annotator/seg/mmcv/" and "vendored copy of a library (mmcv)" in s.reason for s in found.skipped)
