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
