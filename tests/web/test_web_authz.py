"""The authorization matrix, on SQLite and PostgreSQL: roles are per team, and nothing crosses
a team's boundary — not a role, not a token; revoked tokens and posts without the CSRF token fail."""

from __future__ import annotations

from web_helpers import api_upload, make_result


def test_viewer_reads_own_team_only_and_cannot_write(world):
    fw, catalog = world.app.state.framework, world.app.state.catalog
    c = world.client("viewer_a")
    assert c.get(f"/projects/{world.project_a}").status_code == 200
    r = c.get(f"/projects/{world.project_b}")
    assert r.status_code == 404 and "proj-b" not in r.text
    assert c.get(f"/projects/{world.project_b}/assessments/{world.assessment_b}").status_code == 404
    assert c.get(f"/projects/{world.project_b}/diff", params={"a": world.assessment_b, "b": world.assessment_b}).status_code == 404
    # The portfolio and the API list team A's projects, never team B's.
    page = c.get("/portfolio").text
    assert "proj-a" in page and "proj-b" not in page
    assert "proj-b" not in c.get(f"/portfolio?team={world.team_b}").text
    names = [p["name"] for p in c.get("/api/v1/projects").json()]
    assert "proj-a" in names and "proj-b" not in names
    assert c.get(f"/api/v1/assessments/{world.assessment_b}").status_code == 404
    assert c.get(f"/api/v1/projects/{world.project_b}/assessments").status_code == 404
    # A viewer cannot upload, create projects, answer the questionnaire or administer.
    files = {"file": ("r.json", make_result(fw, catalog).model_dump_json(), "application/json")}
    assert c.http.post("/uploads", data={"team_id": world.team_a, "csrf_token": c.csrf}, files=files).status_code == 403
    assert c.post_form("/projects", {"team_id": world.team_a, "name": "nope"}).status_code == 403
    assert c.get(f"/projects/{world.project_a}/questionnaire").status_code == 403
    assert c.htmx(f"/projects/{world.project_a}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2"}).status_code == 403
    assert c.post_form(f"/projects/{world.project_a}/questionnaire/submit").status_code == 403
    assert c.get("/admin").status_code == 403
    assert c.post_form("/admin/tokens", {"team_id": world.team_a, "name": "x"}).status_code == 403
    # A session cannot upload through the API (uploads need a token, and a session has no CSRF header there).
    assert c.http.post("/api/v1/assessments", content=make_result(fw, catalog).model_dump_json()).status_code == 401


def test_editor_writes_in_own_team_only(world):
    fw, catalog = world.app.state.framework, world.app.state.catalog
    c = world.client("editor_a")
    r = c.post_form("/projects", {"team_id": world.team_a, "name": "new-a"})
    assert r.status_code == 303
    assert c.post_form("/projects", {"team_id": world.team_b, "name": "new-b"}).status_code == 404
    assert c.get(f"/projects/{world.project_b}/questionnaire").status_code == 404
    assert c.htmx(f"/projects/{world.project_b}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2"}).status_code == 404
    assert c.post_form(f"/projects/{world.project_b}/questionnaire/submit").status_code == 404
    files = {"file": ("r.json", make_result(fw, catalog).model_dump_json(), "application/json")}
    assert c.http.post("/uploads", data={"team_id": world.team_b, "csrf_token": c.csrf}, files=files).status_code == 404
    ok = c.http.post("/uploads", data={"team_id": world.team_a, "csrf_token": c.csrf, "project": "uploaded-a"}, files=files)
    assert ok.status_code == 303, ok.text
    # Editors do not administer.
    assert c.get("/admin").status_code == 403
    assert c.post_form("/admin/tokens", {"team_id": world.team_a, "name": "x"}).status_code == 403


