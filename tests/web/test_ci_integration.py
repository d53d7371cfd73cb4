"""The CI integrations (GitHub Action, GitLab CI template, pre-commit hook): their YAML has the
structure the CI systems need, and the commands they run do what they say, executed here in a
real git repository against a real server on 127.0.0.1.

Only the installation step (pip install from the package index) is not run: the tool under test
is already installed in this environment and on PATH.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from web_helpers import root, running, unique

from mlops_maturity.util import yamlsafe

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load(rel: str):
    return yamlsafe.load((ROOT / rel).read_text())


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "work"
    shutil.copytree(ROOT / "examples" / "fraud-training", r)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=r, env=env, check=True, capture_output=True)
    return r


@pytest.fixture(scope="module")
def server(sqlite_app):
    from mlops_maturity.web.services import accounts

    store = sqlite_app.state.store
    team = accounts.create_team(store, root(), unique("ci-int"), "test")
    token = accounts.create_token(store, root(), team, "ci", "test").token
    with running(sqlite_app) as base:
        yield {"base": base, "token": token}


def projects(server) -> dict:
    req = urllib.request.Request(f"{server['base']}/api/v1/projects", headers={"Authorization": f"Bearer {server['token']}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return {p["name"]: p for p in json.loads(r.read())}


def base_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLOPS_MATURITY_", "GITHUB_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


# -- GitHub Action ---------------------------------------------------------------------------


def test_action_yml_structure():
    action = load("action.yml")
    for key in ("name", "description", "inputs", "outputs", "runs"):
        assert key in action, key
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    inputs = set(action["inputs"])
    for step in steps:
        assert "name" in step and ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"{step['name']}: inputs reach scripts through env only"
        for value in [*step.get("env", {}).values(), *step.get("with", {}).values(), step.get("if", "")]:
            for ref in re.findall(r"inputs\.([A-Za-z0-9_-]+)", str(value)):
                assert ref in inputs, f"{step['name']}: unknown input {ref}"
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert uses["github/codeql-action/upload-sarif"]["if"] == "inputs.sarif == 'true'"
    assert uses["github/codeql-action/upload-sarif"]["with"]["category"] == "mlops-maturity"
    assert any("mlops-maturity upload" in s.get("run", "") for s in steps)
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in steps)


def _evaluate(expr: str, inputs: dict, outputs: dict) -> str:
    kind, _, rest = expr.partition(".")
    if kind == "inputs":
        return inputs[rest]
    if kind == "steps":
        step, _, name = rest.partition(".outputs.")
        return outputs.get(step, {}).get(name, "")
    raise AssertionError(f"unsupported expression {expr}")


def _condition(cond: str, inputs: dict, outputs: dict) -> bool:
    m = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", cond)
    assert m, f"unsupported condition {cond}"
    value = inputs[m.group(1)]
    return (value == m.group(3)) if m.group(2) == "==" else (value != m.group(3))


def run_action(repo: Path, tmp: Path, **given) -> tuple[int, dict, Path]:
    """Run the action's shell steps like the runner does: inputs with their defaults, env
    expressions substituted, outputs read from $GITHUB_OUTPUT; `uses:` steps are not run."""
    action = load("action.yml")
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()} | given
    outputs: dict[str, dict] = {}
    summary = tmp / "summary.md"
    summary.touch()
    rc = 0
    for step in action["runs"]["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        if "if" in step and not _condition(step["if"], inputs, outputs):
            continue
        out_file = tmp / f"out-{step.get('id', 'x')}"
        out_file.write_text("")
        env = base_env(GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(out_file), RUNNER_TEMP=str(tmp))
        env.update({k: EXPR.sub(lambda m: _evaluate(m.group(1), inputs, outputs), str(v)) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
        if proc.returncode != 0:
            rc = proc.returncode
            assert step["name"] == "Maturity gate", (step["name"], proc.stderr)
            break
    return rc, outputs, summary


def test_action_scans_summarises_writes_sarif_and_uploads(repo, tmp_path, server):
    project = unique("action")
    rc, outputs, summary = run_action(repo, tmp_path, server=server["base"], token=server["token"], project=project, sarif="true")
    assert rc == 0
    result = json.loads(Path(outputs["scan"]["result"]).read_text())
    assert outputs["scan"]["level"] == str(result["overall"]["level"])
    assert summary.read_text().startswith("#") and "work" in summary.read_text()
    sarif = json.loads(Path(outputs["scan"]["sarif"]).read_text())
    assert sarif["version"] == "2.1.0"
    assert project in projects(server)


def test_action_gate_fails_after_summary_and_upload(repo, tmp_path, server):
    project = unique("gated")
    rc, outputs, summary = run_action(repo, tmp_path, server=server["base"], token=server["token"], project=project, **{"fail-under": "5"})
    assert rc == 1
    assert outputs["scan"]["gate"] == "1"
    assert summary.read_text().strip()
    assert project in projects(server)  # uploaded before the gate failed the job


# -- GitLab CI -------------------------------------------------------------------------------


def test_gitlab_template_structure_and_commands(repo, server):
    doc = load("ci/gitlab/mlops-maturity.gitlab-ci.yml")
    job = doc["mlops-maturity"]
    for key in ("stage", "image", "script", "artifacts"):
        assert key in job
    assert set(job["artifacts"]["paths"]) == {"mlops-maturity.json", "mlops-maturity.md", "mlops-maturity.html"}
    assert all(isinstance(line, str) for line in job["script"] + job["before_script"])
    project = unique("gitlab")
    variables = {k: str(v) for k, v in doc["variables"].items()}
    variables.update(MLOPS_MATURITY_SERVER=server["base"], MLOPS_MATURITY_PROJECT=project, MLOPS_MATURITY_TOKEN=server["token"], CI="true")
    # The runner runs each script line in one shell session; before_script (pip install) is skipped.
    proc = subprocess.run(["bash", "-e", "-c", "\n".join(job["script"])], cwd=repo, env=base_env(**variables), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for p in job["artifacts"]["paths"]:
        assert (repo / p).stat().st_size > 0, p
    assert "Overall level" in proc.stdout
    assert project in projects(server)
    variables["MLOPS_MATURITY_FAIL_UNDER"] = "deploy=5"
    variables["MLOPS_MATURITY_PROJECT"] = unique("gitlab-gated")
    proc = subprocess.run(["bash", "-e", "-c", "\n".join(job["script"])], cwd=repo, env=base_env(**variables), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "below --fail-under deploy=5" in proc.stdout
    assert variables["MLOPS_MATURITY_PROJECT"] in projects(server)


# -- pre-commit ------------------------------------------------------------------------------


def test_pre_commit_hook_manifest_and_entry(repo):
    hooks = load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    for key in ("id", "name", "entry", "language"):
        assert key in hook
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    # pre-commit runs `entry` followed by the user's args, in the repository root.
    cmd = shlex.split(hook["entry"])
    ok = subprocess.run([*cmd, "--fail-under", "1"], cwd=repo, env=base_env(), capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("#")
    gated = subprocess.run([*cmd, "--fail-under", "5"], cwd=repo, env=base_env(), capture_output=True, text=True, timeout=300)
    assert gated.returncode == 1 and "overall level" in gated.stderr
