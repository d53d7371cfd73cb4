"""The serve and upload commands: first administrator from the environment or one clear line,
the server started for real (two workers), and uploads from CI with a one-line error per failure
(401, 403, 422, server down) and bounded retries on 5xx; the token is never echoed."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from web_helpers import free_port, make_result, root, running, unique

ENV = {k: v for k, v in os.environ.items() if not k.startswith("MLOPS_MATURITY_")}


def cli(*args: str, env: dict | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "mlops_maturity", *args],
        capture_output=True,
        text=True,
        env={**ENV, "NO_COLOR": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def test_serve_needs_an_admin_on_an_empty_database(tmp_path):
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    r = cli("serve", "--db", db)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "mlops-maturity: error: the database has no users yet: start with --admin-email EMAIL to create the first administrator"
    ]
    r = cli("serve", "--db", db, "--admin-email", "root@example.org")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "MLOPS_MATURITY_ADMIN_PASSWORD" in r.stderr and "no terminal" in r.stderr
    r = cli("serve", "--db", db, "--admin-email", "root@example.org", env={"MLOPS_MATURITY_ADMIN_PASSWORD": "short"})
    assert r.returncode == 2 and "at least 10 characters" in r.stderr


def test_serve_creates_the_admin_and_serves_with_two_workers(tmp_path):
    password = "serve test password"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlops_maturity", "serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--port", str(port), "--workers", "2", "--admin-email", "Root@Example.org"],
        env={**ENV, "MLOPS_MATURITY_ADMIN_PASSWORD": password},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    assert r.status == 200 and "Sign in" in r.read().decode()
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as r:
            assert "/api/v1/assessments" in json.loads(r.read())["paths"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "created the administrator root@example.org" in out
    assert password not in out


@pytest.fixture(scope="module")
def upload_server(sqlite_app, tmp_path_factory):
    from mlops_maturity.web.services import accounts

    store = sqlite_app.state.store
    team = accounts.create_team(store, root(), unique("ci"), "test")
    token = accounts.create_token(store, root(), team, "ci", "test").token
    revoked = accounts.create_token(store, root(), team, "old", "test")
    accounts.revoke_token(store, root(), revoked.id, "test")
    fw, catalog = sqlite_app.state.framework, sqlite_app.state.catalog
    files = tmp_path_factory.mktemp("results")
    good = files / "result.json"
    good.write_text(make_result(fw, catalog, {"dev.experiment-tracking": 2}, name="from-ci").model_dump_json())
    bad = files / "bad.json"
    bad.write_text(json.dumps({"schema_version": "1", "tool": {"version": "x"}}))
    with running(sqlite_app) as base:
        yield {"base": base, "token": token, "revoked": revoked.token, "good": good, "bad": bad}


def test_upload_succeeds_with_the_token_from_the_environment(upload_server):
    s = upload_server
    r = cli("upload", str(s["good"]), "--server", s["base"], env={"MLOPS_MATURITY_TOKEN": s["token"]})
    assert r.returncode == 0, r.stderr
    assert "stored as assessment #" in r.stdout and "/from-ci on http://127.0.0.1" in r.stdout
    again = cli("upload", str(s["good"]), "--server", s["base"], "--project", "renamed", env={"MLOPS_MATURITY_TOKEN": s["token"]})
    assert again.returncode == 0 and "/renamed on" in again.stdout
    assert s["token"] not in r.stdout + r.stderr + again.stdout + again.stderr


def test_upload_failures_are_one_line_each(upload_server, tmp_path):
    s = upload_server

    def one_line(r) -> str:
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1, r.stderr
        assert s["token"] not in r.stderr and s["revoked"] not in r.stderr
        return lines[0]

    assert "(401)" in one_line(cli("upload", str(s["good"]), "--server", s["base"], env={"MLOPS_MATURITY_TOKEN": s["revoked"]}))
    line = one_line(cli("upload", str(s["bad"]), "--server", s["base"], env={"MLOPS_MATURITY_TOKEN": s["token"]}))
    assert "rejected the result (422)" in line and "schema" in line
    assert "no API token" in one_line(cli("upload", str(s["good"]), "--server", s["base"]))
    assert "no such file" in one_line(cli("upload", str(tmp_path / "none.json"), "--server", s["base"], env={"MLOPS_MATURITY_TOKEN": s["token"]}))
    down = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    line = one_line(cli("upload", str(s["good"]), "--server", down, "--retries", "2", env={"MLOPS_MATURITY_TOKEN": s["token"]}))
    assert "cannot reach the server" in line and "after 3 attempts" in line
    assert time.monotonic() - started < 30
    # --token works but warns that the process list shows it; the warning does not echo it.
    r = cli("upload", str(s["good"]), "--server", s["base"], "--token", s["token"])
    assert r.returncode == 0 and "prefer $MLOPS_MATURITY_TOKEN" in r.stderr and s["token"] not in r.stderr + r.stdout


class Flaky:
    """A stand-in server: answers `codes` in turn (then the last one), recording each request."""

    def __init__(self, codes: list[int], body: dict) -> None:
        self.codes, self.body, self.seen = list(codes), body, []
        flaky = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                flaky.seen.append(self.headers.get("Authorization", ""))
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                code = flaky.codes.pop(0) if len(flaky.codes) > 1 else flaky.codes[0]
                payload = json.dumps(flaky.body if code < 400 else {"detail": "nope"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_upload_retries_server_errors_then_gives_up(upload_server):
    s = upload_server
    ok = {"id": 7, "team": "t", "project": "p", "created": True}
    flaky = Flaky([503, 502, 201], ok)
    try:
        r = cli("upload", str(s["good"]), "--server", flaky.url, "--retries", "3", env={"MLOPS_MATURITY_TOKEN": "mm_secret-token"})
        assert r.returncode == 0 and "stored as assessment #7 of t/p" in r.stdout
        assert flaky.seen == ["Bearer mm_secret-token"] * 3
    finally:
        flaky.close()
    always = Flaky([500], ok)
    try:
        r = cli("upload", str(s["good"]), "--server", always.url, "--retries", "1", env={"MLOPS_MATURITY_TOKEN": "mm_secret-token"})
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "the server failed (500: nope) after 2 attempts" in lines[0]
        assert len(always.seen) == 2 and "mm_secret-token" not in r.stderr
    finally:
        always.close()
    forbidden = Flaky([403], ok)
    try:
        r = cli("upload", str(s["good"]), "--server", forbidden.url, env={"MLOPS_MATURITY_TOKEN": "mm_secret-token"})
        assert r.returncode == 2 and "forbidden (403): nope" in r.stderr and len(forbidden.seen) == 1
    finally:
        forbidden.close()
