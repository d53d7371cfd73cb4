"""Tenant isolation, on SQLite and PostgreSQL: an authorization matrix generated from the app's
route table. Every route (a new route or parameter fails the test until it is classified here),
every caller of team A (viewer, editor, admin, A's API token) and an anonymous one, aimed at team
B's objects: refused (401/403/404, or the sign-in redirect), never showing B's names, and nothing
of B changed afterwards. Then: tokens with the wrong scope (403), revoked or expired (401), no
plaintext secret anywhere in the database, and the audit rows the actions wrote."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from web_helpers import PASSWORD, Client, api_upload, make_result, root, unique

from mlops_maturity.web.services import accounts

# Routes whose every parameter may name another team's object. Anything else must be listed
# as "not team-scoped", so the matrix below keeps up with the route table.
NOT_TEAM_SCOPED = {
    ("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/learn"),
    ("GET", "/learn/quiz"), ("GET", "/learn/{concept_id}"), ("GET", "/admin"), ("POST", "/admin/teams"),
    ("GET", "/api/v1/openapi.json"),
}
# Where a list route takes a team filter, it is aimed at team B and must show nothing of B.
LISTS_FILTERED_TO_B = {("GET", "/portfolio"), ("GET", "/api/v1/projects"), ("GET", "/api/v1/portfolio")}


def _routes(app):
    """(method, path, context) of every route, through included routers."""
    for r in app.routes:
        if hasattr(r, "path"):
            if getattr(r, "methods", None):
                for m in sorted(r.methods - {"HEAD"}):
                    yield m, r.path, None
        else:
            for c in r.effective_route_contexts():
                for m in sorted(c.methods - {"HEAD"}):
                    yield m, c.path, c


@pytest.fixture
def foreign(world):
    """Team B's objects, one of each kind a route can name."""
    c = world.client("editor_b")
    r = c.post_form("/learn/quiz", {"count": "3"})
    assert r.status_code == 303, r.text
    attempt = int(r.headers["location"].rsplit("/", 1)[1])
    user_b = next(u.id for u in accounts.admin_view(world.app.state.store, root()).users if u.email == world.users["editor_b"])
    team_b_name = next(t.name for t in accounts.teams_of(world.app.state.store, root()) if t.id == world.team_b)
    return {
        "project_id": world.project_b, "assessment_id": world.assessment_b, "a": world.assessment_b, "b": world.assessment_b,
        "token_id": world.token_ids["b"], "user_id": user_b, "attempt_id": attempt, "team_id": world.team_b, "team": world.team_b,
        "concept_id": "experiment-tracking", "_team_name": team_b_name,
    }


def _values(world, foreign, fw, catalog) -> dict[str, object]:
    """A value for every parameter name in the route table (path, query or form)."""
    return {
        **{k: v for k, v in foreign.items() if not k.startswith("_")},
        "name": unique("matrix"), "email": f"{unique('matrix')}@example.org", "password": PASSWORD, "is_admin": "",
        "role": "admin", "active": "0", "criterion": "data.rerunnable-pipeline", "value": "3", "note": "matrix",
        "merge": "1", "difficulty": "", "count": "3", "project": "stolen", "expires_days": "", "next": "/portfolio",
        "sort": "", "page_number": "1", "done": "", "csrf_token": None, "file": None, "idempotency_key": None,
    }


def _b_state(world) -> list:
    """Everything of team B that a write could change."""
    q = {
        "projects": "SELECT id, name FROM projects WHERE team_id = :t ORDER BY id",
        "assessments": "SELECT a.id, a.uid FROM assessments a JOIN projects p ON p.id = a.project_id WHERE p.team_id = :t ORDER BY a.id",
        "tokens": "SELECT id, revoked_at, expires_at FROM api_tokens WHERE team_id = :t ORDER BY id",
        "members": "SELECT user_id, role FROM memberships WHERE team_id = :t ORDER BY user_id",
        "drafts": "SELECT d.project_id, d.criterion, d.value FROM draft_answers d JOIN projects p ON p.id = d.project_id WHERE p.team_id = :t ORDER BY 1, 2",
        "users": "SELECT u.id, u.active, u.is_admin FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.team_id = :t ORDER BY u.id",
        "quiz": "SELECT q.id, q.answers_json FROM quiz_attempts q JOIN memberships m ON m.user_id = q.user_id WHERE m.team_id = :t ORDER BY q.id",
    }
    with world.app.state.store.engine.connect() as conn:
        return [(k, [tuple(r) for r in conn.execute(text(sql), {"t": world.team_b}).all()]) for k, sql in q.items()]


