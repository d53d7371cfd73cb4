"""`mlops-maturity upload`: send a result to the server from CI, with bounded retries."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from . import fail, main

TOKEN_ENV = "MLOPS_MATURITY_TOKEN"
MAX_BYTES = 10 * 1024 * 1024


def _detail(body: bytes) -> str:
    try:
        detail = json.loads(body).get("detail", "")
    except (ValueError, AttributeError):
        detail = ""
    if isinstance(detail, list):  # FastAPI's own validation errors
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail[:3])
    return " ".join(str(detail).split())[:400]


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("result_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--server", required=True, metavar="URL", envvar="MLOPS_MATURITY_SERVER", help="The server's address, e.g. https://maturity.example.org ($MLOPS_MATURITY_SERVER).")
@click.option("--token", metavar="TOKEN", help=f"The team's API token. Prefer ${TOKEN_ENV}: a command-line argument is visible to other processes.")
@click.option("--project", help="File the result under this project (default: the result's subject name).")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries on connection errors and server errors (5xx).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True, help="Seconds to wait for each attempt.")
def upload(result_file, server, token, project, retries, timeout):
    """Upload a result (scan --format json) to the server, for the token's team.

    \b
    Examples:
      MLOPS_MATURITY_TOKEN=mm_… mlops-maturity upload result.json --server https://maturity.example.org
    """
    import urllib.error
    import urllib.request

    from .. import __version__

    if token is None:
        token = os.environ.get(TOKEN_ENV)
    else:
        click.echo(f"mlops-maturity: note: --token is visible in the process list; prefer ${TOKEN_ENV}", err=True)
    if not token:
        fail(f"no API token: set {TOKEN_ENV} (or pass --token)")
    token = token.strip()
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"--server: {server!r} is not an http(s) URL")
    try:
        if result_file.stat().st_size > MAX_BYTES:
            fail(f"{result_file}: larger than {MAX_BYTES} bytes")
        body = result_file.read_bytes()
    except FileNotFoundError:
        fail(f"{result_file}: no such file")
    except OSError as exc:
        fail(f"{result_file}: cannot read ({exc.strerror})")
    try:
        json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        fail(f"{result_file}: not JSON ({getattr(exc, 'msg', exc)}); upload the output of `scan --format json`")

    url = server.rstrip("/") + "/api/v1/assessments" + (f"?project={quote(project, safe='')}" if project else "")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": f"mlops-maturity/{__version__}",
        # Every retry of this upload carries the same key: the server stores it once.
        "Idempotency-Key": f"mm-upload-{uuid.uuid4()}",
    }
    where = f"{parts.scheme}://{parts.netloc}"
    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
                data = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = _detail(exc.read())
            if exc.code >= 500:
                problem = f"the server failed ({exc.code}{': ' + detail if detail else ''})"
                continue
            if exc.code == 401:
                fail(f"{where}: the token was refused (401): it is wrong, revoked, or for another server{'' if not detail else f' ({detail})'}")
            if exc.code == 403:
                fail(f"{where}: forbidden (403): {detail or 'the token may not upload here'}")
            if exc.code == 422:
                fail(f"{result_file}: the server rejected the result (422): {detail or 'schema mismatch'}")
            if exc.code == 413:
                fail(f"{result_file}: too large for the server (413)")
            if exc.code == 404:
                fail(f"{where}: no upload API at {url.split('?')[0]} (404): is --server the mlops-maturity server?")
            fail(f"{where}: upload refused ({exc.code}{': ' + detail if detail else ''})")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            problem = f"cannot reach the server ({reason})"
            continue
        except ValueError:
            problem = "the server's answer is not JSON"
            continue
        what = "stored" if data.get("created") else "already stored"
        click.echo(f"{result_file}: {what} as assessment #{data.get('id')} of {data.get('team')}/{data.get('project')} on {where}")
        return
    fail(f"{where}: {problem} after {retries + 1} attempt{'s' if retries else ''}")
