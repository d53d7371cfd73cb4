"""Fleet benchmark: first scan and re-scan of N synthetic repositories, time and peak memory.

    .venv/bin/python bench/fleet_bench.py                 # N = 100, 300, 1000
    .venv/bin/python bench/fleet_bench.py --n 50 --jobs 2

Each repository is a copy of one of the examples or of a `present-*` fixture repository, plus a
file of its own; two in three are git repositories (committed), one in three plain directories
(the walk and the size+mtime snapshot). The command timed is the real CLI,
`scan --repos-from LIST --format json -o FILE --summary FILE`, in a fresh process each time.
Peak memory is the largest sum of the resident set sizes of the whole process tree (the CLI and
its workers), sampled every 20 ms from /proc. The generated repositories are left untouched for
`--settle` seconds before the first scan, so that no file is "racily" new (see fleet/cache.py).
Aims (issue 9): cost linear in N, re-scan of 1000 unchanged repositories >= 20x faster than the
first scan, peak memory independent of N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.org"}


def templates() -> list[Path]:
    out = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())
    out += sorted(p for p in (ROOT / "tests" / "fixtures").glob("*/present-*") if p.is_dir())
    return out


def generate(base: Path, n: int, parts: int = 8) -> list[Path]:
    """Repository i: an example (or fixture repository) at the top, plus `parts` other fixture
    repositories as subdirectories: a few dozen files, closer to a real ML repository than one
    fixture alone (whose scan costs less than starting the tool)."""
    tpl = templates()
    repos = []
    for i in range(n):
        repo = base / f"repo-{i:04d}"
        shutil.copytree(tpl[i % len(tpl)], repo, symlinks=True)
        for k in range(parts):
            part = tpl[(i * 7 + k * 13 + 1) % len(tpl)]
            shutil.copytree(part, repo / "modules" / f"m{k}-{part.name}", symlinks=True, dirs_exist_ok=True)
        (repo / "OWNER.txt").write_text(f"team-{i % 17}\n")
        if i % 3 != 2:
            for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
                subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)
        repos.append(repo)
    return repos


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


def timed(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    t.join()
    return wall, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--settle", type=float, default=2.5)
    ap.add_argument("--parts", type=int, default=8, help="fixture repositories nested in each generated one")
    args = ap.parse_args()
    rows = []
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="mm-fleet-bench-") as tmp:
            base = Path(tmp)
            t0 = time.perf_counter()
            repos = generate(base / "repos", n, args.parts)
            files = sum(len(fs) for r in repos for d, _, fs in os.walk(r) if ".git" not in Path(d).parts)
            gen = time.perf_counter() - t0
            listing = base / "repos.txt"
            listing.write_text("".join(f"{r}\n" for r in repos))
            time.sleep(args.settle)
            cmd = [sys.executable, "-m", "mlops_maturity", "scan", "--repos-from", str(listing), "-j", str(args.jobs), "--format", "json", "-o", str(base / "results.json"), "--summary", str(base / "summary.json"), "--cache-dir", str(base / "cache")]
            first, peak1, p1 = timed(cmd)
            s1 = json.loads((base / "summary.json").read_text())["stats"]
            again, peak2, p2 = timed(cmd)
            s2 = json.loads((base / "summary.json").read_text())["stats"]
            assert p1.returncode == 0 and p2.returncode == 0, (p1.stderr, p2.stderr)
            assert s1["read"] == n and s2["cached"] == n, (s1, s2)
            size = (base / "results.json").stat().st_size
            rows.append((n, gen, first, again, peak1, peak2, size))
            print(f"N={n:5d}  ({files / n:.0f} files/repo)  generate {gen:6.1f} s  first {first:7.2f} s ({first / n * 1000:5.1f} ms/repo, peak {peak1 / 2**20:6.1f} MiB)  "
                  f"re-scan {again:6.2f} s ({again / n * 1000:5.2f} ms/repo, peak {peak2 / 2**20:6.1f} MiB)  x{first / again:5.1f}  results {size / 2**20:.1f} MiB", flush=True)
    if len(rows) > 1:
        n0, _, f0, a0, m0, _, _ = rows[0]
        print("\ngrowth relative to the smallest N (1.00 = linear in N for time, flat for memory):")
        for n, _, f, a, m1, m2, _ in rows:
            print(f"  N={n:5d}  N x{n / n0:5.1f}  first x{f / f0:5.2f} (per repo {(f / n) / (f0 / n0):4.2f})  "
                  f"re-scan x{a / a0:5.2f} (per repo {(a / n) / (a0 / n0):4.2f})  peak memory first x{m1 / m0:4.2f}")


if __name__ == "__main__":
    main()