def test_team_admin_administers_own_team_only(world):
    c = world.client("admin_a")
    page = c.get("/admin")
    assert page.status_code == 200
    assert world.users["viewer_a"] in page.text and world.users["editor_b"] not in page.text
    r = c.post_form("/admin/tokens", {"team_id": world.team_a, "name": "ci for a"})
    assert r.status_code == 200 and "mm_" in r.text
    assert c.post_form("/admin/tokens", {"team_id": world.team_b, "name": "steal"}).status_code == 404
    assert c.post_form(f"/admin/tokens/{world.token_ids['b']}/revoke").status_code == 404
    # Roles: in team A yes, in team B no; creating teams or administrators is for server admins.
    viewer_id = _user_id(world, "viewer_a")
    assert c.post_form(f"/admin/users/{viewer_id}/role", {"team_id": world.team_a, "role": "editor"}).status_code == 303
    assert c.post_form(f"/admin/users/{viewer_id}/role", {"team_id": world.team_b, "role": "admin"}).status_code == 404
    assert c.post_form("/admin/teams", {"name": "mine"}).status_code == 403
    assert c.post_form("/admin/users", {"email": "x@example.org", "password": "long enough pw", "team_id": world.team_b, "role": "viewer"}).status_code == 404
    assert c.post_form("/admin/users", {"email": "y@example.org", "password": "long enough pw", "team_id": world.team_a, "role": "viewer", "is_admin": "1"}).status_code == 403
    # The B token still works: nothing the A admin did touched it.
    assert c.http.get("/api/v1/projects", headers={"Authorization": f"Bearer {world.tokens['b']}"}).status_code == 200


def _user_id(world, who: str) -> int:
    from mlops_maturity.web.services import accounts

    from web_helpers import root

    view = accounts.admin_view(world.app.state.store, root())
    return next(u.id for u in view.users if u.email == world.users[who])


def test_tokens_are_scoped_to_their_team_and_revocable(world):
    fw, catalog = world.app.state.framework, world.app.state.catalog
    result = make_result(fw, catalog, {"dev.experiment-tracking": 2})
    # A's token files under team A, whatever the result says; asking for team B is refused.
    assert api_upload(world.app, world.tokens["a"], result, team_id=world.team_b).status_code == 403
    r = api_upload(world.app, world.tokens["a"], result, project="proj-b")
    assert r.status_code == 201 and r.json()["team"] != _team_name(world, world.team_b)
    auth = {"Authorization": f"Bearer {world.tokens['a']}"}
    c = world.client()
    assert c.http.get(f"/api/v1/projects/{world.project_b}/assessments", headers=auth).status_code == 404
    assert c.http.get(f"/api/v1/assessments/{world.assessment_b}", headers=auth).status_code == 404
    assert c.http.get(f"/api/v1/assessments/{world.assessment_a}", headers=auth).status_code == 200
    assert all(p["team_id"] == world.team_a for p in c.http.get("/api/v1/portfolio", headers=auth).json()["projects"])
    # Tokens never open pages.
    assert c.http.get(f"/projects/{world.project_a}", headers=auth).status_code == 303
    # Revoked: refused at once, for reads and uploads.
    admin = world.client("admin_a")
    assert admin.post_form(f"/admin/tokens/{world.token_ids['a']}/revoke").status_code == 303
    assert api_upload(world.app, world.tokens["a"], result).status_code == 401
    assert c.http.get("/api/v1/projects", headers=auth).status_code == 401
    assert c.http.get("/api/v1/projects", headers={"Authorization": "Bearer mm_not-a-token"}).status_code == 401
    assert c.http.get("/api/v1/projects").status_code == 401


def _team_name(world, team_id: int) -> str:
    from mlops_maturity.web.services import accounts

    from web_helpers import root

    return next(t.name for t in accounts.teams_of(world.app.state.store, root()) if t.id == team_id)


def test_form_posts_without_the_csrf_token_fail(world):
    c = world.client("admin_a")
    cases = [
        ("/projects", {"team_id": world.team_a, "name": "csrf-less"}),
        ("/admin/tokens", {"team_id": world.team_a, "name": "csrf-less"}),
        (f"/projects/{world.project_a}/questionnaire/submit", {}),
        ("/logout", {}),
    ]
    for url, data in cases:
        assert c.post_form(url, data, csrf=False).status_code == 403, url
        assert c.post_form(url, {**data, "csrf_token": "forged"}, csrf=False).status_code == 403, url
    assert c.htmx(f"/projects/{world.project_a}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2"}, csrf=False).status_code == 403
    # Another user's CSRF token does not do either.
    other = world.client("editor_a")
    r = c.http.post("/projects", data={"team_id": world.team_a, "name": "x"}, headers={"X-CSRF-Token": other.csrf})
    assert r.status_code == 403
    # The sign-in form has its own token (double submit): a post without the cookie's value fails.
    fresh = world.client()
    r = fresh.http.post("/login", data={"email": world.users["admin_a"], "password": "x" * 12, "csrf_token": "forged"})
    assert r.status_code == 403
    # Nothing was created by the refused posts.
    assert "csrf-less" not in c.get("/portfolio").text and "csrf-less" not in c.get("/admin").text
