"""Administration: teams, users and their roles, API tokens, the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from ...store.models import ROLES
from ..deps import ClientIp, PathId, PostingUser, StoreDep, UserDep
from ..services import accounts
from ..services.errors import Invalid
from ..templating import page

router = APIRouter(prefix="/admin", include_in_schema=False)
DONE = {
    "team": "Team created.",
    "user": "User created.",
    "role": "Role updated.",
    "active": "User updated.",
    "revoked": "Token revoked.",
}


def _optional_int(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise Invalid("not a valid choice")
    return int(raw)


def _role(raw: str) -> str | None:
    if raw in ("", "none"):
        return None
    if raw not in ROLES:
        raise Invalid(f"unknown role {raw[:20]!r}")
    return raw


@router.get("")
def admin(store: StoreDep, user: UserDep, done: str = "") -> HTMLResponse:
    view = accounts.admin_view(store, user)
    return page("admin/index.html", user=user, title="Administration", a=view, done=DONE.get(done, ""), new_token=None, nav="admin")


@router.post("/teams")
def create_team(store: StoreDep, user: PostingUser, ip: ClientIp, name: Annotated[str, Form(max_length=300)] = "") -> RedirectResponse:
    accounts.create_team(store, user, name, ip)
    return RedirectResponse("/admin?done=team", status_code=303)


@router.post("/users")
def create_user(
    store: StoreDep,
    user: PostingUser,
    ip: ClientIp,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    is_admin: Annotated[str, Form(max_length=10)] = "",
    team_id: Annotated[str, Form(max_length=12)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    accounts.create_user(
        store,
        user,
        email=email,
        name=name,
        password=password,
        is_admin=is_admin in ("1", "on", "true"),
        team_id=_optional_int(team_id),
        role=_role(role),
        ip=ip,
    )
    return RedirectResponse("/admin?done=user", status_code=303)


@router.post("/users/{user_id}/role")
def set_role(
    user_id: PathId,
    store: StoreDep,
    user: PostingUser,
    ip: ClientIp,
    team_id: Annotated[str, Form(max_length=12)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    team = _optional_int(team_id)
    if team is None:
        raise Invalid("choose a team")
    accounts.set_role(store, user, user_id, team, _role(role), ip)
    return RedirectResponse("/admin?done=role", status_code=303)


@router.post("/users/{user_id}/active")
def set_active(user_id: PathId, store: StoreDep, user: PostingUser, ip: ClientIp, active: Annotated[str, Form(max_length=10)] = "") -> RedirectResponse:
    accounts.set_active(store, user, user_id, active in ("1", "on", "true"), ip)
    return RedirectResponse("/admin?done=active", status_code=303)


@router.post("/tokens")
def create_token(
    store: StoreDep,
    user: PostingUser,
    ip: ClientIp,
    team_id: Annotated[str, Form(max_length=12)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    expires_days: Annotated[str, Form(max_length=6)] = "",
) -> HTMLResponse:
    team = _optional_int(team_id)
    if team is None:
        raise Invalid("choose a team")
    days = _optional_int(expires_days)
    new = accounts.create_token(store, user, team, name, ip, expires_days=days)
    view = accounts.admin_view(store, user)
    # The token is in this response only: never in a URL, a log line or the database.
    return page("admin/index.html", user=user, title="Administration", a=view, done="", new_token=new, nav="admin")


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: PathId, store: StoreDep, user: PostingUser, ip: ClientIp) -> RedirectResponse:
    accounts.revoke_token(store, user, token_id, ip)
    return RedirectResponse("/admin?done=revoked", status_code=303)
