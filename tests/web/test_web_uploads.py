"""Hostile uploads against a real server (uvicorn on 127.0.0.1, SQLite and PostgreSQL): bodies
over the limit, declared or streamed, and gzip bombs get 413 without the server holding them
whole; deep nesting gets 422; a retried upload with the same Idempotency-Key stores one
assessment, and the key cannot be reused for another body."""

from __future__ import annotations

import gzip
import http.client
import json
import tracemalloc
import zlib
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from web_helpers import make_result, running

LIMIT = 10 * 1024 * 1024


@pytest.fixture
def server(world):
    with running(world.app) as base:
        yield world, base


def _post(base: str, token: str, body, headers: dict | None = None, **params) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/assessments", params=params, content=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}, timeout=60)


def _count(world) -> int:
    with world.app.state.store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM assessments")).scalar_one()


def test_oversize_bodies_are_413_declared_or_streamed(server):
    world, base = server
    token = world.tokens["a"]
    before = _count(world)
    # Declared too large: refused before a byte of the body is read. The client sends the
    # headers only, then reads the answer.
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", "/api/v1/assessments")
    for k, v in {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Content-Length": str(5 * 1024**3)}.items():
        conn.putheader(k, v)
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.status == 413 and "larger than" in json.loads(answer.read())["detail"]
    conn.close()

    # Streamed without a length (chunked), 64 MiB of it: refused once the limit is passed. The
    # server runs in this process, so tracemalloc sees what it holds: never the whole stream.
    def chunks():
        for _ in range(64):
            yield b" " * (1 << 20)

    tracemalloc.start()
    try:
        r = httpx.post(f"{base}/api/v1/assessments", content=chunks(), headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, timeout=60)
        assert r.status_code == 413, r.text
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"64 MiB chunked upload: 413, peak traced memory {peak / 2**20:.1f} MiB")
    assert peak < 3 * LIMIT, f"{peak / 2**20:.0f} MiB held"
    assert _count(world) == before


@pytest.mark.parametrize("size_mb", [64, 1024])
def test_gzip_bombs_are_413(server, size_mb):
    world, base = server
    bomb = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    body = b"".join(bomb.compress(block) for _ in range(size_mb)) + bomb.flush()
    assert len(body) < 2 * 1024 * 1024  # ~1 MB that inflates to 64 MiB / 1 GiB
    tracemalloc.start()
    try:
        r = _post(base, world.tokens["a"], body, {"Content-Encoding": "gzip"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"gzip bomb of {size_mb} MiB: {r.status_code}, peak traced memory {peak / 2**20:.1f} MiB")
    assert r.status_code == 413, r.text
    assert peak < 3 * LIMIT, f"{peak / 2**20:.0f} MiB held"
    assert "larger than" in r.json()["detail"]


def test_gzip_uploads_work_and_bad_encodings_are_refused(server):
    world, base = server
    fw, catalog = world.app.state.framework, world.app.state.catalog
    body = make_result(fw, catalog, {"dev.experiment-tracking": 2}, name="gzipped").model_dump_json().encode()
    r = _post(base, world.tokens["a"], gzip.compress(body), {"Content-Encoding": "gzip"}, project="gzipped")
    assert r.status_code == 201, r.text
    assert _post(base, world.tokens["a"], gzip.compress(body)[:-20], {"Content-Encoding": "gzip"}).status_code == 422
    assert _post(base, world.tokens["a"], b"not gzip at all", {"Content-Encoding": "gzip"}).status_code == 422
    r = _post(base, world.tokens["a"], body, {"Content-Encoding": "br"})
    assert r.status_code == 415 and "Content-Encoding" in r.json()["detail"]


@pytest.mark.parametrize("shape", ["arrays", "objects", "in-result"])
def test_deep_nesting_is_422(server, shape):
    world, base = server
    fw, catalog = world.app.state.framework, world.app.state.catalog
    depth = 500_000
    if shape == "arrays":
        body = b"[" * depth + b"]" * depth
    elif shape == "objects":
        body = b'{"a":' * depth + b"1" + b"}" * depth
    else:
        valid = make_result(fw, catalog).model_dump_json()
        body = valid[:-1].encode() + b', "extra": ' + b"[" * depth + b"]" * depth + b"}"
    r = _post(base, world.tokens["a"], body)
    assert r.status_code == 422, r.text[:300]
    assert "\n" not in r.json()["detail"]


def test_a_retried_upload_with_the_same_idempotency_key_stores_one_assessment(server):
    world, base = server
    fw, catalog = world.app.state.framework, world.app.state.catalog
    token = world.tokens["a"]
    first_body = make_result(fw, catalog, {"gov.traceability": 2}, name="idem").model_dump_json()
    key = {"Idempotency-Key": "ci-run-4711-attempt"}
    before = _count(world)
    r1 = _post(base, token, first_body, key, project="idem")
    assert r1.status_code == 201, r1.text
    # The retry: the same key and body (as the CLI sends after a lost answer).
    r2 = _post(base, token, first_body, key, project="idem")
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"] and r2.json()["created"] is False
    # A result regenerated for the retry (a new generated_at) is still the same upload.
    regenerated = make_result(fw, catalog, {"gov.traceability": 2}, name="idem", days_ago=0.001).model_dump_json()
    assert regenerated != first_body
    r3 = _post(base, token, regenerated, key, project="idem")
    assert r3.status_code == 409 and "Idempotency-Key" in r3.json()["detail"]
    assert _count(world) == before + 1
    # Keys are per team: team B may use the same key for its own upload.
    rb = _post(base, world.tokens["b"], regenerated, key, project="idem-b")
    assert rb.status_code == 201
    assert _post(base, token, first_body, {"Idempotency-Key": "bad key\twith tab"}).status_code == 422


def test_form_bodies_over_the_limit_are_413_before_the_app_reads_them(server):
    """Forms (sign-in, questionnaire, administration) get a small body limit, declared or
    streamed; the result-file upload page gets the upload limit. Nothing is written."""
    from mlops_maturity.web.app import FORM_LIMIT

    world, base = server
    big = b"email=a%40b.c&password=" + b"x" * (FORM_LIMIT + 1)
    r = httpx.post(f"{base}/login", content=big, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code == 413 and "larger than" in r.text

    def chunks():
        for _ in range(8):
            yield b"x" * (FORM_LIMIT // 4)

    r = httpx.post(f"{base}/login", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code == 413
    # A small streamed form still reaches the app (here: the sign-in form, without a CSRF token).
    r = httpx.post(f"{base}/login", content=iter([b"email=a%40b.c&", b"password=x"]), headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code in (400, 403, 422) and "larger than" not in r.text
    # The upload page takes a body the size of a result file, and refuses a larger one.
    r = httpx.post(f"{base}/uploads", content=b"x" * (FORM_LIMIT * 2), headers={"Content-Type": "multipart/form-data; boundary=zz"}, timeout=30)
    assert r.status_code != 413
    r = httpx.post(f"{base}/uploads", content=b"x" * (LIMIT + 128 * 1024), headers={"Content-Type": "multipart/form-data; boundary=zz"}, timeout=60)
    assert r.status_code == 413
