"""Security properties on SQLite and PostgreSQL: cookie flags, the sign-in rate limit shared through
the database, escaping of everything users and repositories write, secrets stored hashed, the
audit log, and the response headers."""

from __future__ import annotations

from web_helpers import PASSWORD, Client, api_upload, root, unique
from sqlalchemy import text

from mlops_maturity.model.evidence import Evidence, Observation, PracticeStatus
from mlops_maturity.model.result import Subject
from mlops_maturity.scoring import Inputs, score
from mlops_maturity.web.services import accounts

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _user(app, role: str = "viewer", team: int | None = None) -> str:
    email = f"{unique('sec')}@example.org"
    accounts.create_user(app.state.store, root(), email=email, name="", password=PASSWORD, is_admin=False, team_id=team, role=role if team else None, ip="t")
    return email


def test_session_cookie_flags(web_app):
    email = _user(web_app)
    r = Client(web_app).login(email)
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "mm_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    https = Client(web_app, base_url="https://testserver").login(email).headers["set-cookie"]
    assert "Secure" in https and "HttpOnly" in https


def test_secure_cookie_flag_is_configurable(web_app):
    from mlops_maturity.web.app import create_app
    from mlops_maturity.web.config import Settings

    app = create_app(Settings(db_url=web_app.state.store.url, secure_cookies=True), store=web_app.state.store)
    # Behind a TLS-terminating proxy the app sees plain HTTP, and still marks its cookies Secure
    # (so a test client on plain HTTP does not send them back, as a browser would not).
    r = Client(app).http.get("/login")
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]


def test_sign_in_is_rate_limited_per_email_and_address(web_app):
    email = _user(web_app)
    c = Client(web_app)
    for _ in range(5):
        assert c.login(email, "wrong password!").status_code == 401
    r = c.login(email)  # the right password, too late
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    # The limit lives in the database: another application instance (a second worker) sees it.
    from mlops_maturity.web.app import create_app
    from mlops_maturity.web.config import Settings

    other = create_app(Settings(db_url=web_app.state.store.url), store=web_app.state.store)
    assert Client(other).login(email).status_code == 429
    # Another account from the same address is unaffected.
    assert Client(web_app).login(_user(web_app)).status_code == 303
    events = [e.action for e in accounts.admin_view(web_app.state.store, root()).audit if e.actor == email]
    assert events.count("login.failed") == 5 and "login.throttled" in events


def test_user_and_repository_content_is_escaped_everywhere(web_app):
    store = web_app.state.store
    fw, catalog = web_app.state.framework, web_app.state.catalog
    team = accounts.create_team(store, root(), unique("esc") + XSS, "t")
    token = accounts.create_token(store, root(), team, "ci" + XSS, "t").token
    evidence = Evidence(path="src/" + XSS + ".py", line=1, snippet=XSS, detector="d", message=XSS)
    result = score(
        fw,
        catalog,
        Inputs(observations=[Observation(practice="dev.experiment_tracking", status=PracticeStatus.PRESENT, source="scan", evidence=(evidence,))], subject=Subject(name="p" + XSS, commit="abc" + XSS[:20])),
    )
    r = api_upload(web_app, token, result)
    assert r.status_code == 201, r.text
    email = _user(web_app, "editor", team)
    c = Client(web_app)
    c.login(email)
    pid = next(p["id"] for p in c.get("/api/v1/projects").json() if p["team_id"] == team)
    c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2", "note": XSS})
    admin_email = f"{unique('escadmin')}@example.org"
    accounts.create_user(store, root(), email=admin_email, name=XSS, password=PASSWORD, is_admin=True, team_id=None, role=None, ip="t")
    admin = Client(web_app)
    admin.login(admin_email)
    pages = {
        "portfolio": c.get("/portfolio").text,
        "project": c.get(f"/projects/{pid}").text,
        "questionnaire": c.get(f"/projects/{pid}/questionnaire").text,
        "answer": c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2", "note": XSS}).text,
        "admin": admin.get("/admin").text,
        "report": c.get(f"/projects/{pid}/assessments/{r.json()['id']}").text,
    }
    for name, html in pages.items():
        assert "<script>alert" not in html and "<img src=x" not in html, name
    assert "&lt;script&gt;alert" in pages["project"] and "&lt;script&gt;alert" in pages["admin"]


