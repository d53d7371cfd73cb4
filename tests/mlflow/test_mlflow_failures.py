"""The MLflow source when the server cannot be read, or only partly: one clear line, never a crash,
and the other sources' results still reported. Tiny HTTP servers on 127.0.0.1 stand in for broken
or protected MLflow servers (fast; the real server is in test_mlflow_source.py)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mlops_maturity.model.evidence import PracticeStatus
from mlops_maturity.sources.mlflow import MlflowSource

ROOT = Path(__file__).resolve().parents[2]
NOW_MS = int(time.time() * 1000)


class Fake:
    """A loopback HTTP server answering from `routes`: path -> (status, body) or a callable
    taking the handler. Unknown paths get `default`. Requests are recorded."""

    def __init__(self, routes=None, default=(404, "<html>not found</html>")):
        self.routes = routes or {}
        self.default = default
        self.requests: list[tuple[str, str, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                path = self.path.split("?")[0]
                fake.requests.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                route = fake.routes.get(path, fake.default)
                if callable(route):
                    route = route(self)
                    if route is None:
                        return
                status, body = route
                data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


API = "/api/2.0/mlflow"
RUN = {
    "info": {"run_id": "r1", "experiment_id": "1", "run_name": "fit", "start_time": NOW_MS - 3_600_000},
    "data": {"params": [{"key": "lr", "value": "0.1"}], "metrics": [{"key": "loss", "value": 0.2, "timestamp": NOW_MS}]},
}


def mlflow_routes(**override):
    routes = {
        f"{API}/experiments/search": (200, {"experiments": [{"experiment_id": "1", "name": "exp"}]}),
        f"{API}/runs/search": (200, {"runs": [RUN]}),
        f"{API}/registered-models/search": (200, {}),
        f"{API}/model-versions/search": (200, {}),
        "/version": (200, "3.1.0"),
    }
    routes.update({(k if k.startswith("/version") else f"{API}/{k}"): v for k, v in override.items()})
    return routes


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: nothing listens there


def collect(url, catalog, **kw):
    return MlflowSource(url, env=kw.pop("env", {}), **kw).collect(catalog)


def assert_failed(result, *needles):
    assert result.run.status == "failed", result.run
    assert result.observations == ()
    assert "\n" not in result.run.message
    for n in needles:
        assert n in result.run.message, result.run.message


def run_cli(*args, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    return subprocess.run(
        [sys.executable, "-m", "mlops_maturity", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, env={**base, "NO_COLOR": "1", **(env or {})}, timeout=120,
    )  # fmt: skip


# ----------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def scan_alone():
    proc = run_cli("scan", "examples/fraud-training", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("kind", ["unreachable", "server error"])
def test_cli_reports_the_other_sources_and_one_line(kind, scan_alone, validate_result):
    if kind == "unreachable":
        url, fake = f"http://127.0.0.1:{closed_port()}", None
        expected = f"cannot connect to {url} (connection refused)"
    else:
        fake = Fake(default=(500, "Internal Server Error")).__enter__()
        url = fake.url
        expected = f"{url}: server error (HTTP 500 on experiments/search)"
    try:
        proc = run_cli("scan", "examples/fraud-training", "--mlflow-uri", url, "--format", "json")
    finally:
        if fake:
            fake.__exit__(None, None, None)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [f"mlops-maturity: warning: source mlflow failed: {expected}"]
    data = validate_result(proc.stdout)
    sources = {s["name"]: s for s in data["sources"]}
    assert sources["scan"]["status"] == "ok"
    assert sources["mlflow"] == {"name": "mlflow", "status": "failed", "message": expected, "skipped": []}
    # The repository scan's verdicts stand, as without the server; the failed source adds nothing.
    assert data["practices"] == scan_alone["practices"]
    assert any(p["present"] for p in data["practices"])


def test_cli_mlflow_alone_unreachable_still_writes_a_result(validate_result):
    url = f"http://127.0.0.1:{closed_port()}"
    proc = run_cli("scan", "--mlflow-uri", url, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "cannot connect" in proc.stderr
    data = validate_result(proc.stdout)
    assert data["sources"][0]["status"] == "failed"
    assert {p["status"] for p in data["practices"]} == {"unknown"}


def test_cli_without_anything_to_assess_names_the_option():
    proc = run_cli("scan")
    assert proc.returncode == 2
    assert "--mlflow-uri" in proc.stderr


# ----------------------------------------------------------------------------- failures
@pytest.mark.parametrize(
    "route, needles",
    [
        ((401, {"error_code": "UNAUTHENTICATED"}), ["authentication required (HTTP 401 on experiments/search)", "MLFLOW_TRACKING_TOKEN"]),
        ((403, {"error_code": "PERMISSION_DENIED", "message": "no"}), ["permission denied (HTTP 403 on experiments/search)"]),
        ((404, "<html>nope</html>"), ["no MLflow REST API here (HTTP 404 on /api/2.0/mlflow/experiments/search)", "not an MLflow tracking server"]),
        ((200, "<html>a web page</html>"), ["not an MLflow tracking server (the answer to experiments/search is not JSON)"]),
        ((200, "[1, 2]"), ["not an MLflow tracking server (unexpected answer to experiments/search)"]),
        ((502, "bad gateway"), ["server error (HTTP 502 on experiments/search)"]),
        ((400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "max_results too big"}), ["HTTP 400 on experiments/search: INVALID_PARAMETER_VALUE max_results too big"]),
    ],
)
def test_first_answer_decides_failure(route, needles, catalog):
    with Fake(default=route) as fake:
        result = collect(fake.url, catalog)
    assert_failed(result, fake.url, *needles)


def test_rejected_credentials_say_so(catalog):
    with Fake(default=(401, {})) as fake:
        result = collect(fake.url, catalog, env={"MLFLOW_TRACKING_TOKEN": "t0k"})
    assert_failed(result, "the credentials were rejected")


def test_slow_server_times_out(catalog):
    def slow(handler):
        time.sleep(2)
        return 200, {}

    with Fake(default=slow) as fake:
        t0 = time.monotonic()
        result = collect(fake.url, catalog, timeout=0.3)
    assert time.monotonic() - t0 < 1.5
    assert_failed(result, f"{fake.url}: no answer within 0.3 s (POST /api/2.0/mlflow/experiments/search)")


@pytest.mark.parametrize(
    "uri, needle",
    [
        ("file:./mlruns", "is not an http(s) tracking server URI"),
        ("databricks", "is not an http(s) tracking server URI"),
        ("http://", "is not an http(s) tracking server URI"),
        ("http://127.0.0.1:99999", "is not a valid URI"),
        ("", "no tracking URI given"),
    ],
)
def test_unusable_uri(uri, needle, catalog):
    assert_failed(collect(uri, catalog), needle)


def test_credentials_in_the_uri_are_refused_and_not_echoed(catalog):
    result = collect("http://bob:s3cret@127.0.0.1:5000", catalog)
    assert_failed(result, "credentials in the URI are not accepted", "MLFLOW_TRACKING_PASSWORD")
    assert "s3cret" not in result.run.message and "bob" not in result.run.message


# ----------------------------------------------------------------------------- auth from the environment
@pytest.mark.parametrize(
    "env, header",
    [
        ({"MLFLOW_TRACKING_TOKEN": "t0k"}, "Bearer t0k"),
        ({"MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pw"}, "Basic " + base64.b64encode(b"ann:pw").decode()),
        # Basic auth wins over a token, as in the MLflow client.
        ({"MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pw", "MLFLOW_TRACKING_TOKEN": "t0k"}, "Basic " + base64.b64encode(b"ann:pw").decode()),
        ({}, None),
    ],
)
def test_credentials_come_from_the_environment(env, header, catalog):
    with Fake(mlflow_routes()) as fake:
        result = collect(fake.url, catalog, env=env)
    assert result.run.status == "ok", result.run.message
    api = [h for _, path, h in fake.requests if path.startswith(API)]
    assert api and all(h.get("Authorization") == header for h in api)


def test_half_basic_auth_is_a_clear_failure(catalog):
    result = collect("http://127.0.0.1:5000", catalog, env={"MLFLOW_TRACKING_USERNAME": "ann"})
    assert_failed(result, "MLFLOW_TRACKING_PASSWORD is not set")


# ----------------------------------------------------------------------------- partial data
def test_a_failing_endpoint_is_partial_and_its_practices_unknown(catalog):
    routes = mlflow_routes(**{"registered-models/search": (500, {"error_code": "INTERNAL_ERROR", "message": "db down"})})
    with Fake(routes) as fake:
        result = collect(fake.url, catalog)
    assert result.run.status == "partial"
    assert result.run.message.startswith(f"partial: registered models: {fake.url}: server error (HTTP 500 on registered-models/search): INTERNAL_ERROR db down; read 1 experiment, 1 run")
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.experiment_tracking"].status is PracticeStatus.PRESENT
    assert obs["data.lineage"].status is PracticeStatus.ABSENT  # the runs were all read
    for pid in ("deploy.registry", "gov.approval", "gov.model_card", "deploy.model_gate"):
        assert obs[pid].status is PracticeStatus.UNKNOWN, pid
        assert "incomplete" in obs[pid].note


def test_a_later_page_failing_keeps_what_was_read(catalog):
    pages = {"n": 0}

    def runs(handler):
        pages["n"] += 1
        if pages["n"] == 1:
            return 200, {"runs": [RUN], "next_page_token": "p2"}
        return 503, "unavailable"

    with Fake(mlflow_routes(**{"runs/search": runs})) as fake:
        result = collect(fake.url, catalog)
    assert result.run.status == "partial"
    assert "runs: " in result.run.message and "HTTP 503" in result.run.message
    assert pages["n"] == 4  # one page, then a 503 tried three times (with a pause between)
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.experiment_tracking"].status is PracticeStatus.PRESENT
    assert obs["data.lineage"].status is PracticeStatus.UNKNOWN


def test_a_repeated_page_token_stops_the_loop(catalog):
    routes = mlflow_routes(**{"runs/search": (200, {"runs": [RUN], "next_page_token": "same"})})
    with Fake(routes) as fake:
        result = collect(fake.url, catalog)
    assert result.run.status == "partial"
    assert "repeated a page token" in result.run.message
    assert sum(1 for _, p, _ in fake.requests if p.startswith(f"{API}/runs/search")) == 2


def test_a_garbled_answer_is_read_defensively(catalog):
    garbled = {
        "runs": [
            "not a run",
            {"info": "nope"},
            {"info": {"run_id": "r2", "start_time": "soon"}, "data": {"params": "x", "metrics": [{"key": 5}]}},
            RUN,
        ]
    }
    models = {"registered_models": [{"name": "m", "aliases": "x", "latest_versions": [{"name": "m", "version": 1, "tags": None}]}, 7]}
    with Fake(mlflow_routes(**{"runs/search": (200, garbled), "registered-models/search": (200, models)})) as fake:
        result = collect(fake.url, catalog)
    assert result.run.status == "ok", result.run.message
    obs = {o.practice: o for o in result.observations}
    assert obs["dev.experiment_tracking"].status is PracticeStatus.PRESENT
    assert obs["deploy.registry"].status is PracticeStatus.PRESENT
    assert obs["deploy.registry"].evidence[0].path == "models:/m/1"


def test_a_path_prefix_is_kept(catalog):
    routes = {f"/mlflow{k}": v for k, v in mlflow_routes().items()}
    with Fake(routes) as fake:
        result = collect(fake.url + "/mlflow/", catalog)
    assert result.run.status == "ok", result.run.message
    assert result.run.message.endswith(f"from {fake.url}/mlflow (MLflow 3.1.0)")


def test_the_overall_deadline_stops_reading(catalog):
    def slow_runs(handler):
        time.sleep(0.2)
        return 200, {"runs": [RUN], "next_page_token": f"t{time.monotonic()}"}

    with Fake(mlflow_routes(**{"runs/search": slow_runs})) as fake:
        t0 = time.monotonic()
        result = collect(fake.url, catalog, deadline=0.5)
    assert time.monotonic() - t0 < 2
    assert result.run.status == "partial"
    assert "runs: stopped after 0.5 s" in result.run.message
