"""Dependency manifests read statically, with lines and pinning."""

from __future__ import annotations

from mlops_maturity.repo.manifests import (
    is_lock_file,
    parse_environment_yml,
    parse_pipfile,
    parse_pyproject,
    parse_requirements,
    parse_setup_cfg,
    parse_setup_py,
)


def test_requirements_lines_includes_and_pins():
    text = "# c\n-r base.txt\n-c constraints.txt\nNumPy==1.26 ; python_version>'3'\npandas>=2\ntorch @ git+https://x/torch@v2.0\n-e .\nfoo==1.*\nbar==1.0 \\\n  --hash=sha256:00\n"
    rf = parse_requirements("requirements.txt", text)
    assert rf.includes == (("base.txt", 2),)
    assert rf.constraints == (("constraints.txt", 3),)
    assert rf.local == (7,)
    assert [(d.name, d.line, d.pinned) for d in rf.deps] == [
        ("numpy", 4, True), ("pandas", 5, False), ("torch", 6, True), ("foo", 8, False), ("bar", 9, True),
    ]


def test_requirements_vcs_refs_pin_only_at_a_fixed_revision():
    text = ("a @ git+https://h/o/a.git@master\nb @ git+https://h/o/b.git@3f9c2e1\nc @ git+ssh://git@h/o/c.git\n"
            "d @ git+ssh://git@h/o/d.git@v1.2\n-e git+https://h/o/e.git@main#egg=e\n-e git+https://h/o/f.git@v2#egg=f\n")
    rf = parse_requirements("requirements.txt", text)
    assert [(d.name, d.pinned) for d in rf.deps] == [
        ("a", False), ("b", True), ("c", False), ("d", True), ("e", False), ("f", True),
    ]


def test_pyproject_pep621_groups_poetry_uv():
    text = """
[project]
dependencies = ["mlflow>=2", "pandas==2.2.2"]
[project.optional-dependencies]
dev = ["ruff"]
[dependency-groups]
test = ["pytest==8.0"]
[tool.poetry.dependencies]
python = "^3.11"
wandb = "0.17.0"
[tool.poetry.group.lint.dependencies]
black = "^24"
[tool.uv]
dev-dependencies = ["mypy"]
"""
    deps = parse_pyproject("pyproject.toml", text)
    assert [(d.name, d.line, d.pinned, d.group) for d in deps] == [
        ("mlflow", 3, False, ""), ("pandas", 3, True, ""), ("ruff", 5, False, "dev"),
        ("pytest", 7, True, "test"), ("wandb", 10, True, ""), ("black", 12, False, "lint"),
        ("mypy", 14, False, "dev"),
    ]


def test_setup_py_static_and_setup_cfg():
    py = "from setuptools import setup\nREQS = [\n    'optuna>=3',\n]\nsetup(install_requires=REQS, extras_require={'x': ['wandb']})\n"
    assert [(d.name, d.line, d.group) for d in parse_setup_py("setup.py", py)] == [("optuna", 3, ""), ("wandb", 5, "x")]
    cfg = "[options]\ninstall_requires =\n    hyperopt\n    numpy==1.0\n"
    assert [(d.name, d.line, d.pinned) for d in parse_setup_cfg("setup.cfg", cfg)] == [("hyperopt", 3, False), ("numpy", 4, True)]


def test_conda_and_pipfile():
    env = "dependencies:\n  - python=3.11\n  - conda-forge::numpy\n  - pip:\n    - mlflow==2.0\n"
    deps = parse_environment_yml("environment.yml", env)
    assert [(d.name, d.line, d.pinned) for d in deps] == [("python", 2, True), ("numpy", 3, False), ("mlflow", 5, True)]
    assert parse_environment_yml("environment.yml", "name: x\n") is None
    pip = '[packages]\nrequests = "==2.0"\nflask = "*"\n'
    assert [(d.name, d.line, d.pinned) for d in parse_pipfile("Pipfile", pip)] == [("requests", 2, True), ("flask", 3, False)]


def test_lock_names():
    assert all(map(is_lock_file, ["poetry.lock", "a/uv.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml", "x.conda-lock.yml", "conda-linux-64.lock"]))
    assert not is_lock_file("package-lock.json.bak")
