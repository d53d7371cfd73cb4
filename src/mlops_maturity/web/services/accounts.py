"""Who is asking, and the administration of teams, users, roles and API tokens."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ...store.models import ROLES, ApiToken, AuditEvent, User, WebSession
from ...store.service import DEFAULT_ORGANIZATION, Store, UnitOfWork
from .. import security
from ..config import Settings
from .errors import Conflict, Forbidden, Invalid, NotFound, RateLimited

RANK = {"viewer": 1, "editor": 2, "admin": 3}
EMAIL = re.compile(r"^[^@\s]{1,200}@[^@\s]{1,100}$")
NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
# A token's last-used time is written at most this often (an upload burst is not a write storm).
TOKEN_TOUCH = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """A signed-in user or an API token, with what it may do per team."""

    kind: str  # "user" | "token"
    actor: str  # e-mail, or "token mm_abcd1234"
    user_id: int | None = None
    is_admin: bool = False
    roles: Mapping[int, str] = field(default_factory=dict)  # team id -> role
    csrf: str = ""
    name: str = ""

    def role(self, team_id: int) -> str | None:
        return "admin" if self.is_admin else self.roles.get(team_id)

    def can(self, team_id: int, need: str) -> bool:
        role = self.role(team_id)
        return role is not None and RANK[role] >= RANK[need]

    def readable_teams(self) -> set[int] | None:
        """None: every team (a server administrator)."""
        return None if self.is_admin else set(self.roles)

    def administers_any_team(self) -> bool:
        return self.is_admin or any(r == "admin" for r in self.roles.values())

    def editable_teams(self) -> set[int] | None:
        return None if self.is_admin else {t for t, r in self.roles.items() if RANK[r] >= RANK["editor"]}


def require(principal: Principal, team_id: int, need: str) -> None:
    """NotFound when the principal cannot even see the team, Forbidden when its role is too weak."""
    if principal.role(team_id) is None:
        raise NotFound("no such team")
    if not principal.can(team_id, need):
        raise Forbidden(f"this needs the {need} role in the team")


def audit(uow: UnitOfWork, actor: str, action: str, *, team_id: int | None = None, target: str = "", ip: str = "", detail: str = "") -> None:
    uow.access.audit(
        AuditEvent(at=datetime.now(UTC), actor=actor[:320], action=action, team_id=team_id, target=target[:400], ip=ip[:64], detail=detail)
    )


def _principal(user: User, csrf: str = "") -> Principal:
    return Principal(
        kind="user",
        actor=user.email,
        user_id=user.id,
        is_admin=user.is_admin,
        roles={m.team_id: m.role for m in user.memberships},
        csrf=csrf,
        name=user.name,
    )


# -- the first administrator ------------------------------------------------------------------


def needs_admin(store: Store) -> bool:
    with store.unit(write=False) as uow:
        return uow.access.count_users() == 0


def bootstrap_admin(store: Store, email: str, password: str) -> bool:
    """Create the first administrator on an empty database; False when users exist already."""
    email = _email(email)
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem)
    hashed = security.hash_password(password)

    def work(uow: UnitOfWork) -> bool:
        if uow.access.count_users():
            return False
        uow.access.add_user(User(email=email, name="", password_hash=hashed, is_admin=True, active=True, created_at=datetime.now(UTC)))
        audit(uow, "mlops-maturity serve", "user.create", target=email, detail="first administrator")
        return True

    return store.run(work)


# -- signing in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    cookie: str
    expires_at: datetime


def login(store: Store, settings: Settings, email: str, password: str, ip: str, *, previous_cookie: str | None = None) -> SignedIn:
    """Check the password (rate limited per e-mail and address, shared by every worker). The
    session is always new; a session the browser held before (`previous_cookie`) ends."""
    email = email.strip().lower()[:320]
    now = datetime.now(UTC)
    window = now - timedelta(minutes=settings.login_window_minutes)
    with store.unit(write=False) as uow:
        failures = uow.access.failed_logins_since(email, ip, window)
        user = uow.access.user_by_email(email)
        password_hash = user.password_hash if user is not None and user.active else None
    if failures >= settings.login_max_failures:
        with store.unit(write=True) as uow:
            audit(uow, email, "login.throttled", ip=ip)
        raise RateLimited(f"too many failed sign-ins; try again in {settings.login_window_minutes} minutes")
    ok = security.verify_password(password_hash, password)  # outside any transaction: it is slow on purpose
    cookie = security.new_secret()
    if not ok:
        with store.unit(write=True) as uow:  # committed: the failure must count
            uow.access.add_login_attempt(email, ip, now, False)
            audit(uow, email, "login.failed", ip=ip)
        raise Invalid("wrong e-mail or password")
    with store.unit(write=True) as uow:
        uow.access.add_login_attempt(email, ip, now, True)
        expires = now + timedelta(hours=settings.session_hours)
        uow.access.add_session(
            WebSession(token_hash=security.digest(cookie), user_id=user.id, csrf_token=security.new_secret(), created_at=now, expires_at=expires)
        )
        if previous_cookie and len(previous_cookie) <= 200:
            uow.access.delete_session(security.digest(previous_cookie))
        uow.access.delete_expired_sessions(now)
        uow.access.forget_login_attempts(now - timedelta(days=30))
        audit(uow, email, "login", ip=ip)
    return SignedIn(cookie=cookie, expires_at=expires)


def logout(store: Store, cookie: str, actor: str, ip: str) -> None:
    with store.unit(write=True) as uow:
        uow.access.delete_session(security.digest(cookie))
        audit(uow, actor, "logout", ip=ip)


def from_session(store: Store, cookie: str | None) -> Principal | None:
    if not cookie or len(cookie) > 200:
        return None
    with store.unit(write=False) as uow:
        found = uow.access.session_by_hash(security.digest(cookie), datetime.now(UTC))
        if found is None:
            return None
        session, user = found
        return _principal(user, session.csrf_token)


def from_token(store: Store, token: str | None) -> Principal | None:
    if not token or not token.startswith(security.TOKEN_PREFIX) or len(token) > 200:
        return None
    now = datetime.now(UTC)
    with store.unit(write=False) as uow:
        row = uow.access.token_by_hash(security.digest(token))
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        principal = Principal(kind="token", actor=f"token {row.prefix}", roles={row.team_id: "editor"})
        stale = row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH
        token_id = row.id
    if stale:
        with store.unit(write=True) as uow:
            uow.access.token_used(token_id, now)
    return principal


# -- administration ---------------------------------------------------------------------------


def _email(raw: str) -> str:
    email = raw.strip().lower()
    if not EMAIL.match(email):
        raise Invalid(f"{raw!r} is not an e-mail address")
    return email


def _name(raw: str, what: str) -> str:
    name = raw.strip()
    if not NAME.match(name):
        raise Invalid(f"a {what} name needs 1 to 200 printable characters")
    return name


@dataclass(frozen=True)
class TeamRow:
    id: int
    organization: str
    name: str


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    is_admin: bool
    active: bool
    roles: dict[int, str]


@dataclass(frozen=True)
class TokenRow:
    id: int
    team_id: int
    team: str
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(UTC)


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    ip: str
    detail: str


@dataclass(frozen=True)
class AdminView:
    teams: list[TeamRow]
    users: list[UserRow]
    tokens: list[TokenRow]
    audit: list[AuditRow]
    roles: tuple[str, ...] = ROLES


def teams_of(store: Store, principal: Principal) -> list[TeamRow]:
    with store.unit(write=False) as uow:
        return [TeamRow(t.id, t.organization.name, t.name) for t in uow.access.teams(principal.readable_teams())]


def admin_view(store: Store, principal: Principal) -> AdminView:
    """Server administrators see everything; a team administrator their teams' members and tokens."""
    if not principal.administers_any_team():
        raise Forbidden("administration needs the admin role")
    managed = None if principal.is_admin else {t for t, r in principal.roles.items() if r == "admin"}
    with store.unit(write=False) as uow:
        teams = [TeamRow(t.id, t.organization.name, t.name) for t in uow.access.teams(managed)]
        users = []
        for u in uow.access.users():
            roles = {m.team_id: m.role for m in u.memberships if managed is None or m.team_id in managed}
            if managed is None or roles:
                users.append(UserRow(u.id, u.email, u.name, u.is_admin, u.active, roles))
        tokens = [
            TokenRow(t.id, t.team_id, t.team.name, t.name, t.prefix, t.created_by, t.created_at, t.last_used_at, t.revoked_at, t.expires_at)
            for t in uow.access.tokens(managed)
        ]
        events = [AuditRow(e.at, e.actor, e.action, e.target, e.ip, e.detail) for e in uow.access.audit_events(managed, limit=100)]
    return AdminView(teams, users, tokens, events)


