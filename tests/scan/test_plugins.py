"""Plug-in detectors: the example package in examples/acme-detectors, pip-installed for real into
a temporary target directory and put on a subprocess's path, is found through its entry point
and its detectors cite evidence in `scan` results; broken plug-ins stop the scan with one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme-detectors"


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    """`pip install examples/acme-detectors` into its own directory: the venv stays untouched."""
    target = tmp_path_factory.mktemp("plugin-site")
    # Built from a copy: pip builds in the source tree, and the checkout stays clean.
    source = tmp_path_factory.mktemp("plugin-src") / "acme-detectors"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-input", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (target / "acme_mlops_detectors" / "detectors" / "deploy.yaml").is_file()
    assert list(target.glob("acme_mlops_detectors-*.dist-info/entry_points.txt"))
    return target


@pytest.fixture
def acme_repo(tmp_path) -> Path:
    repo = tmp_path / "churn"
    write(repo / "forge.yaml", "name: churn\npipeline:\n  prepare:\n    run: python prep.py\n  train:\n    run: python train.py\n")
    write(repo / "ml" / "release.py", "import acme_vault\n\n\ndef release(model):\n    acme_vault.publish_model(\"churn\", model)\n")
    return repo


def scan(repo: Path, *extra_path: Path, args=("--format", "json")):
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join(map(str, extra_path))
    return subprocess.run([sys.executable, "-m", "mlops_maturity", "scan", str(repo), *args], capture_output=True, text=True, env=env, timeout=300)


def evidence(proc) -> dict[str, list[str]]:
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    return {p["id"]: [f"{e['path']}:{e['line']} {e['detector']}" for e in p["evidence"]] for p in result["practices"]}


def test_the_plugin_detectors_appear_in_scan_results_once_installed(plugin_dir, acme_repo):
    without = evidence(scan(acme_repo))
    assert without["deploy.training_pipeline"] == [] and without["deploy.registry"] == []

    with_plugin = evidence(scan(acme_repo, plugin_dir))
    assert with_plugin["deploy.training_pipeline"] == ["forge.yaml:5 acme-forge-pipeline-trains"]
    assert with_plugin["deploy.registry"] == ["ml/release.py:5 acme-vault-model-published"]


def test_the_plugin_changes_the_score_like_a_builtin_detector(plugin_dir, acme_repo):
    def deploy_criterion(proc, cid):
        result = json.loads(proc.stdout)
        return next(c["status"] for d in result["dimensions"] for c in d["criteria"] if c["id"] == cid)

    assert deploy_criterion(scan(acme_repo), "deploy.automated-training") == "unmet"
    assert deploy_criterion(scan(acme_repo, plugin_dir), "deploy.automated-training") == "met"


def fake_plugin(root: Path, name: str, spec: str) -> Path:
    """A real installed distribution (dist-info with an entry point) without a build step."""
    write(root / name / "__init__.py", "")
    write(root / name / "detectors" / "bad.yaml", spec)
    write(root / f"{name}-0.1.dist-info" / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    write(root / f"{name}-0.1.dist-info" / "entry_points.txt", f"[mlops_maturity.detectors]\n{name} = {name}\n")
    return root


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("dimension: deploy\ndetectors:\n  - id: bad-kind\n    practice: deploy.registry\n    kind: telepathy\n    message: x\n", "bad_plugin/detectors/bad.yaml"),
        ("dimension: deploy\ndetectors:\n  - id: mlflow-model-registered\n    practice: deploy.registry\n    kind: files\n    files: [x]\n    message: x\n", "already used"),
        ("dimension: deploy\ndetectors:\n  - id: acme-thing\n    practice: deploy.teleport\n    kind: files\n    files: [x]\n    message: x\n", "unknown practice 'deploy.teleport'"),
    ],
    ids=["malformed", "id-collision", "unknown-practice"],
)
def test_a_broken_plugin_stops_the_scan_with_one_line(tmp_path, acme_repo, spec, needle):
    site = fake_plugin(tmp_path / "site", "bad_plugin", spec)
    proc = scan(acme_repo, site)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert needle in lines[0], lines[0]
