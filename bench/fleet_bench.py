"""Fleet benchmark: first scan and re-scan of N synthetic repositories, time and peak memory.

    .venv/bin/python bench/fleet_bench.py                 # N = 100, 300, 1000
    .venv/bin/python bench/fleet_bench.py --n 50 --jobs 2 --repeat 1

Each repository is a copy of one of the examples or of a `present-*` fixture repository, plus
`--parts` other fixture repositories nested in it and a file of its own (11 to 35 files, about
20 on average); two in three are git repositories (committed), one in three plain directories
(the walk and the size+mtime snapshot). `--from DIR` makes every repository a copy of the files
git tracks in DIR instead, for a real repository's size (`--from .`: this project). The command timed is the real CLI,
`scan --repos-from LIST --format json -o FILE --summary FILE`, in a fresh process each time:
the first scan with an empty cache (every repository read, scored, rendered, its cache entry
written), then the re-scan with nothing changed. With `--repeat R` each pair runs R times (the
cache emptied before each first scan) and the medians are printed, with the CPU time of the
whole process tree beside the wall time (on a machine shared with other work, the CPU time is
the steadier measure of how cost grows with N) and, for three N or more, the first scan fitted
as a fixed cost plus a cost per repository, with how far each N lies off that line.

What it measures, and what it does not: the generated repositories are small, so a first scan
costs 30-50 ms a repository, mostly the fixed cost of assessing one (discovery, git, detectors,
scoring, rendering a 50 KB JSON result). A real ML repository has hundreds to thousands of files
and costs far more to scan (see bench/scan_bench.py), while a re-scan of it costs one stat per
file it lists plus copying its output: the ratio printed here is therefore a floor for real
fleets, not a typical figure.

Memory: the peak, over the run, of the sum of the *proportional* set sizes (PSS, from
/proc/PID/smaps_rollup) of the process tree (the CLI, its workers, their git children), sampled
every 20 ms; a worker's child caught between vfork and exec shares the worker's memory and is
not counted again. PSS charges a page shared by k processes 1/k to each; the sum of resident set sizes
would count the pages a forked worker shares with the CLI twice, and a worker's child caught
between fork and exec (git, about 55 MB of RSS that is all shared) once more: that sampling
artefact, more likely the longer the run, is what made the RSS sum grow with N. The RSS
figures of the CLI alone and of the largest worker are printed beside it.

The generated repositories are left untouched for `--settle` seconds before the first scan, so
that no file is "racily" new (see fleet/cache.py).
Aims (issue 9): cost linear in N, re-scan of 1000 unchanged repositories >= 20x faster than the
first scan, peak memory independent of N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
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


def generate(base: Path, n: int, parts: int = 8, source: Path | None = None) -> list[Path]:
    """Repository i: an example (or fixture repository) at the top, plus `parts` other fixture
    repositories as subdirectories: a few dozen files, closer to a real ML repository than one
    fixture alone (whose scan costs less than starting the tool). With `source`, a copy of the
    files git tracks in that repository instead (a real repository's size and mix)."""
    tpl = templates()
    listed = []
    if source is not None:
        out = subprocess.run(["git", "-C", str(source), "ls-files", "-z"], env=GIT_ENV, check=True, capture_output=True).stdout
        listed = [n for n in out.decode().split("\0") if n and (source / n).is_file() and not (source / n).is_symlink()]
    repos = []
    for i in range(n):
        repo = base / f"repo-{i:04d}"
        if source is not None:
            for name in listed:
                (repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / name, repo / name)
        else:
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


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cmdline(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _tree(pid: int) -> tuple[int, int, int, int]:
    """(PSS of the tree, RSS of the tree, RSS of `pid`, largest RSS of a direct child)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    parent_of: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
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
        parent_of[int(d)] = ppid
        rss[int(d)] = pages * page
    pss = rss_sum = 0
    stack = [(pid, 0)]
    while stack:
        p, depth = stack.pop()
        # A worker's child still running the worker's program is one caught between vfork and
        # exec (of git): it shares the worker's very memory, and reading it would count that
        # memory twice. The workers themselves (depth 1) are real forks and are counted.
        if depth >= 2 and _cmdline(p) == _cmdline(parent_of[p]):
            continue
        pss += _pss(p)
        rss_sum += rss.get(p, 0)
        stack += [(c, depth + 1) for c in children.get(p, [])]
    return pss, rss_sum, rss.get(pid, 0), max((rss.get(c, 0) for c in children.get(pid, [])), default=0)


def timed(cmd: list[str]) -> tuple[float, float, tuple[int, int, int, int], subprocess.CompletedProcess]:
    """Wall time, CPU time (user + system of the whole tree), peak memory, the process."""
    peak = [0, 0, 0, 0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for i, v in enumerate(_tree(proc.pid)):
                peak[i] = max(peak[i], v)
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    t.join()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, tuple(peak), subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _mib(b: float) -> str:
    return f"{b / 2**20:6.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3, help="first scan + re-scan pairs per N; medians are printed")
    ap.add_argument("--settle", type=float, default=2.5)
    ap.add_argument("--parts", type=int, default=8, help="fixture repositories nested in each generated one")
    ap.add_argument("--from", dest="source", type=Path, help="copy the files git tracks in this repository instead (e.g. --from . : this project, ~730 files)")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores; jobs {args.jobs}; {args.repeat} run(s) per N", flush=True)
    table = []
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="mm-fleet-bench-") as tmp:
            base = Path(tmp)
            t0 = time.perf_counter()
            repos = generate(base / "repos", n, args.parts, args.source.resolve() if args.source else None)
            files = sum(len(fs) for r in repos for d, _, fs in os.walk(r) if ".git" not in Path(d).parts)
            gen = time.perf_counter() - t0
            listing = base / "repos.txt"
            listing.write_text("".join(f"{r}\n" for r in repos))
            time.sleep(args.settle)
            cmd = [sys.executable, "-m", "mlops_maturity", "scan", "--repos-from", str(listing), "-j", str(args.jobs), "--format", "json", "-o", str(base / "results.json"), "--summary", str(base / "summary.json"), "--cache-dir", str(base / "cache")]
            runs = []
            for k in range(args.repeat):
                shutil.rmtree(base / "cache", ignore_errors=True)
                first, c1, m1, p1 = timed(cmd)
                s1 = json.loads((base / "summary.json").read_text())["stats"]
                again, c2, m2, p2 = timed(cmd)
                s2 = json.loads((base / "summary.json").read_text())["stats"]
                assert p1.returncode == 0 and p2.returncode == 0, (p1.stderr, p2.stderr)
                assert s1["read"] == n and s2["cached"] == n, (s1, s2)
                size = (base / "results.json").stat().st_size
                runs.append((first, again, m1, m2, c1, c2))
                print(f"N={n:5d} run {k + 1}: first {first:7.2f} s, CPU {c1:6.2f} s (PSS {_mib(m1[0])} MiB, RSS sum {_mib(m1[1])}, CLI {_mib(m1[2])}, worker {_mib(m1[3])})  "
                      f"re-scan {again:6.2f} s, CPU {c2:5.2f} s (PSS {_mib(m2[0])} MiB)  x{first / again:5.1f}  [load {os.getloadavg()[0]:.2f}]", flush=True)
            med = statistics.median
            first, again = med(r[0] for r in runs), med(r[1] for r in runs)
            table.append({
                "n": n, "files": files / n, "generate": gen, "first": first, "again": again, "ratio": med(r[0] / r[1] for r in runs),
                "pss1": med(r[2][0] for r in runs), "pss2": med(r[3][0] for r in runs), "rss1": med(r[2][1] for r in runs),
                "cli1": med(r[2][2] for r in runs), "worker1": med(r[2][3] for r in runs), "size": size,
                "cpu1": med(r[4] for r in runs), "cpu2": med(r[5] for r in runs),
            })
    print(f"\nmedians of {args.repeat} run(s); load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("    N  files/repo  first s  ms/repo  re-scan s  ms/repo  ratio  peak PSS first  peak PSS re-scan  (RSS sum first, CLI, worker)  results")
    for r in table:
        print(f"{r['n']:5d}  {r['files']:10.0f}  {r['first']:7.2f}  {r['first'] / r['n'] * 1000:7.1f}  {r['again']:9.2f}  {r['again'] / r['n'] * 1000:7.2f}  {r['ratio']:5.1f}  "
              f"{_mib(r['pss1'])} MiB      {_mib(r['pss2'])} MiB        ({_mib(r['rss1'])}, {_mib(r['cli1'])}, {_mib(r['worker1'])} MiB)  {r['size'] / 2**20:.1f} MiB")
    print("\nCPU time (user + system, whole process tree; less sensitive than wall time to other load on the machine):")
    for r in table:
        print(f"  N={r['n']:5d}  first {r['cpu1']:7.2f} s ({r['cpu1'] / r['n'] * 1000:5.1f} ms/repo)  re-scan {r['cpu2']:6.2f} s ({r['cpu2'] / r['n'] * 1000:5.2f} ms/repo)")
    if len(table) > 2:
        # Linear in N means first = a + b N: fitted by least squares, with how far each N is from the line.
        for key, label in (("first", "wall"), ("cpu1", "CPU")):
            xs, ys = [r["n"] for r in table], [r[key] for r in table]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
            a = my - b * mx
            dev = ", ".join(f"N={x}: {100 * (y - (a + b * x)) / y:+.0f}%" for x, y in zip(xs, ys))
            print(f"first scan {label} time fitted as {a:.2f} s + {b * 1000:.1f} ms x N; off the line by {dev}")
    if len(table) > 1:
        r0 = table[0]
        print("\ngrowth relative to the smallest N (1.00 = linear in N for time, flat for memory):")
        for r in table:
            print(f"  N={r['n']:5d}  N x{r['n'] / r0['n']:5.1f}  first x{r['first'] / r0['first']:5.2f} (per repo {(r['first'] / r['n']) / (r0['first'] / r0['n']):4.2f})  "
                  f"re-scan x{r['again'] / r0['again']:5.2f} (per repo {(r['again'] / r['n']) / (r0['again'] / r0['n']):4.2f})  "
                  f"peak PSS first x{r['pss1'] / r0['pss1']:4.2f}, re-scan x{r['pss2'] / r0['pss2']:4.2f}")


if __name__ == "__main__":
    main()