def create_team(store: Store, principal: Principal, name: str, ip: str, organization: str = DEFAULT_ORGANIZATION) -> int:
    if not principal.is_admin:
        raise Forbidden("creating teams needs a server administrator")
    name = _name(name, "team")

    def work(uow: UnitOfWork) -> int:
        now = datetime.now(UTC)
        org_id = uow.assessments.ensure_organization(organization, now)
        team_id = uow.assessments.ensure_team(org_id, name, now)
        audit(uow, principal.actor, "team.create", team_id=team_id, target=f"{organization}/{name}", ip=ip)
        return team_id

    return store.run(work)


def create_user(store: Store, principal: Principal, *, email: str, name: str, password: str, is_admin: bool, team_id: int | None, role: str | None, ip: str) -> int:
    """A server administrator creates anyone; a team administrator members of their team."""
    if is_admin and not principal.is_admin:
        raise Forbidden("only a server administrator creates administrators")
    if not principal.is_admin:
        if team_id is None:
            raise Forbidden("a team administrator adds users to one of their teams")
        require(principal, team_id, "admin")
    if role is not None and role not in ROLES:
        raise Invalid(f"unknown role {role!r}")
    email = _email(email)
    display = name.strip()[:200]
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem)
    hashed = security.hash_password(password)

    def work(uow: UnitOfWork) -> int:
        if uow.access.user_by_email(email) is not None:
            raise Conflict(f"a user {email} exists already")
        if team_id is not None and uow.access.team(team_id) is None:
            raise NotFound("no such team")
        uid = uow.access.add_user(User(email=email, name=display, password_hash=hashed, is_admin=is_admin, active=True, created_at=datetime.now(UTC)))
        if team_id is not None and role is not None:
            uow.access.set_role(uid, team_id, role)
        audit(uow, principal.actor, "user.create", team_id=team_id, target=email, ip=ip, detail=f"role {role}" if role else ("administrator" if is_admin else ""))
        return uid

    return store.run(work)