def test_secrets_are_stored_hashed(world):
    new = accounts.create_token(world.app.state.store, root(), world.team_a, "hash check", "t")
    assert new.token.startswith("mm_") and len(new.token) > 40
    engine = world.app.state.store.engine
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT prefix, token_hash FROM api_tokens WHERE id = :i"), {"i": new.id}).one()
        password = conn.execute(text("SELECT password_hash FROM users WHERE email = :e"), {"e": world.users["viewer_a"]}).scalar_one()
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_tokens")).all() for v in row)
    assert new.token not in dump and stored.prefix == new.token[:11] and len(stored.token_hash) == 64
    assert password.startswith("$argon2id$") and PASSWORD not in password
    # Shown once: the administration page lists the prefix only.
    admin = world.client("admin_a")
    assert new.token not in admin.get("/admin").text and f"{new.token[:11]}…" in admin.get("/admin").text


def test_token_last_use_is_recorded(world):
    c = world.client()
    c.http.get("/api/v1/projects", headers={"Authorization": f"Bearer {world.tokens['b']}"})
    tokens = {t.id: t for t in accounts.admin_view(world.app.state.store, root()).tokens}
    assert tokens[world.token_ids["b"]].last_used_at is not None


def test_audit_log_records_logins_uploads_and_administration(world):
    world.client("admin_a").post_form(f"/admin/tokens/{world.token_ids['a']}/revoke")
    events = accounts.admin_view(world.app.state.store, root()).audit
    mine = {(e.actor, e.action) for e in events}
    assert (world.users["admin_a"], "login") in mine
    assert (world.users["admin_a"], "token.revoke") in mine
    assert any(a == "assessment.upload" and actor.startswith("token mm_") for actor, a in mine)
    assert ("test-setup", "token.create") in mine and ("test-setup", "user.create") in mine
    # A team administrator sees their team's events only.
    team_view = accounts.admin_view(world.app.state.store, _principal(world, "admin_a"))
    assert all(e.actor != world.users["editor_b"] for e in team_view.audit)


def _principal(world, who: str):
    c = world.client(who)
    return accounts.from_session(world.app.state.store, c.http.cookies.get("mm_session"))


def test_pages_send_security_headers_and_htmx_is_vendored(world):
    c = world.client("viewer_a")
    r = c.get("/portfolio")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    assert '<script src="/static/htmx.min.js"' in r.text and "http" not in r.text.split("<body", 1)[0].replace("http-equiv", "")
    js = c.get("/static/htmx.min.js")
    assert js.status_code == 200 and js.text.startswith("/*! htmx 2.0.11") and "Zero-Clause BSD" in js.text[:400]
    assert 'hx-headers=\'{"X-CSRF-Token": "' in r.text


def test_every_web_template_is_autoescaped():
    from mlops_maturity.web.templating import environment

    env = environment()
    assert env.autoescape is True  # not a select_autoescape function, which skips .svg
    for name in env.list_templates():
        tmpl = env.get_template(name)
        assert tmpl.environment.autoescape is True, name


def test_logout_ends_the_session_on_every_worker(world):
    c = world.client("viewer_a")
    cookie = c.http.cookies.get("mm_session")
    assert c.post_form("/logout").status_code == 303
    other = Client(world.app)
    other.http.cookies.set("mm_session", cookie)
    assert other.get("/portfolio").status_code == 303


def test_a_disabled_user_is_signed_out_everywhere_and_cannot_sign_in(web_app):
    email = _user(web_app)
    c = Client(web_app)
    assert c.login(email).status_code == 303
    uid = next(u.id for u in accounts.admin_view(web_app.state.store, root()).users if u.email == email)
    admin_email = f"{unique('disabler')}@example.org"
    accounts.create_user(web_app.state.store, root(), email=admin_email, name="", password=PASSWORD, is_admin=True, team_id=None, role=None, ip="t")
    admin = Client(web_app)
    admin.login(admin_email)
    assert admin.post_form(f"/admin/users/{uid}/active", {"active": "0"}).status_code == 303
    assert c.get("/portfolio").status_code == 303  # the session is gone
    assert Client(web_app).login(email).status_code == 401
    assert admin.post_form(f"/admin/users/{uid}/active", {"active": "1"}).status_code == 303
    assert Client(web_app).login(email).status_code == 303
