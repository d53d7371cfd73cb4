"""`scan --each` at fleet scale: parallel workers, the scan cache, failures, the summary.

Every repository is a real git repository made here from the examples; every run is the real
command in a subprocess. What was read is observed in the summary's counters and per-repository
cache outcome, which the command computes from what it actually did.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlops_maturity.fleet.cache import FORMAT

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KINDS = ["churn-notebook", "fraud-training", "recsys-platform"]
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def make_fleet(base: Path, n: int) -> list[Path]:
    """n git repositories: copies of the three examples, each with a file of its own."""
    repos = []
    for i in range(n):
        repo = base / f"repo-{i:02d}"
        shutil.copytree(EXAMPLES / KINDS[i % 3], repo)
        (repo / "NOTES.txt").write_text(f"variant {i}\n")
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "initial")
        repos.append(repo)
    return repos


def scan(*args, cache: Path | None = None, env=None):
    e = {**os.environ, "NO_COLOR": "1", **(env or {})}
    extra = ["--cache-dir", str(cache)] if cache is not None else []
    return subprocess.run([sys.executable, "-m", "mlops_maturity", "scan", *map(str, args), *extra], capture_output=True, text=True, env=e, timeout=600)


def by_name(results: list[dict]) -> dict[str, dict]:
    return {r["subject"]["name"]: r for r in results}


def practice(result: dict, pid: str) -> str:
    return next(p["status"] for p in result["practices"] if p["id"] == pid)


def comparable(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "generated_at"}


def test_rescan_after_one_change_reads_only_that_repository(tmp_path, validate_result):
    repos = make_fleet(tmp_path / "fleet", 30)
    cache = tmp_path / "cache"
    out1, sum1 = tmp_path / "first.json", tmp_path / "first-summary.json"
    proc = scan("--each", *repos, "--jobs", "2", "--format", "json", "-o", out1, "--summary", sum1, cache=cache)
    assert proc.returncode == 0, proc.stderr
    s1 = json.loads(sum1.read_text())
    assert s1["stats"] | {"seconds": 0} == s1["stats"] | {"repositories": 30, "ok": 30, "failed": 0, "read": 30, "cached": 0, "jobs": 2, "seconds": 0}
    assert {r["cache"] for r in s1["repositories"]} == {"miss"}
    first = by_name(json.loads(out1.read_text()))
    assert sorted(first) == [f"repo-{i:02d}" for i in range(30)]
    for r in first.values():
        validate_result(json.dumps(r))

    changed = repos[3]  # a churn-notebook copy: unpinned requirements
    assert practice(first["repo-03"], "dev.pinned_env") == "absent"
    (changed / "requirements.txt").write_text("pandas==2.2.2\nscikit-learn==1.5.0\nmatplotlib==3.9.0\nmlflow==2.14.1\n")

    out2, sum2 = tmp_path / "second.json", tmp_path / "second-summary.json"
    proc = scan("--each", *repos, "--jobs", "2", "--format", "json", "-o", out2, "--summary", sum2, cache=cache)
    assert proc.returncode == 0, proc.stderr
    s2 = json.loads(sum2.read_text())
    assert (s2["stats"]["read"], s2["stats"]["cached"], s2["stats"]["failed"]) == (1, 29, 0)
    outcomes = {r["name"]: (r["cache"], r.get("cache_reason", "")) for r in s2["repositories"]}
    assert outcomes.pop("repo-03") == ("miss", "requirements.txt changed")
    assert set(outcomes.values()) == {("hit", "")}
    assert "1 read, 29 unchanged" in proc.stderr

    assert s2["stats"]["reused"] == 29 and "reused" not in next(r for r in s2["repositories"] if r["name"] == "repo-03")
    # In input order, though repo-03 was assessed by a worker while the others were copied.
    assert [r["subject"]["name"] for r in json.loads(out2.read_text())] == [f"repo-{i:02d}" for i in range(30)]
    second = by_name(json.loads(out2.read_text()))
    assert practice(second["repo-03"], "dev.pinned_env") == "present"
    assert [e["path"] for p in second["repo-03"]["practices"] if p["id"] == "dev.pinned_env" for e in p["evidence"]] == ["requirements.txt"]
    for name in first:
        if name != "repo-03":  # the others come from the cache, identical but for the time of the run
            assert comparable(second[name]) == comparable(first[name]), name
            assert second[name]["generated_at"] > first[name]["generated_at"], name
        validate_result(json.dumps(second[name]))

    proc = scan("--each", *repos, "--jobs", "2", "--format", "json", cache=cache)  # to stdout
    assert proc.returncode == 0 and "0 read, 30 unchanged" in proc.stderr, proc.stderr
    third = json.loads(proc.stdout)
    assert [comparable(r) for r in third] == [comparable(second[f"repo-{i:02d}"]) for i in range(30)]


def test_a_failing_repository_is_reported_and_the_others_complete(tmp_path):
    repos = make_fleet(tmp_path / "fleet", 4)
    bad_config = repos[1]
    (bad_config / ".mlops-maturity.yaml").write_text("project: [unclosed\n")
    loop = tmp_path / "fleet" / "loop"
    loop.symlink_to(loop)  # resolving it fails, for root too
    summary = tmp_path / "summary.json"
    out = tmp_path / "results.json"
    proc = scan("--each", *repos, loop, tmp_path / "missing", "-j", "2", "--format", "json", "-o", out, "--summary", summary, cache=tmp_path / "cache")
    assert proc.returncode == 2
    s = json.loads(summary.read_text())
    assert (s["stats"]["repositories"], s["stats"]["ok"], s["stats"]["failed"]) == (6, 3, 3)
    errors = {Path(r["path"]).name: r["error"] for r in s["repositories"] if r["status"] == "error"}
    assert errors["repo-01"].startswith(f"{bad_config / '.mlops-maturity.yaml'}: ")
    assert errors["loop"] == "cannot open (Too many levels of symbolic links)"
    assert errors["missing"] == "no such directory"
    results = json.loads(out.read_text())
    assert [r["subject"]["name"] for r in results] == ["repo-00", "repo-02", "repo-03"]
    assert all(r["overall"]["level"] >= 1 for r in results)
    assert f"mlops-maturity: error: {loop}: cannot open (Too many levels of symbolic links)" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 directory; the root-proof failures are tested above")
def test_an_unreadable_repository_root_is_reported(tmp_path):
    repos = make_fleet(tmp_path / "fleet", 3)
    summary = tmp_path / "summary.json"
    repos[0].chmod(0)
    try:
        proc = scan("--each", *repos, "-j", "2", "--format", "json", "-o", tmp_path / "r.json", "--summary", summary, cache=tmp_path / "cache")
    finally:
        repos[0].chmod(0o755)
    assert proc.returncode == 2
    s = json.loads(summary.read_text())
    assert [(r["status"], r.get("error")) for r in s["repositories"]][0] == ("error", "cannot read the directory (Permission denied)")
    assert s["stats"]["ok"] == 2


def test_corrupt_cache_entries_are_discarded_not_trusted(tmp_path):
    repos = make_fleet(tmp_path / "fleet", 3)
    cache = tmp_path / "cache"
    out1 = tmp_path / "1.json"
    assert scan("--each", *repos, "-j", "2", "--format", "json", "-o", out1, cache=cache).returncode == 0
    entries = sorted((cache / f"v{FORMAT}").glob("*/*.json"))
    assert len(entries) == 3
    # One entry truncated mid-write, one with a flipped byte in its body, one left alone.
    first = by_name(json.loads(out1.read_text()))
    entry_of = {}
    for e in entries:
        meta = e.read_bytes().split(b"\n", 2)[1]  # hash, meta, observations, output
        entry_of[Path(json.loads(meta)["root"]).name] = e
    data = entry_of["repo-00"].read_bytes()
    entry_of["repo-00"].write_bytes(data[: len(data) // 2])
    data = entry_of["repo-01"].read_bytes()
    entry_of["repo-01"].write_bytes(data.replace(b'"status":"present"', b'"status":"absent"', 1) if b'"status":"present"' in data else data[:-2] + b"x}")

    summary, out2 = tmp_path / "s.json", tmp_path / "2.json"
    proc = scan("--each", *repos, "-j", "2", "--format", "json", "-o", out2, "--summary", summary, cache=cache)
    assert proc.returncode == 0, proc.stderr
    s = json.loads(summary.read_text())
    outcomes = {r["name"]: r["cache"] for r in s["repositories"]}
    assert outcomes == {"repo-00": "corrupt", "repo-01": "corrupt", "repo-02": "hit"}
    assert (s["stats"]["read"], s["stats"]["corrupt_cache_entries"]) == (2, 2)
    second = by_name(json.loads(out2.read_text()))
    for name in first:
        assert comparable(second[name]) == comparable(first[name])
    # The discarded entries were rewritten from the fresh scans.
    s3 = tmp_path / "s3.json"
    assert scan("--each", *repos, "-j", "2", "--format", "json", "-o", tmp_path / "3.json", "--summary", s3, cache=cache).returncode == 0
    assert json.loads(s3.read_text())["stats"]["cached"] == 3


def test_what_the_cache_notices(tmp_path):
    (repo,) = make_fleet(tmp_path / "fleet", 1)
    (repo / ".gitignore").write_text("outputs/\n")
    (repo / "outputs").mkdir()
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore outputs")
    cache = tmp_path / "cache"
    summary = tmp_path / "s.json"

    def outcome(*extra):
        proc = scan("--each", repo, "--format", "json", "-o", tmp_path / "r.json", "--summary", summary, *extra, cache=cache)
        assert proc.returncode == 0, proc.stderr
        r = json.loads(summary.read_text())["repositories"][0]
        return r["cache"], r.get("cache_reason", "")

    assert outcome() == ("miss", "not cached")
    assert outcome() == ("hit", "")
    (repo / "outputs" / "run-1").mkdir()
    (repo / "outputs" / "run-1" / "log.txt").write_text("ignored\n")
    assert outcome() == ("hit", "")  # what happens inside an ignored directory is not a change
    (repo / "src" / "pkg").mkdir(parents=True)
    target = repo / "src" / "pkg" / "train.py"
    target.write_text("import mlflow\n")
    # Modified "at" the snapshot whatever the machine's load: a timestamp in the future.
    tick = time.time_ns() + 600 * 10**9
    os.utime(target, ns=(tick, tick))
    assert outcome()[0] == "miss"  # a new untracked file in a new directory
    assert outcome() == ("hit", "")
    # Rewritten in the same timestamp tick with the same size: only the content hash shows it.
    target.write_text("import wandb\n"[: len("import mlflow\n")].ljust(len("import mlflow\n")))
    os.utime(target, ns=(tick, tick))
    assert outcome() == ("miss", "src/pkg/train.py changed")
    os.utime(target, ns=(tick - 3600 * 10**9, tick - 3600 * 10**9))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "train")
    assert outcome() == ("miss", "HEAD moved")
    assert outcome("--no-cache") == ("off", "")
    assert outcome() == ("hit", "")


def test_repos_from_a_file_and_its_errors(tmp_path):
    repos = make_fleet(tmp_path / "fleet", 2)
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# the fleet\nfleet/{repos[0].name}\n\n{repos[1]}\n")
    out = tmp_path / "r.json"
    proc = scan("--repos-from", listing, "--format", "json", "-o", out, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert [r["subject"]["name"] for r in json.loads(out.read_text())] == ["repo-00", "repo-01"]

    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    proc = scan("--repos-from", empty)
    assert (proc.returncode, proc.stderr.strip()) == (2, f"mlops-maturity: error: {empty}: lists no repository")
    proc = scan("--repos-from", tmp_path / "nope.txt")
    assert proc.returncode == 2 and proc.stderr.strip() == f"mlops-maturity: error: {tmp_path / 'nope.txt'}: cannot read (No such file or directory)"
    proc = scan(repos[0], "--summary", tmp_path / "s.json")
    assert proc.returncode == 2 and "go with --each" in proc.stderr
    assert not (tmp_path / "s.json").exists()


def test_summary_html_is_a_self_contained_heatmap(tmp_path):
    repos = make_fleet(tmp_path / "fleet", 3)
    odd = tmp_path / "fleet" / "<b>odd"
    shutil.copytree(repos[0], odd)
    html = tmp_path / "fleet.html"
    summary = tmp_path / "fleet.json"
    proc = scan("--each", *repos, odd, tmp_path / "missing", "-j", "2", "--summary-html", html, "--summary", summary, "--format", "json", "-o", tmp_path / "r.json", cache=tmp_path / "c")
    assert proc.returncode == 2
    page = html.read_text()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    assert "&lt;b&gt;odd" in page and "<b>odd" not in page
    s = json.loads(summary.read_text())
    assert [r["name"] for r in s["repositories"] if r["status"] == "ok"] == ["repo-00", "repo-01", "repo-02", "<b>odd"]
    for name in ["repo-00", "repo-01", "repo-02", "&lt;b&gt;odd"]:
        assert f">{name}</td>" in page
    assert "no such directory" in page
    table = page[page.index('id="heatmap"') :]
    assert table.count("<tr>") == 1 + 4  # header + one row per assessed repository
    assert sum(s["distribution"]["overall"].values()) == 4


ANSWERS = """
respondent: lead@example.com
answered_at: 2026-11-20
answers:
  monitor.service-telemetry: {value}
