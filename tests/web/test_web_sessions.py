"""Sessions and CSRF, on SQLite and PostgreSQL, beyond test_web_security (cookie flags, 429,
logout and disabling) and test_web_authz (CSRF on a few forms): a new session id on every
sign-in (a planted or previous one never survives it), no user enumeration (same status, same
page, comparable time), long passwords used whole, CSRF on every form post of the route table
(missing or foreign token: 403 and nothing written), and no GET that writes."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from web_helpers import PASSWORD, Client, root, unique

from mlops_maturity.store.models import Base
from mlops_maturity.web.services import accounts

from test_web_tenancy import _routes  # noqa: E402  (same directory: the one route walker)


def _user(app, password: str = PASSWORD, team: int | None = None, role: str | None = None) -> str:
    email = f"{unique('sess')}@example.org"
    accounts.create_user(app.state.store, root(), email=email, name="", password=password, is_admin=False, team_id=team, role=role, ip="t")
    return email


def _snapshot(app, *, ignore: dict[str, set[str]] | None = None) -> dict:
    ignore = ignore or {}
    out = {}
    with app.state.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if c.name not in ignore.get(table.name, set())]
            out[table.name] = sorted(tuple(str(v) for v in row) for row in conn.execute(table.select().with_only_columns(*cols)).all())
    return out


def test_sign_in_always_issues_a_new_session_and_ends_the_old_one(web_app):
    email = _user(web_app)
    c = Client(web_app)
    c.http.cookies.set("mm_session", "planted-by-an-attacker-0123456789", domain="testserver.local")
    r = c.login(email)
    assert r.status_code == 303
    first = r.cookies.get("mm_session")
    assert first and first != "planted-by-an-attacker-0123456789"
    # Signing in again from the same browser: another id, and the previous one is dead.
    r = c.login(email)
    assert r.status_code == 303
    second = r.cookies.get("mm_session")
    assert second and second != first
    stale = Client(web_app)
    stale.http.cookies.set("mm_session", first)
    assert stale.get("/portfolio").status_code == 303
    assert c.get("/portfolio").status_code == 200


def test_no_user_enumeration(web_app):
    known = _user(web_app)
    disabled = _user(web_app)
    uid = next(u.id for u in accounts.admin_view(web_app.state.store, root()).users if u.email == disabled)
    accounts.set_active(web_app.state.store, root(), uid, False, "t")
    bodies = {}
    for label, email in (("unknown", f"{unique('nobody')}@example.org"), ("wrong-password", known), ("disabled", disabled)):
        r = Client(web_app).login(email, "definitely not it")
        assert r.status_code == 401, label
        bodies[label] = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", r.text.replace(email, "EMAIL"))
    assert bodies["unknown"] == bodies["wrong-password"] == bodies["disabled"]
    # The rate limit answers the same for an unknown address as for a known one.
    for email in (f"{unique('nobody')}@example.org", _user(web_app)):
        c = Client(web_app)
        codes = [c.login(email, "still not it").status_code for _ in range(6)]
        assert codes == [401] * 5 + [429], (email, codes)


def test_unknown_and_known_emails_take_comparable_time(web_app, monkeypatch):
    """With the server's real argon2 cost: a wrong password and an unknown e-mail both verify
    one hash (a dummy for the unknown), so the time does not tell whether an account exists."""
    from argon2 import PasswordHasher

    from mlops_maturity.web import security

    monkeypatch.setattr(security, "_hasher", PasswordHasher())
    known = _user(web_app)
    timings: dict[str, list[float]] = {"unknown": [], "known": []}
    for i in range(3):
        for label, email in (("unknown", f"{unique('nobody')}@example.org"), ("known", known)):
            c = Client(web_app)
            c.http.headers["x-forwarded-for"] = str(i)  # (not trusted; the limit is per e-mail too)
            start = time.perf_counter()
            assert c.login(email, f"wrong {i}").status_code == 401
            timings[label].append(time.perf_counter() - start)
    unknown, known_t = statistics.median(timings["unknown"]), statistics.median(timings["known"])
    print(f"sign-in failure: unknown e-mail {unknown * 1000:.0f} ms, wrong password {known_t * 1000:.0f} ms")
    assert 0.5 < unknown / known_t < 2.0, timings


def test_long_passwords_are_used_whole(web_app):
    long_password = "correct horse " * 70  # 980 characters: far past bcrypt's 72 bytes
    email = _user(web_app, password=long_password)
    for wrong in (long_password[:72], long_password[:-1], long_password + "x", long_password[:-1] + "X"):
        assert Client(web_app).login(email, wrong).status_code == 401
    assert Client(web_app).login(email, long_password).status_code == 303
    # Past the limit: refused as such, never cut to fit.
    too_long = "x" * 1025
    with pytest.raises(Exception, match="longer than 1024"):
        _user(web_app, password=too_long)
    assert Client(web_app).login(email, long_password + "y" * 100).status_code in (401, 422)


def test_every_form_post_needs_the_sessions_csrf_token(world):
    """Generated from the route table: each form POST, by an administrator (so that only CSRF
    can stop it), without a token and with another user's token: 403 and nothing written."""
    app = world.app
    admin_email = f"{unique('csrfadmin')}@example.org"
    accounts.create_user(app.state.store, root(), email=admin_email, name="", password=PASSWORD, is_admin=True, team_id=None, role=None, ip="t")
    victim = Client(app)
    assert victim.login(admin_email).status_code == 303
    other = world.client("editor_a")
    posts = [(p, c) for m, p, c in _routes(app) if m == "POST" and c is not None and not p.startswith("/api/") and p not in ("/login",)]
    assert len(posts) >= 12, [p for p, _ in posts]
    ids = {"project_id": world.project_a, "token_id": world.token_ids["a"], "attempt_id": 1, "user_id": 1}
    for path, ctx in posts:
        url = path
        for f in ctx.dependant.path_params:
            url = url.replace("{" + f.name + "}", str(ids[f.name]))
        form = {"team_id": str(world.team_a), "name": unique("csrf"), "email": f"{unique('c')}@example.org", "password": PASSWORD, "role": "viewer", "active": "0", "criterion": "data.rerunnable-pipeline", "value": "2", "count": "3"}
        before = _snapshot(app, ignore={"api_tokens": {"last_used_at"}})
        for headers, extra in (({}, {}), ({}, {"csrf_token": other.csrf}), ({"X-CSRF-Token": other.csrf}, {}), ({"HX-Request": "true"}, {})):
            r = victim.http.post(url, data={**form, **extra}, headers=headers)
            assert r.status_code == 403, f"POST {url} {headers} {extra}: {r.status_code} {r.text[:200]}"
        assert _snapshot(app, ignore={"api_tokens": {"last_used_at"}}) == before, f"POST {url}: a refused post wrote"
    # The victim's own token does work (the test above can fail).
    r = victim.http.post("/admin/teams", data={"name": unique("csrf-ok"), "csrf_token": victim.csrf})
    assert r.status_code == 303


