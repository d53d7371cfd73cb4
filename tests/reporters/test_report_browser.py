"""The HTML report in a real headless Chromium: it renders, logs nothing, fetches nothing, runs nothing.

The page is served by a local HTTP server that is also Chromium's proxy for every URL (loopback
included), so any request the page makes, to any host, over http or https, reaches the recorder.
Chromium's console goes to stderr (`--enable-logging=stderr`); the report has no script, so any
console line at all is a failure (CSP violations and failed loads are console errors too).

Without a websocket client in the test dependencies this does not use the DevTools protocol; see
`test_the_harness_catches_console_errors_and_requests`, which proves both checks can fail.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from reporter_samples import XSS_SCRIPT

from mlops_maturity.reporters import render

# Chromium's own background services (component updater, network time, sign-in), contacted at
# start-up whatever the page is, despite --disable-background-networking. Requests to exactly
# these hosts are ignored; every other host fails the test. The report cannot reach them either:
# its CSP is default-src 'none', and test_report_html checks it names no URL at all.
BROWSER_SERVICE_HOSTS = {"update.googleapis.com", "accounts.google.com", "clients2.google.com"}
CONSOLE = re.compile(r":(?:INFO|WARNING|ERROR|FATAL|VERBOSE\d*):CONSOLE[^\]]*\]\s*(.*)")


def chromium_path() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run must run scripts/system-deps.sh first")
        pytest.skip("Chromium is not installed (scripts/system-deps.sh installs it; in CI this test fails instead)")
    return path


class Recorder:
    """Serves a few pages and records every request, as origin server and as proxy."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.requests: list[tuple[str, str]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                recorder.requests.append(("GET", self.path))
                target = re.sub(r"^http://127\.0\.0\.1:\d+", "", self.path)
                body = recorder.pages.get(target) if self.path.startswith(("/", recorder.origin)) else None
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_CONNECT(self) -> None:  # noqa: N802
                recorder.requests.append(("CONNECT", self.path))
                self.send_response(403)
                self.end_headers()

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page_requests(self) -> list[tuple[str, str]]:
        def host(method: str, target: str) -> str:
            if method == "CONNECT":
                return target.rsplit(":", 1)[0]
            m = re.match(r"^[a-z]+://([^/:?#]+)", target)
            return m.group(1) if m else ""

        return [r for r in self.requests if host(*r) not in BROWSER_SERVICE_HOSTS]

    @contextmanager
    def running(self):
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def chromium(recorder: Recorder, url: str, tmp: Path, *action: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [
        chromium_path(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--proxy-server={recorder.origin}",
        "--proxy-bypass-list=<-loopback>",
        "--enable-logging=stderr",
        "--v=0",
        *action,
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def console_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [m.group(1) for line in proc.stderr.splitlines() if (m := CONSOLE.search(line))]


def test_the_harness_catches_console_errors_and_requests(tmp_path):
    """The checks below can fail: a page that logs, throws and fetches is caught on every count."""
    bad = b"""<!doctype html><title>bad</title><img src="http://cdn.example.invalid/x.png">
<link rel="stylesheet" href="https://fonts.example.invalid/css">
<script>console.error("boom"); throw new Error("uncaught")</script>"""
    rec = Recorder({"/bad.html": bad})
    with rec.running():
        proc = chromium(rec, rec.origin + "/bad.html", tmp_path, "--dump-dom")
    logged = " ".join(console_lines(proc))
    assert "boom" in logged and "uncaught" in logged
    requests = rec.page_requests()
    assert ("GET", "http://cdn.example.invalid/x.png") in requests
    assert ("CONNECT", "fonts.example.invalid:443") in requests


def test_html_report_renders_in_chromium_without_errors_or_requests(sample, sample_previous, tmp_path):
    page = render(sample, "html", previous=sample_previous).encode()
    rec = Recorder({"/report.html": page})
    shot = tmp_path / "report.png"
    with rec.running():
        url = rec.origin + "/report.html"
        dom = chromium(rec, url, tmp_path, "--dump-dom")
        picture = chromium(rec, url, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    assert rec.page_requests() == [("GET", f"{rec.origin}/report.html")] * 2, rec.requests
    assert console_lines(dom) == [] and console_lines(picture) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    if os.environ.get("MLOPS_MATURITY_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["MLOPS_MATURITY_SCREENSHOT"])

    out = dom.stdout
    assert "<title>MLOps maturity · acme/recsys-platform · level 2</title>" in out
    assert out.count('class="radar"') == 1 and 'class="shape-current"' in out and 'class="shape-previous"' in out
    assert out.count('class="rung ') == sum(len({c.level for c in d.criteria}) for d in sample.dimensions)
    assert out.count('<details class="crit') == sum(len(d.criteria) for d in sample.dimensions)
    assert 'id="roadmap"' in out and 'id="pitfalls"' in out


@pytest.mark.parametrize("keep_csp", [False, True], ids=["escaping-alone", "with-csp"])
def test_hostile_strings_do_not_run_in_chromium(hostile, tmp_path, keep_csp):
    page = render(hostile, "html")
    if not keep_csp:  # prove the escaping on its own, without the CSP's second line of defence
        page, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
        assert n == 1
    rec = Recorder({"/x.html": page.encode()})
    with rec.running():
        proc = chromium(rec, rec.origin + "/x.html", tmp_path, "--dump-dom")
    out = proc.stdout
    title = re.search(r"<title>(.*?)</title>", out, re.S).group(1)
    assert title.startswith("MLOps maturity · recsys ") and "pwned" != title
    assert "&lt;script&gt;" in title  # the payload is in the title as text
    assert "<script" not in out and not re.search(r"<img\b", out)
    assert XSS_SCRIPT not in out
    assert console_lines(proc) == []
    assert rec.page_requests() == [("GET", f"{rec.origin}/x.html")]