"""


def test_a_reused_output_follows_every_input_of_the_run(tmp_path, validate_result):
    """An unchanged repository's output is copied from the previous run only when that run had
    the same inputs: answers (content), stage, format, a git-ignored .mlops-maturity.yaml."""
    (repo,) = make_fleet(tmp_path / "fleet", 1)
    (repo / ".gitignore").write_text(".mlops-maturity.yaml\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore the config")
    cache, out, summary = tmp_path / "cache", tmp_path / "r.json", tmp_path / "s.json"

    def run(*extra, fmt="json"):
        proc = scan("--each", repo, "--format", fmt, "-o", out, "--summary", summary, *extra, cache=cache)
        assert proc.returncode == 0, proc.stderr
        row = json.loads(summary.read_text())["repositories"][0]
        text = out.read_text()
        return row["cache"], row.get("reused", False), (validate_result(json.dumps(json.loads(text)[0])) if fmt == "json" else text)

    def criterion(result, cid):
        return next(c for d in result["dimensions"] for c in d["criteria"] if c["id"] == cid)

    assert run()[:2] == ("miss", False)
    cache_state, reused, plain = run()
    assert (cache_state, reused, plain["subject"]["stage"]) == ("hit", True, None)

    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.format(value=1))
    for expect_reused in (False, True):
        cache_state, reused, result = run("--answers", answers)
        assert (cache_state, reused) == ("hit", expect_reused)  # the repository is never read again
        assert criterion(result, "monitor.service-telemetry")["answer"]["value"] == 1
    answers.write_text(ANSWERS.format(value=3))  # same path, same size: only the content differs
    cache_state, reused, result = run("--answers", answers)
    assert (reused, criterion(result, "monitor.service-telemetry")["answer"]["value"]) == (False, 3)

    for stage in ("production", "production", "prototype"):
        assert run("--stage", stage)[2]["subject"]["stage"] == stage
    text = run(fmt="terminal")[2]
    assert not text.lstrip().startswith("[") and "repo-00" in text
    assert run(fmt="terminal")[1:] == (True, text)
    again = run()[2]
    assert again == plain | {"generated_at": again["generated_at"]}

    config = repo / ".mlops-maturity.yaml"  # ignored by git: not in the snapshot, still an input
    config.write_text("stage: production\n")
    assert run()[2]["subject"]["stage"] == "production"
    assert run()[1:2] == (True,)
    config.write_text("stage: prototype \n")  # the same size
    old = time.time_ns() - 3600 * 10**9  # not even racily new: only its content tells
    os.utime(config, ns=(old, old))
    assert run()[2]["subject"]["stage"] == "prototype"


def test_the_plugin_group_named_by_the_cache_is_the_registry_s():
    from mlops_maturity.fleet.cache import PLUGIN_GROUP
    from mlops_maturity.sources.scan.registry import ENTRY_POINT_GROUP

    assert PLUGIN_GROUP == ENTRY_POINT_GROUP