def set_role(store: Store, principal: Principal, user_id: int, team_id: int, role: str | None, ip: str) -> None:
    require(principal, team_id, "admin")
    if role is not None and role not in ROLES:
        raise Invalid(f"unknown role {role!r}")

    def work(uow: UnitOfWork) -> None:
        user = uow.access.user(user_id)
        if user is None or uow.access.team(team_id) is None:
            raise NotFound("no such user or team")
        uow.access.set_role(user_id, team_id, role)
        audit(uow, principal.actor, "role.set" if role else "role.remove", team_id=team_id, target=user.email, ip=ip, detail=role or "")

    store.run(work)


def set_active(store: Store, principal: Principal, user_id: int, active: bool, ip: str) -> None:
    if not principal.is_admin:
        raise Forbidden("disabling users needs a server administrator")
    if user_id == principal.user_id:
        raise Invalid("you cannot disable yourself")
    with store.unit(write=True) as uow:
        user = uow.access.user(user_id)
        if user is None:
            raise NotFound("no such user")
        uow.access.set_active(user_id, active)
        if not active:
            uow.access.delete_sessions_of(user_id)
        audit(uow, principal.actor, "user.enable" if active else "user.disable", target=user.email, ip=ip)


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # shown once, never stored
    prefix: str
    team: str


MAX_TOKEN_DAYS = 3650


def create_token(store: Store, principal: Principal, team_id: int, name: str, ip: str, *, expires_days: int | None = None) -> NewToken:
    """A new token for the team; with `expires_days` it stops working after that many days."""
    require(principal, team_id, "admin")
    name = _name(name, "token")
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise Invalid(f"a token expires after 1 to {MAX_TOKEN_DAYS} days (or never)")
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=expires_days) if expires_days is not None else None
    token = security.new_api_token()
    prefix = token[: security.PREFIX_SHOWN]
    with store.unit(write=True) as uow:
        team = uow.access.team(team_id)
        if team is None:
            raise NotFound("no such team")
        tid = uow.access.add_token(
            ApiToken(team_id=team_id, name=name, prefix=prefix, token_hash=security.digest(token), created_by=principal.actor, created_at=now, expires_at=expires_at)
        )
        audit(uow, principal.actor, "token.create", team_id=team_id, target=f"{prefix}… ({name})", ip=ip, detail=f"expires {expires_at:%Y-%m-%d}" if expires_at else "")
        return NewToken(tid, token, prefix, team.name)


def revoke_token(store: Store, principal: Principal, token_id: int, ip: str) -> None:
    with store.unit(write=True) as uow:
        row = uow.access.token(token_id)
        if row is None or principal.role(row.team_id) is None:
            raise NotFound("no such token")
        require(principal, row.team_id, "admin")
        uow.access.revoke_token(token_id, datetime.now(UTC))
        audit(uow, principal.actor, "token.revoke", team_id=row.team_id, target=f"{row.prefix}… ({row.name})", ip=ip)
