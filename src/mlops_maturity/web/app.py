"""The FastAPI application: pages (Jinja2 + HTMX), administration, and the JSON API under /api/v1.

`create_app(settings)` opens the store (bringing its schema up to date) and wires everything;
`app_from_env()` is the factory each uvicorn worker calls, so N workers share one database and
nothing else.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError

from ..framework.load import default_catalog, load_framework
from ..store.db import StoreError
from ..store.service import Store
from . import deps
from .config import Settings
from .services.errors import ServiceError
from .templating import page

API = "/api/v1"
# Request bodies of forms (sign-in, questionnaire answers, administration): far below this.
FORM_LIMIT = 256 * 1024
MULTIPART_SLACK = 64 * 1024  # the upload page's form fields and multipart framing
# Pages: own scripts and styles only (HTMX runs with eval disabled), nothing framed, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Headers every response carries (a pure ASGI middleware: no per-request task overhead).
    A response that sets its own Content-Security-Policy keeps it."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if b"cache-control" not in names and not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over a limit with 413, before the application reads them: a
    declared Content-Length over the limit is answered at once, and a streamed body is held at
    most up to the limit. The API's upload route applies its own limit (it also bounds gzip);
    the page that uploads a result file gets the upload limit, every other form a small one."""

    def __init__(self, app, *, form_limit: int, upload_limit: int, upload_paths: tuple[str, ...], exempt: str) -> None:  # noqa: ANN001
        self.app = app
        self.form_limit = form_limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths
        self.exempt = exempt

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or path.startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if path in self.upload_paths else self.form_limit
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        if declared.isdigit():  # the server stops at the declared length: the limit holds
            await self.app(scope, receive, send)
            return
        # Streamed without a length: read it here, up to the limit, then hand it on.
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            total += len(message.get("body", b""))
            if total > limit:
                await self._refuse(send, limit)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():  # noqa: ANN202
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send, limit: int) -> None:  # noqa: ANN001
        body = f"request body larger than {limit} bytes\n".encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API + "/") or request.url.path == API


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    store = store or Store.open(settings.db_url)
    catalog = default_catalog()
    framework = load_framework(None, catalog)

    app = FastAPI(
        title="mlops-maturity",
        version="1",
        summary="Assessments of ML projects on the MLOps maturity model: upload from CI, read the portfolio.",
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # the interactive docs load their scripts from a CDN
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.framework = framework
    app.state.catalog = catalog

    static = resources.files("mlops_maturity.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from .routes import admin, api, learn, pages

    app.include_router(pages.router)
    app.include_router(learn.router)
    app.include_router(admin.router)
    app.include_router(api.router, prefix=API)
    app.openapi = lambda: api.openapi_schema(app)  # type: ignore[method-assign]

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        if request.headers.get("hx-request"):
            return page("_error.html", status_code=exc.status, message=exc.message)
        return page("error.html", status_code=exc.status, message=exc.message, user=None, title="Error")

    @app.exception_handler(deps.LoginRequired)
    async def login_required(request: Request, exc: deps.LoginRequired) -> Response:
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(deps.CsrfFailed)
    async def csrf_failed(request: Request, exc: deps.CsrfFailed) -> Response:
        message = "The form expired or did not come from this site: reload the page and try again."
        if request.headers.get("hx-request"):
            return page("_error.html", status_code=403, message=message)
        return page("error.html", status_code=403, message=message, user=None, title="Error")

    @app.exception_handler(deps.ApiUnauthorized)
    async def api_unauthorized(request: Request, exc: deps.ApiUnauthorized) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        # Two requests changed the same thing at once; the services retry where that is expected.
        message = "a concurrent change conflicted with this one; try again"
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=409)
        return page("error.html", status_code=409, message=message.capitalize() + ".", user=None, title="Error")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "the database is unavailable; try again"}, status_code=503)
        return page("error.html", status_code=503, message="The database is unavailable; try again.", user=None, title="Error")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = "/".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request"
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=422)
        return page("error.html", status_code=422, message=message, user=None, title="Error")

    app.add_middleware(
        BodyLimit,
        form_limit=FORM_LIMIT,
        upload_limit=settings.max_upload_bytes + MULTIPART_SLACK,
        upload_paths=("/uploads",),
        exempt=API + "/",
    )
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker (`--factory`): settings from the environment."""
    return create_app(Settings.from_env())
