"""Monsters in a repository: symlinks out of the root and to /dev/zero, a FIFO, 2 GiB sparse
files, 50 MB one-line files and one-line files just under the size cap, a 16 MB notebook of
50,000 cells, 50,000 small files and a 200-level-deep tree. The scan runs as users run it (the
installed command, in its own process) and must finish within a time and a memory bound,
report every skip, find the evidence that is there, and show no byte from outside the root.

Bounds (docs/security.md): measured about 3.5-5.5 s and 255-300 MB peak RSS on the 2-core CI
machine while other work runs; the test allows 60 s and 400 MB, so that it fails on a hang,
on reading a monster whole (2 GiB, /dev/zero), or on quadratic work, not on a slow day.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlops_maturity.repo.discovery import DEFAULT_MAX_FILE_BYTES, NOTEBOOK_MAX_BYTES

TIME_BOUND_S = 60
RSS_BOUND_MB = 400
SECRET = "OUTSIDE-ROOT-SECRET-7f3a"
GIB = 1 << 30


def _build(tmp: Path) -> Path:
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "leak.py").write_text(f"import mlflow  # {SECRET}\nmlflow.log_metric('x', 1)\n")
    repo = tmp / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 1)\n")
    os.symlink(outside / "leak.py", repo / "leak.py")
    os.symlink(outside, repo / "outside_dir")
    os.symlink("/etc/passwd", repo / "passwd.yaml")
    os.symlink("/dev/zero", repo / "zero.py")
    os.symlink("/dev/zero", repo / "zero.ipynb")
    os.mkfifo(repo / "fifo.py")
    for name in ("sparse.bin", "sparse.py"):
        with open(repo / name, "wb") as fh:
            fh.truncate(2 * GIB)
    fifty = 50 * 1024 * 1024
    (repo / "oneline.py").write_bytes(b"x = 1; " * (fifty // 7) + b"\n")
    (repo / "oneline.yaml").write_bytes(b"k: " + b"a" * fifty + b"\n")
    # Just under the cap, so they are read and parsed: one line each.
    cap = DEFAULT_MAX_FILE_BYTES - 64
    (repo / "nearcap.py").write_bytes(b"import mlflow; " + b"y = (1, " * ((cap - 20) // 8) + b"\n")
    (repo / "nearcap.yml").write_bytes(b"[" * ((cap - 10) // 2) + b"]" * ((cap - 10) // 2) + b"\n")
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["x = 1\n"]}
    cells = [cell] * ((NOTEBOOK_MAX_BYTES - 4096) // (len(json.dumps(cell)) + 2))
    (repo / "huge.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    for i in range(50):
        d = repo / "many" / f"d{i:02d}"
        d.mkdir(parents=True)
        for j in range(1000):
            (d / f"m{j:04d}.py").write_text(f"x = {j}\n")
    deep = repo.joinpath(*(["d"] * 200))
    deep.mkdir(parents=True)
    (deep / "tune.py").write_text("import optuna\noptuna.create_study()\n")
    return repo


# A small parent that runs the scan and reports the peak RSS of it and its forked workers
# (RUSAGE_CHILDREN covers every waited-for descendant, and nothing else pytest started).
_MEASURE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def monster_scan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("monsters")
    repo = _build(tmp)
    exe = shutil.which("mlops-maturity", path=str(Path(sys.executable).parent))
    out = tmp / "result.json"
    rss_file = tmp / "rss"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(rss_file), exe, "scan", str(repo), "--format", "json", "--output", str(out), "--jobs", "2"], capture_output=True, text=True, timeout=TIME_BOUND_S * 3)
    elapsed = time.monotonic() - start
    peak_mb = int(rss_file.read_text()) / 1024
    print(f"monster scan: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")
    return proc, out, elapsed, peak_mb, repo


def test_monsters_scan_in_bounded_time_and_memory(monster_scan):
    proc, out, elapsed, peak_mb, _ = monster_scan
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert elapsed < TIME_BOUND_S, f"{elapsed:.1f} s"
    assert peak_mb < RSS_BOUND_MB, f"{peak_mb:.0f} MB"


def test_monsters_are_reported_and_evidence_still_found(monster_scan):
    proc, out, *_ = monster_scan
    result = json.loads(out.read_text())
    (scan,) = [s for s in result["sources"] if s["name"] == "scan"]
    reasons = {s["path"]: s["reason"] for s in scan["skipped"]}
    outside = "symlink outside the repository (not followed)"
    assert reasons["leak.py"] == outside and reasons["passwd.yaml"] == outside
    assert reasons["zero.py"] == outside and reasons["zero.ipynb"] == outside
    assert reasons.get("outside_dir/", reasons.get("outside_dir")) == outside
    assert reasons["fifo.py"] == "not a regular file (FIFO, socket or device)"
    for name in ("sparse.bin", "sparse.py"):
        assert reasons[name].startswith(f"over size cap ({2 * GIB} bytes"), reasons[name]
    for name in ("oneline.py", "oneline.yaml"):
        assert reasons[name].startswith("over size cap ("), reasons[name]
    assert "nearcap.py" not in reasons and "huge.ipynb" not in reasons, reasons
    assert "scanned 5000" in scan["message"], scan["message"]
    present = {p["id"]: p for p in result["practices"] if p["present"]}
    assert [e["path"] for e in present["dev.experiment_tracking"]["evidence"]][:1] in (["train.py"], ["nearcap.py"])
    assert present["dev.hpo"]["evidence"][0]["path"] == "/".join(["d"] * 200) + "/tune.py"


def test_no_byte_from_outside_the_root_in_any_output(monster_scan):
    proc, out, *_ = monster_scan
    text = out.read_text() + proc.stdout + proc.stderr
    assert SECRET not in text and "root:x:0:0" not in text
