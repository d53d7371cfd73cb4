#!/usr/bin/env python3
"""Scan speed against the floor and against the peer, side by side in one run.

For each repository: the floor (a minimal script that walks the tree once and reads every regular
file under 1 MiB, .git excluded, hidden folders included), `mlops-maturity scan`, and mllint
0.12.2 with its linters off (the peer a user would pick; see ../shared/peers.md). Each is a fresh
process, timed wall-clock after one warm-up run, median of --repeat runs; peak memory is the
process's max RSS. Also `mlops-maturity --help` start-up time.

Usage:
    python bench/scan_bench.py REPO [REPO ...] [--repeat 5] [--jobs N] [--mllint auto|none|PATH]

`--mllint auto` installs the peer with bench/setup_mllint.sh (once, into bench/.mllint-venv).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable

FLOOR = r"""
import os, sys
CAP = 1 << 20
total = files = 0
stack = [sys.argv[1]]
while stack:
    d = stack.pop()
    try:
        it = os.scandir(d)
    except OSError:
        continue
    with it:
        for e in it:
            if e.is_dir(follow_symlinks=False):
                if e.name != ".git":
                    stack.append(e.path)
            elif e.is_file(follow_symlinks=False):
                try:
                    if e.stat(follow_symlinks=False).st_size < CAP:
                        with open(e.path, "rb") as f:
                            total += len(f.read())
                        files += 1
                except OSError:
                    pass
print(files, total)
"""


# Measured as an installed package runs: with its bytecode cached (a shell that sets
# PYTHONDONTWRITEBYTECODE would recompile every module in every run, about 0.1 s).
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measured(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float, int, str, float]:
    """Wall seconds, peak RSS in MB, exit code, stdout and CPU seconds (user + system, the
    process and its waited-for workers) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env if env is not None else BENCH_ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode, out.decode(errors="replace"), usage.ru_utime + usage.ru_stime


def median_run(cmd, repeat, cwd=None, env=None):
    measured(cmd, cwd, env)  # warm-up: page cache, .pyc files
    runs = [measured(cmd, cwd, env) for _ in range(repeat)]
    codes = {r[2] for r in runs}
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), codes, runs[-1][3], statistics.median(r[4] for r in runs)


def git_files(repo: Path) -> int | None:
    try:
        out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, timeout=60).stdout
        return out.count(b"\0")
    except (OSError, subprocess.TimeoutExpired):
        return None


def mllint_exe(choice: str) -> str | None:
    if choice == "none":
        return None
    if choice != "auto":
        # mllint runs in a throwaway directory: a relative path must not be read from there.
        return str(Path(choice).resolve()) if os.sep in choice else choice
    found = shutil.which("mllint")
    if found:
        return found
    proc = subprocess.run(["bash", str(HERE / "setup_mllint.sh")], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"mllint could not be installed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return proc.stdout.strip().splitlines()[-1]


def run_mllint(exe: str, repo: Path, repeat: int):
    """mllint writes caches into the scanned repository and needs a config to turn linters off:
    run it on a throwaway copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / repo.name
        shutil.copytree(repo, copy, symlinks=True)
        (copy / ".mllint.yml").write_text("code-quality:\n  linters: []\n")
        env = {**BENCH_ENV, "PATH": f"{Path(exe).parent}:{os.environ.get('PATH', '')}"}
        # mllint mangles absolute project paths and cannot write its report to /dev/null: run it
        # from the throwaway folder with relative paths.
        result = median_run([exe, "run", repo.name, "-f", "-o", "report.md"], repeat, cwd=Path(tmp), env=env)
        if result[2] != {0}:
            print(f"{repo.name}: mllint exited with {sorted(result[2])}", file=sys.stderr)
        return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repos", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--mllint", default="auto", help="auto (install if needed), none, or a path")
    args = ap.parse_args()

    exe = mllint_exe(args.mllint)
    cli = [PY, "-m", "mlops_maturity"]
    help_times = [measured([*cli, "--help"])[0] for _ in range(max(5, args.repeat))]
    print(f"mlops-maturity --help: median {statistics.median(help_times) * 1000:.0f} ms over {len(help_times)} runs")
    print(f"machine: {os.cpu_count()} cores; scan --jobs {args.jobs}; medians of {args.repeat} warm runs\n")

    head = f"{'repository':<28}{'files':>7}{'floor s':>9}{'scan s':>9}{'scan/floor':>11}{'scan cpu s':>11}{'scan MB':>9}"
    head += f"{'mllint s':>10}{'mllint/scan':>12}{'mllint MB':>10}" if exe else ""
    print(head)
    print("-" * len(head))
    for repo in args.repos:
        repo = repo.resolve()
        floor_s, floor_mb, _, _, _ = median_run([PY, "-c", FLOOR, str(repo)], args.repeat)
        scan_s, scan_mb, codes, _, scan_cpu = median_run([*cli, "scan", str(repo), "--format", "json", "-o", os.devnull, "--jobs", str(args.jobs)], args.repeat)
        if codes - {0, 1}:
            print(f"{repo.name}: scan failed with exit codes {sorted(codes)}", file=sys.stderr)
        row = f"{repo.name[:27]:<28}{git_files(repo) or 0:>7}{floor_s:>9.3f}{scan_s:>9.3f}{scan_s / floor_s:>10.2f}x{scan_cpu:>11.3f}{scan_mb:>9.0f}"
        if exe:
            m_s, m_mb, m_codes, _, _ = run_mllint(exe, repo, args.repeat)
            row += f"{m_s:>10.3f}{m_s / scan_s:>11.2f}x{m_mb:>10.0f}"
        print(row, flush=True)
    print("\nfloor: one os.scandir walk reading every regular file < 1 MiB once (.git excluded).")
    print("scan/floor > 1 is our overhead; mllint/scan > 1 means we are faster than the peer.")
    print("scan cpu s: user + system time of the scan and its workers (steadier than wall time on a busy machine).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