def test_no_get_writes(world):
    """Every GET of the route table, as a server administrator with a session and with an API
    token: the database is the same afterwards (a token's last-use time aside)."""
    app = world.app
    admin_email = f"{unique('getadmin')}@example.org"
    accounts.create_user(app.state.store, root(), email=admin_email, name="", password=PASSWORD, is_admin=True, team_id=None, role=None, ip="t")
    c = Client(app)
    assert c.login(admin_email).status_code == 303
    attempt = c.post_form("/learn/quiz", {"count": "3"}, csrf=False, headers={"X-CSRF-Token": c.csrf}).headers["location"].rsplit("/", 1)[1]
    ids = {"project_id": world.project_a, "assessment_id": world.assessment_a, "attempt_id": attempt, "concept_id": "experiment-tracking"}
    query = {"a": world.assessment_a, "b": world.assessment_a, "team": world.team_a, "team_id": world.team_a, "next": "/portfolio"}
    before = _snapshot(app, ignore={"api_tokens": {"last_used_at"}})
    gets = 0
    for method, path, ctx in _routes(app):
        if method != "GET" or path.startswith("/static"):
            continue
        url = path
        if ctx is not None:
            for f in ctx.dependant.path_params:
                url = url.replace("{" + f.name + "}", str(ids[f.name]))
        for headers in ({}, {"Authorization": f"Bearer {world.tokens['a']}"}):
            r = c.http.get(url, params=query, headers=headers)
            assert r.status_code < 500, f"GET {url}: {r.status_code}"
            gets += 1
    assert gets >= 30
    after = _snapshot(app, ignore={"api_tokens": {"last_used_at"}})
    changed = [t for t in before if before[t] != after[t]]
    assert changed == [], changed
