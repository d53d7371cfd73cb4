"""The terminal paths (colour, width, progress bar) in a real pseudo-terminal."""

import os
import re
import sys
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1].parent


def spawn(*args, env=None):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    e.update({"TERM": "xterm-256color", **(env or {})})
    return pexpect.spawn(sys.executable, ["-m", "mlops_maturity", *map(str, args)], env=e, encoding="utf-8", timeout=120, dimensions=(40, 120))


def test_scan_in_a_terminal_has_colour_and_no_error():
    child = spawn("scan", ROOT / "examples" / "fraud-training")
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    assert child.exitstatus == 0, out
    assert "Overall level" in out and "internal error" not in out
    assert re.search(r"\x1b\[[0-9;]*m", out)  # colour on a terminal


def test_no_color_in_a_terminal():
    child = spawn("scan", ROOT / "examples" / "fraud-training", env={"NO_COLOR": "1"})
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    assert child.exitstatus == 0 and "Overall level" in out
    assert not re.search(r"\x1b\[[0-9;]*m", out)  # no colour or style sequences


def test_history_in_a_terminal(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    child = spawn("scan", ROOT / "examples" / "fraud-training", "--save", "--db", db, "--format", "json", "-o", tmp_path / "r.json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    child = spawn("history", "fraud-training", "--db", db)
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    assert child.exitstatus == 0, out
    assert "internal error" not in out and "fraud-training" in out


FORK_COUNTER = """
import os, sys
_fork = os.fork
def counted():
    pid = _fork()
    if pid:
        with open(os.environ["MM_FORK_LOG"], "a") as f:
            f.write("fork\\n")
    return pid
os.fork = counted
sys.argv[0] = "mlops-maturity"
from mlops_maturity.cli import run
run()
"""


def test_progress_bar_keeps_jobs_parallel_in_a_terminal(tmp_path):
    """The progress bar refreshes without a thread of its own, so `-j 2` still forks workers
    on a terminal (the scan stays serial while another thread runs)."""
    repo = tmp_path / "repo"
    for i in range(80):
        (repo / "pkg").mkdir(parents=True, exist_ok=True)
        (repo / "pkg" / f"m{i}.py").write_text(f"import mlflow\n\ndef f{i}():\n    mlflow.log_metric('x', {i})\n")
    log = tmp_path / "forks.log"
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    e.update({"TERM": "xterm-256color", "MM_FORK_LOG": str(log)})
    child = pexpect.spawn(sys.executable, ["-c", FORK_COUNTER, "scan", str(repo), "-j", "2"], env=e,
                          encoding="utf-8", timeout=120, dimensions=(40, 120))
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    assert child.exitstatus == 0, out
    assert "Overall level" in out
    assert log.exists() and log.read_text().count("fork") >= 1
