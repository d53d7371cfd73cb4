"""The MLflow source against real MLflow tracking servers on loopback.

One module-scoped pair of servers (`mlflow server`, SQLite in a temporary directory, a free port on
127.0.0.1): one populated by the real MLflow client (runs, a dataset input, pyfunc models
registered with an alias, tags and a description), one left empty. Both start in parallel because
start-up is the slow part. The client runs in a subprocess (tests/mlflow/mlflow_populate.py), so
mlflow's import and global state stay out of this process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mlops_maturity.model.evidence import PracticeStatus
from mlops_maturity.sources.mlflow import MlflowSource

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
MLFLOW_PRACTICES = {
    "dev.experiment_tracking",
    "deploy.registry",
    "data.lineage",
    "gov.approval",
    "gov.model_card",
    "deploy.model_gate",
}
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "NO_COLOR": "1"}


def _clean_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    return {**env, **QUIET, **extra}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    started_in: float = 0.0

    def signal(self, sig: int) -> None:
        # The server runs in its own process group (the CLI, uvicorn and its worker).
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass


def _stop(*servers: Server) -> None:
    for s in servers:
        s.signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    for s in servers:
        try:
            s.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        s.signal(signal.SIGKILL)  # whatever of the group is left (the data is thrown away)
        s.proc.wait(timeout=15)


def _start(root: Path) -> Server:
    mlflow = Path(sys.executable).with_name("mlflow")
    assert mlflow.exists(), f"{mlflow}: the mlflow test dependency is not installed (pip install -e '.[test]')"
    root.mkdir(parents=True)
    port = _free_port()
    log = root / "server.log"
    cmd = [
        str(mlflow), "server",
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    with open(log, "wb") as fh:
        # No background job runner (it starts a handful of extra Python processes).
        env = _clean_env(MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(url=f"http://127.0.0.1:{port}", proc=proc, log=log)


def _wait(server: Server, t0: float, limit: float = 120.0) -> None:
    while time.monotonic() - t0 < limit:
        if server.proc.poll() is not None:
            pytest.fail(f"mlflow server exited ({server.proc.returncode}):\n{server.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                server.started_in = time.monotonic() - t0
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"mlflow server not healthy after {limit:g} s:\n{server.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    t0 = time.monotonic()
    full, empty = _start(root / "full"), _start(root / "empty")
    try:
        _wait(full, t0)
        # The client script runs from outside any git repository, so only the commit it sets
        # explicitly is recorded.
        script = shutil.copy(HERE / "mlflow_populate.py", root / "populate.py")
        out = root / "ids.json"
        t1 = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(script), full.url, str(out)],
            cwd=root, env=_clean_env(MLFLOW_TRACKING_URI=full.url), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-4000:]
        ids = json.loads(out.read_text())
        ids["populate_seconds"] = time.monotonic() - t1
        _wait(empty, t0)
        yield {"full": full, "empty": empty, "ids": ids}
    finally:
        _stop(full, empty)


def by_practice(result):
    return {o.practice: o for o in result.observations}


def test_populated_server_shows_each_practice_with_uris(servers, catalog):
    ids = servers["ids"]
    result = MlflowSource(servers["full"].url).collect(catalog)
    assert result.run.status == "ok", result.run.message
    assert "3 experiments, 6 runs, 2 registered models with 2 versions" in result.run.message
    obs = by_practice(result)
    # Only what MLflow can show is reported; the rest stays with the other sources.
    assert set(obs) == MLFLOW_PRACTICES
    assert all(o.status is PracticeStatus.PRESENT for o in obs.values()), {p: o.note for p, o in obs.items()}
    assert all(o.source == "mlflow" for o in obs.values())

    [tracking] = obs["dev.experiment_tracking"].evidence
    assert tracking.path == f"experiments:/{ids['churn_experiment']}"
    assert tracking.line is None
    # The run in 'legacy' is 400 days old: not recent, not counted.
    assert tracking.message.startswith("5 runs with params and metrics in experiment 'churn', newest ")
    assert "max_depth" in tracking.snippet and "val_auc" in tracking.snippet

    [registry] = obs["deploy.registry"].evidence
    assert registry.path == "models:/churn/2"  # 'scratch' has no versions
    assert "2 versions" in registry.message and "champion→1" in registry.message
    assert "signature on version 1" in registry.message and "input example on version 1" in registry.message

    [lineage] = obs["data.lineage"].evidence
    assert lineage.path == f"runs:/{ids['lineage_run']}"
    assert "git commit 0123456" in lineage.message and "dataset 'churn-train' (training)" in lineage.message

    [approval] = obs["gov.approval"].evidence
    assert approval.path == "models:/churn/1"
    assert "approved_by=alice@example.com" in approval.message and "alias 'champion'" in approval.message

    [card] = obs["gov.model_card"].evidence  # 'scratch' says only "todo"
    assert card.path == "models:/churn"
    assert "41-word description" in card.message and card.snippet.startswith("Churn classifier")

    [gate] = obs["deploy.model_gate"].evidence  # version 2 is not promoted and has no eval metric
    assert gate.path == "models:/churn/1"
    assert "val_auc" in gate.message and f"runs:/{ids['lineage_run']}" in gate.message


def test_empty_server_reports_absent_not_unknown(servers, catalog):
    result = MlflowSource(servers["empty"].url).collect(catalog)
    assert result.run.status == "ok", result.run.message
    obs = by_practice(result)
    assert set(obs) == MLFLOW_PRACTICES
    assert {o.status for o in obs.values()} == {PracticeStatus.ABSENT}
    assert all(not o.evidence for o in obs.values())
    assert obs["dev.experiment_tracking"].note == "no runs in 1 experiment"  # MLflow's 'Default'
    assert obs["deploy.registry"].note == "no registered models"


def test_recency_and_card_length_are_settings(servers, catalog):
    later = datetime.now(UTC) + timedelta(days=200, hours=1)
    obs = by_practice(MlflowSource(servers["full"].url, now=later, card_min_words=100).collect(catalog))
    tracking = obs["dev.experiment_tracking"]
    assert tracking.status is PracticeStatus.ABSENT
    assert "6 runs with params and metrics, but the newest started 200 days ago (recent means within 90 days)" == tracking.note
    card = obs["gov.model_card"]
    assert card.status is PracticeStatus.ABSENT
    assert "shorter than 100 words" in card.note
    obs = by_practice(MlflowSource(servers["full"].url, now=later, recent_days=365).collect(catalog))
    assert obs["dev.experiment_tracking"].status is PracticeStatus.PRESENT


def test_small_pages_read_the_same(servers, catalog):
    whole = MlflowSource(servers["full"].url).collect(catalog)
    paged = MlflowSource(servers["full"].url, page_size=1).collect(catalog)
    assert paged.run == whole.run
    assert paged.observations == whole.observations


def test_run_cap_is_partial_and_leaves_unfound_practices_unknown(servers, catalog):
    result = MlflowSource(servers["full"].url, max_runs=1, page_size=1).collect(catalog)
    assert result.run.status == "partial"
    assert result.run.message.startswith("partial: read only the newest 1 run (the server has more)")
    obs = by_practice(result)
    # The newest run ('retrain') tracks params and metrics, but has no dataset input.
    assert obs["dev.experiment_tracking"].status is PracticeStatus.PRESENT
    lineage = obs["data.lineage"]
    assert lineage.status is PracticeStatus.UNKNOWN
    assert "incomplete" in lineage.note
    # The promoted version's source run was not among the runs read: it is read on its own.
    assert obs["deploy.model_gate"].status is PracticeStatus.PRESENT


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mlops_maturity", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, env=_clean_env(**(env or {})), timeout=120,
    )  # fmt: skip


def test_cli_scans_the_server_alone_and_with_a_repository(servers, validate_result):
    url, ids = servers["full"].url, servers["ids"]
    proc = run_cli("scan", "--mlflow-uri", url, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = validate_result(proc.stdout)
    assert data["subject"]["name"] == f"mlflow {url}"
    assert [(s["name"], s["status"]) for s in data["sources"]] == [("mlflow", "ok")]
    practices = {p["id"]: p for p in data["practices"]}
    for pid in MLFLOW_PRACTICES:
        assert practices[pid]["present"] is True and practices[pid]["sources"] == ["mlflow"], pid
    assert practices["data.lineage"]["evidence"][0]["path"] == f"runs:/{ids['lineage_run']}"
    assert practices["deploy.model_gate"]["evidence"][0]["path"] == "models:/churn/1"
    assert practices["dev.pinned_env"]["status"] == "unknown"  # not MLflow's to say

    # The MLFLOW_TRACKING_URI convention, beside a repository scan: the registry the repository
    # does not show is observed on the server.
    proc = run_cli("scan", ROOT / "examples" / "fraud-training", "--format", "json", env={"MLFLOW_TRACKING_URI": url})
    assert proc.returncode == 0, proc.stderr
    data = validate_result(proc.stdout)
    assert [(s["name"], s["status"]) for s in data["sources"]] == [("scan", "ok"), ("mlflow", "ok")]
    practices = {p["id"]: p for p in data["practices"]}
    assert practices["deploy.registry"]["present"] is True
    assert "mlflow" in practices["deploy.registry"]["sources"]
    assert "models:/churn/2" in [e["path"] for e in practices["deploy.registry"]["evidence"]]
    assert "mlflow" in practices["dev.experiment_tracking"]["sources"]
    assert practices["dev.pinned_env"]["sources"] == ["scan"]

