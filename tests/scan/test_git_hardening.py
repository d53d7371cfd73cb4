"""Scanning never runs a repository's code through git: its fsmonitor, hooks, filter and diff
drivers named in .git/config stay unused (a control shows plain git does run them)."""

from __future__ import annotations

import json
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


# -- the same scan under a Python audit hook -----------------------------------------------------

# Runs in a fresh interpreter (-I: no cwd on sys.path, no PYTHONPATH, no user site) whose working
# directory is the hostile repository. Every audit event that would mean running or importing
# the repository's code, touching the network, or starting anything but hardened git is written
# to a file descriptor opened before the hook (os.write raises no audit event, and forked scan
# workers inherit both the hook and the descriptor).
_HOOK = r"""
import os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
root = os.path.realpath(sys.argv[2])
def inside(p):
    if isinstance(p, int) or not isinstance(p, (str, bytes, os.PathLike)):
        return False
    p = os.fsdecode(p)
    if not os.path.isabs(p):  # "<string>", "<frozen ...>", or a path relative to the repository
        if p.startswith("<"):
            return False
        p = os.path.join(os.getcwd(), p)
    return os.path.realpath(p).startswith(root + os.sep)
seen = set()

def hook(event, args):
    bad = None
    if event == "exec" and inside(getattr(args[0], "co_filename", "")):
        bad = args[0].co_filename
    elif event == "import" and len(args) > 1 and inside(args[1]):
        bad = args[1]
    elif event == "open" and inside(args[0]):
        seen.add("open-inside")
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if set(mode) & set("wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
            bad = f"{args[0]} {mode} {flags}"
    elif event.startswith(("socket.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.")):
        bad = repr(args)[:200]
    elif event in ("os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.startfile", "ctypes.dlopen", "pickle.find_class", "shutil.unpack_archive", "runpy.run_path"):
        bad = repr(args)[:200]
    elif event == "subprocess.Popen":
        argv = [os.fsdecode(a) for a in args[1]]
        if os.path.basename(argv[0]) != "git" or "core.fsmonitor=false" not in argv or "core.hooksPath=/dev/null" not in argv:
            bad = " ".join(argv)[:200]
        seen.add("git")
    if bad is not None:
        os.write(log, f"{os.getpid()} {event} {bad}\n".encode())

sys.addaudithook(hook)
mode = sys.argv[3]
if mode == "control":  # what a careless tool would do: the hook must see it
    import runpy
    runpy.run_path(os.path.join(root, "train.py"))
from mlops_maturity.cli import run
sys.argv = ["mlops-maturity", "scan", ".", "--format", "json", "--jobs", "2", "--output", sys.argv[4]]
try:
    run()
finally:
    os.write(log, ("SEEN " + " ".join(sorted(seen)) + "\n").encode())
"""

_CANARY_CODE = "open({canary!r}, 'a').write('{what}\\n')\n"


def _plant_code(repo: Path, canary: Path) -> None:
    """Files a careless tool would import or run, each writing the canary when it does."""
    import pickle

    for rel in ("setup.py", "conftest.py", "json.py", "yaml.py", "click.py", "sitecustomize.py", "src/pkg/__init__.py", "noxfile.py"):
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_CANARY_CODE.format(canary=str(canary), what=rel) + "import mlflow\nmlflow.log_metric('auc', 1)\n")
    (repo / "evil.pth").write_text(f"import os; open({str(canary)!r}, 'a').write('pth\\n')\n")

    class Payload:
        def __reduce__(self):
            return (eval, (_CANARY_CODE.format(canary=str(canary), what="pickle").strip().replace("\\n", ""),))

    (repo / "models").mkdir(exist_ok=True)
    (repo / "models" / "model.pkl").write_bytes(pickle.dumps(Payload()))
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": [_CANARY_CODE.format(canary=str(canary), what="notebook")]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "explore.ipynb").write_text(json.dumps(nb))


def _audited_scan(tmp_path: Path, mode: str):
    import sys

    repo, canary = _hostile_repo(tmp_path)
    _plant_code(repo, canary)
    log = tmp_path / "audit.log"
    log.write_text("")
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _HOOK, str(log), str(repo), mode, str(out)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = log.read_text().splitlines()
    violations = [line for line in lines if not line.startswith("SEEN ")]
    seen = {w for line in lines if line.startswith("SEEN ") for w in line.split()[1:]}
    return proc, violations, seen, canary, out


def test_scan_under_an_audit_hook_runs_imports_and_connects_nothing(tmp_path):
    proc, violations, seen, canary, out = _audited_scan(tmp_path, "scan")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert violations == [], violations
    assert not canary.exists(), canary.read_text()
    # The hook was live: it saw the scan read repository files and start (hardened) git.
    assert seen == {"git", "open-inside"}, seen
    result = json.loads(out.read_text())
    tracking = next(p for p in result["practices"] if p["id"] == "dev.experiment_tracking")
    assert tracking["present"] is True


def test_the_audit_hook_catches_running_repository_code(tmp_path):
    """The control: a tool that runs a repository file is caught (so the test above can fail)."""
    proc, violations, seen, canary, out = _audited_scan(tmp_path, "control")
    assert canary.exists()
    assert any(" exec " in v and v.endswith("train.py") for v in violations), violations


def test_the_installed_command_imports_nothing_from_the_scanned_directory(tmp_path):
    """Run as users do (the console script, from inside the repository): json.py, yaml.py,
    click.py or sitecustomize.py there never shadow the tool's own imports."""
    import shutil
    import sys

    repo, canary = _hostile_repo(tmp_path)
    _plant_code(repo, canary)
    exe = shutil.which("mlops-maturity", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed beside the interpreter"
    proc = subprocess.run([exe, "scan", ".", "--format", "json"], cwd=repo, capture_output=True, text=True, timeout=180)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert json.loads(proc.stdout)["subject"]["name"]
    assert not canary.exists(), canary.read_text()
