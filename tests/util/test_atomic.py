"""-o /dev/null must never replace /dev/null (as root, a rename would)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from mlops_maturity.util import atomic

ROOT = Path(__file__).resolve().parents[2]


def test_regular_file_is_replaced_atomically(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    atomic.write_text(target, "new")
    assert target.read_text() == "new"
    assert not (tmp_path / "r.json.tmp").exists()


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    atomic.write_text(fifo, "through the pipe")
    assert reader.communicate(timeout=10)[0] == b"through the pipe"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_scan_to_dev_null_leaves_it_a_device():
    for args in (["scan", ROOT / "examples" / "churn-notebook", "-o", "/dev/null"],
                 ["scan", ROOT / "examples" / "churn-notebook", "--format", "json", "-o", "/dev/null"]):
        proc = subprocess.run([sys.executable, "-m", "mlops_maturity", *map(str, args)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null was replaced by a regular file"
