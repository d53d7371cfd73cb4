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


@pytest.mark.parametrize("use_git", [False, True])
@pytest.mark.parametrize(("packaging", "kept"), [
    ('from setuptools import setup\nsetup(\n    name="colorizer",\n    packages=["colorizer"],\n)\n', False),
    ('[project]\nname = "fastai"\nversion = "2.0"\n', True),  # the library's own repository
    ('[project]\nname = "fastai-fork"\n', True),  # a fork of it
    (None, True),  # nothing says what the project is: kept
])
def test_root_library_copy_is_skipped_when_the_project_is_another(tmp_path, use_git, packaging, kept):
    repo = tmp_path / "r"
    _write(repo, "colorizer/__init__.py")
    _write(repo, "fastai/__init__.py")
    _write(repo, "fastai/vision/learner.py")
    if packaging is not None:
        _write(repo, "pyproject.toml" if packaging.startswith("[") else "setup.py", packaging)
    if use_git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    names = set(discover(repo, use_git=use_git).files)
    assert "colorizer/__init__.py" in names
    assert ("fastai/vision/learner.py" in names) is kept


def test_packaging_read_through_a_symlink_is_ignored(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text('setup(name="colorizer")\n')
    repo = tmp_path / "r"
    _write(repo, "fastai/__init__.py")
    (repo / "setup.py").symlink_to(outside)
    assert "fastai/__init__.py" in discover(repo, use_git=False).files


@pytest.mark.parametrize("use_git", [False, True])
def test_nested_library_repository_copy_is_skipped(tmp_path, use_git):
    repo = tmp_path / "r"
    _write(repo, "train.py")
    _write(repo, "third/fairseq_src/setup.py", 'from setuptools import setup\nsetup(\n    name="fairseq",\n)\n')
    _write(repo, "third/fairseq_src/fairseq/__init__.py")
    _write(repo, "third/fairseq_src/examples/lm/README.md", "# Language model\n")
    # a folder whose packaging names a known library without holding its package: kept
    _write(repo, "plugins/timm_extras/pyproject.toml", '[project]\nname = "timm"\n')
    _write(repo, "plugins/timm_extras/extras.py")
    # the project's own package with its own packaging: kept
    _write(repo, "service/setup.py", 'setup(name="shelf-service")\n')
    _write(repo, "service/shelf_service/__init__.py")
    if use_git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    found = discover(repo, use_git=use_git)
    names = set(found.files)
    assert not any(n.startswith("third/fairseq_src/") for n in names)
    assert {"train.py", "plugins/timm_extras/extras.py", "service/shelf_service/__init__.py"} <= names
    assert any(s.path == "third/fairseq_src/" and "vendored copy of a library repository (fairseq)" in s.reason
               for s in found.skipped)
