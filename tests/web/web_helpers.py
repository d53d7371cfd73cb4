"""Helpers of the web tests, in a module of their own (every `conftest` shares one module name,
so tests never import from one)."""

from __future__ import annotations

import itertools
import re
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta



from mlops_maturity.model.evidence import Answer
from mlops_maturity.model.result import Subject
from mlops_maturity.scoring import Inputs, score



PASSWORD = "correct horse battery staple"

_ids = itertools.count(1)

def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}-{secrets.token_hex(2)}"


def root():
    from mlops_maturity.web.services.accounts import Principal

    return Principal(kind="user", actor="test-setup", is_admin=True)

class Client:
    """A TestClient that signs in through the login form and knows its CSRF token."""

    def __init__(self, app, base_url: str = "http://testserver") -> None:
        from fastapi.testclient import TestClient

        self.http = TestClient(app, base_url=base_url, follow_redirects=False)
        self.csrf = ""

    def login(self, email: str, password: str = PASSWORD):
        page = self.http.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = self.http.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/portfolio"})
        if r.status_code == 303:
            self.refresh_csrf()
        return r

    def refresh_csrf(self) -> None:
        page = self.http.get("/portfolio")
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def get(self, url: str, **kw):
        return self.http.get(url, **kw)

    def post_form(self, url: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf
        return self.http.post(url, data=data, **kw)

    def htmx(self, url: str, data: dict, *, csrf: bool = True):
        headers = {"HX-Request": "true"}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.http.post(url, data=data, headers=headers)

@dataclass
class World:
    """Two teams with one user per role, a token each, and a project each (with one upload)."""

    app: object
    team_a: int
    team_b: int
    users: dict[str, str]  # "viewer_a" -> e-mail
    tokens: dict[str, str]  # "a" -> token
    token_ids: dict[str, int]
    project_a: int
    project_b: int
    assessment_a: int
    assessment_b: int

    def client(self, who: str | None = None) -> Client:
        c = Client(self.app)
        if who is not None:
            assert c.login(self.users[who]).status_code == 303
        return c

def make_result(fw, catalog, answers: dict[str, int] | None = None, *, name: str = "fraud-training", days_ago: float = 0):
    values = [Answer(question=k, value=v) for k, v in (answers or {}).items()]
    now = datetime.now(UTC) - timedelta(days=days_ago)
    return score(fw, catalog, Inputs(answers=values, subject=Subject(name=name), generated_at=now))

def api_upload(app, token: str, body, project: str | None = None, **params):
    from fastapi.testclient import TestClient

    if not isinstance(body, (bytes, str)):
        body = body.model_dump_json()
    if project is not None:
        params["project"] = project
    return TestClient(app).post("/api/v1/assessments", content=body, params=params, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

def build_world(app) -> World:
    from mlops_maturity.web.services import accounts

    store = app.state.store
    admin = root()
    team_a = accounts.create_team(store, admin, unique("team-a"), "test")
    team_b = accounts.create_team(store, admin, unique("team-b"), "test")
    users = {}
    for who, team, role in [
        ("viewer_a", team_a, "viewer"),
        ("editor_a", team_a, "editor"),
        ("admin_a", team_a, "admin"),
        ("editor_b", team_b, "editor"),
    ]:
        email = f"{unique(who)}@example.org"
        accounts.create_user(store, admin, email=email, name=who, password=PASSWORD, is_admin=False, team_id=team, role=role, ip="test")
        users[who] = email
    tokens, token_ids = {}, {}
    for key, team in (("a", team_a), ("b", team_b)):
        new = accounts.create_token(store, admin, team, f"ci {key}", "test")
        tokens[key], token_ids[key] = new.token, new.id
    fw, catalog = app.state.framework, app.state.catalog
    ra = api_upload(app, tokens["a"], make_result(fw, catalog, {"data.rerunnable-pipeline": 2}), project="proj-a")
    rb = api_upload(app, tokens["b"], make_result(fw, catalog, {"data.rerunnable-pipeline": 3}), project="proj-b")
    assert ra.status_code == 201 and rb.status_code == 201, (ra.text, rb.text)
    projects = {p["name"]: p for p in Client(app).http.get("/api/v1/projects", headers={"Authorization": f"Bearer {tokens['a']}"}).json()}
    projects_b = {p["name"]: p for p in Client(app).http.get("/api/v1/projects", headers={"Authorization": f"Bearer {tokens['b']}"}).json()}
    return World(
        app, team_a, team_b, users, tokens, token_ids,
        projects["proj-a"]["id"], projects_b["proj-b"]["id"], ra.json()["id"], rb.json()["id"],
    )

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

@contextmanager
def running(app):
    """The app served by uvicorn in a thread on 127.0.0.1 and a free port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
