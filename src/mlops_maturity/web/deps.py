"""FastAPI dependencies, as `Annotated` types: the store, the framework, who is asking (a browser
session or an API token), and the CSRF check of every form post."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ..model.framework import Framework, PracticeCatalog
from ..store.service import Store
from . import security
from .config import Settings
from .services import accounts
from .services.accounts import Principal

SESSION_COOKIE = "mm_session"
LOGIN_CSRF_COOKIE = "mm_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
MAX_ID = 2**31 - 1  # ids are 32-bit on every database: a larger one is simply not found

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class LoginRequired(Exception):
    """No valid session: pages redirect to the sign-in page."""


class CsrfFailed(Exception):
    pass


class ApiUnauthorized(Exception):
    """No valid API token (or session) on an API call: 401."""


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_framework(request: Request) -> Framework:
    return request.app.state.framework


def get_catalog(request: Request) -> PracticeCatalog:
    return request.app.state.catalog


def client_ip(request: Request) -> str:
    return (request.client.host if request.client else "")[:64]


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FrameworkDep = Annotated[Framework, Depends(get_framework)]
CatalogDep = Annotated[PracticeCatalog, Depends(get_catalog)]
ClientIp = Annotated[str, Depends(client_ip)]


def current_user(request: Request, store: StoreDep) -> Principal:
    principal = accounts.from_session(store, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        raise LoginRequired()
    return principal


UserDep = Annotated[Principal, Depends(current_user)]


async def csrf_user(request: Request, user: UserDep) -> Principal:
    """The signed-in user of a form post, once its CSRF token matched the session's (from the
    form field, or the X-CSRF-Token header that HTMX sends)."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not security.same(sent, user.csrf):
        raise CsrfFailed()
    return user


PostingUser = Annotated[Principal, Depends(csrf_user)]


def api_principal(request: Request, store: StoreDep) -> Principal:
    """An API caller: a bearer token, or (for reads) a signed-in browser."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = accounts.from_token(store, token.strip())
        if principal is None:
            raise ApiUnauthorized("invalid or revoked API token")
        return principal
    if request.method in ("GET", "HEAD"):
        principal = accounts.from_session(store, request.cookies.get(SESSION_COOKIE))
        if principal is not None:
            return principal
    raise ApiUnauthorized("an API token is required (Authorization: Bearer mm_…)")


ApiCaller = Annotated[Principal, Depends(api_principal)]
