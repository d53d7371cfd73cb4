"""The walk's .gitignore matcher agrees with git on the common forms."""

from __future__ import annotations

import subprocess

import pytest
from helpers import write

from mlops_maturity.repo.discovery import discover
from mlops_maturity.repo.gitignore import GitIgnore

RULES = ["*.log", "!keep.log", "build/", "/top.txt", "docs/_gen/", "**/cache/**", "data/*.csv", "a?c.py", "[xy].tmp", "# comment", ""]

CASES = [
    ("x.log", False, True), ("sub/x.log", False, True), ("keep.log", False, False),
    ("build", True, True), ("build", False, False), ("src/build", True, True),
    ("top.txt", False, True), ("sub/top.txt", False, False),
    ("docs/_gen", True, True), ("a/docs/_gen", True, False),
    ("p/cache/f.py", False, True), ("data/a.csv", False, True), ("data/sub/a.csv", False, False),
    ("abc.py", False, True), ("abbc.py", False, False), ("x.tmp", False, True), ("z.tmp", False, False),
]


@pytest.mark.parametrize(("rel", "is_dir", "expected"), CASES)
def test_rules(rel, is_dir, expected):
    assert GitIgnore(RULES).ignored(rel, is_dir) is expected


def test_walk_matches_git(tmp_path):
    write(tmp_path / ".gitignore", "\n".join(RULES) + "\n")
    files = ["x.log", "keep.log", "build/o.py", "src/build/o.py", "top.txt", "sub/top.txt", "docs/_gen/a.md",
             "a/docs/_gen/b.md", "p/cache/f.py", "data/a.csv", "data/sub/a.csv", "abc.py", "abbc.py", "x.tmp",
             "z.tmp", "src/ok.py", "sub/.gitignore"]
    for f in files:
        write(tmp_path / f, "x\n" if not f.endswith(".gitignore") else "ok.py\n")
    write(tmp_path / "sub" / "ok.py", "x\n")
    walked = set(discover(tmp_path, use_git=False).files)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    gitted = set(discover(tmp_path).files)
    assert walked == gitted
    assert "sub/ok.py" not in walked and "src/ok.py" in walked and "keep.log" in walked