@pytest.mark.parametrize("caller", ["viewer_a", "editor_a", "admin_a", "token_a", "anonymous"])
def test_matrix_from_the_route_table(world, foreign, caller):
    app = world.app
    fw, catalog = app.state.framework, app.state.catalog
    values = _values(world, foreign, fw, catalog)
    before = _b_state(world)
    secrets_of_b = [foreign["_team_name"], "proj-b", world.users["editor_b"]]
    checked = 0
    for method, path, ctx in _routes(app):
        if path.startswith("/static") or (method, path) in NOT_TEAM_SCOPED:
            continue
        dep = ctx.dependant
        names = [f.name for f in dep.path_params + dep.query_params + dep.body_params + dep.header_params]
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{method} {path}: classify parameter(s) {unknown} in this matrix"
        url = path
        for f in dep.path_params:
            url = url.replace("{" + f.name + "}", str(values[f.name]))
        client = Client(app)
        headers = {}
        if caller == "token_a":
            headers["Authorization"] = f"Bearer {world.tokens['a']}"
        elif caller != "anonymous":
            assert client.login(world.users[caller]).status_code == 303
            headers["X-CSRF-Token"] = client.csrf
        query = {f.name: values[f.name] for f in dep.query_params}
        if method == "GET":
            r = client.http.get(url, params=query, headers=headers)
        elif path == "/api/v1/assessments":
            r = client.http.post(url, params=query, headers={**headers, "Content-Type": "application/json"}, content=make_result(fw, catalog).model_dump_json())
        else:
            form = {f.name: values[f.name] for f in dep.body_params if values[f.name] is not None}
            files = {"file": ("r.json", make_result(fw, catalog).model_dump_json(), "application/json")} if any(f.name == "file" for f in dep.body_params) else None
            r = client.http.post(url, params=query, data=form, files=files, headers=headers)
        where = f"{caller} {method} {url} {query}"
        if (method, path) in LISTS_FILTERED_TO_B and r.status_code == 200:
            pass  # an empty list is an answer too; what matters is that B's data is absent
        elif r.status_code == 303:
            assert r.headers["location"].startswith("/login"), f"{where}: {r.status_code} -> {r.headers['location']}"
        else:
            assert r.status_code in (401, 403, 404), f"{where}: {r.status_code} {r.text[:200]}"
        for s in secrets_of_b:
            assert s not in r.text, f"{where}: shows {s!r}"
        checked += 1
    assert checked >= 20, checked
    assert _b_state(world) == before, "a refused request changed team B"


def test_tokens_wrong_scope_revoked_and_expired(world):
    app = world.app
    fw, catalog = app.state.framework, app.state.catalog
    store = app.state.store
    auth = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    c = Client(app)
    # Wrong scope: A's token asking for team B, or any token doing what only a session may.
    assert api_upload(app, world.tokens["a"], make_result(fw, catalog), team_id=world.team_b).status_code == 403
    listed = c.http.get(f"/api/v1/portfolio?team_id={world.team_b}", headers=auth(world.tokens["a"])).json()["projects"]
    assert all(p["team_id"] == world.team_a for p in listed), listed
    # An expiring token works until it expires, then is refused for reads and uploads (401).
    admin = world.client("admin_a")
    page = admin.post_form("/admin/tokens", {"team_id": world.team_a, "name": "expiring", "expires_days": "1"})
    token = re.search(r"(mm_[A-Za-z0-9_-]{40,})", page.text).group(1)
    assert "active until" in admin.get("/admin").text
    assert c.http.get("/api/v1/projects", headers=auth(token)).status_code == 200
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE api_tokens SET expires_at = created_at WHERE prefix = :p"), {"p": token[:11]})
    assert c.http.get("/api/v1/projects", headers=auth(token)).status_code == 401
    assert api_upload(app, token, make_result(fw, catalog)).status_code == 401
    assert "expired" in admin.get("/admin").text
    assert admin.post_form("/admin/tokens", {"team_id": world.team_a, "name": "x", "expires_days": "0"}).status_code == 422
    # Revoked: 401 at once.
    new = accounts.create_token(store, root(), world.team_a, "to revoke", "t")
    assert c.http.get("/api/v1/projects", headers=auth(new.token)).status_code == 200
    assert admin.post_form(f"/admin/tokens/{new.id}/revoke").status_code == 303
    assert c.http.get("/api/v1/projects", headers=auth(new.token)).status_code == 401
    # A token that is only the prefix of a real one, or a real one with a character changed.
    assert c.http.get("/api/v1/projects", headers=auth(world.tokens["b"][:-1] + ("x" if world.tokens["b"][-1] != "x" else "y"))).status_code == 401
    assert c.http.get("/api/v1/projects", headers=auth(world.tokens["b"][:11])).status_code == 401


def test_no_plaintext_secret_anywhere_in_the_database(world):
    app = world.app
    issued = dict(world.tokens)
    issued["new"] = accounts.create_token(app.state.store, root(), world.team_a, "plaintext check", "t").token
    c = world.client("viewer_a")
    cookie = c.http.cookies.get("mm_session")
    assert cookie and len(cookie) > 20
    needles = [*issued.values(), cookie, PASSWORD]
    from mlops_maturity.store.models import Base

    found = []
    with app.state.store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()).all():
                for value in row:
                    if isinstance(value, str):
                        found += [(table.name, n[:12]) for n in needles if n in value]
    assert found == [], found


def test_audit_rows_for_every_kind_of_change(world):
    store = world.app.state.store
    admin = world.client("admin_a")
    admin.post_form("/admin/tokens", {"team_id": world.team_a, "name": "audited", "expires_days": "30"})
    world.client("editor_a").post_form("/projects", {"team_id": world.team_a, "name": unique("audited")})
    Client(world.app).login(world.users["viewer_a"], "not the password")
    events = [e for e in accounts.admin_view(store, root()).audit]
    actions = {(e.actor, e.action) for e in events}
    assert (world.users["admin_a"], "login") in actions
    assert (world.users["viewer_a"], "login.failed") in actions
    assert any(a == "token.create" and e.detail.startswith("expires ") for e in events for a in [e.action] if e.actor == world.users["admin_a"])
    assert any(e.action == "assessment.upload" and e.actor.startswith("token mm_") and e.ip for e in events)
    assert any(e.action.startswith("project.") and e.actor == world.users["editor_a"] for e in events), {e.action for e in events}
