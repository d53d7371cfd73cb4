"""Pages: sign-in, the portfolio, a project, the questionnaire."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...reporters import render as render_report
from ...reporters import view as report_view
from .. import security, views
from ..deps import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CatalogDep,
    ClientIp,
    FrameworkDep,
    PathId,
    PostingUser,
    SettingsDep,
    StoreDep,
    UserDep,
)
from ..services import accounts, projects, questionnaire, uploads
from ..services import portfolio as portfolio_service
from ..services.errors import Invalid, RateLimited
from ..templating import page, render

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1
PORTFOLIO_PAGE = 200  # heatmap rows per page (the distribution always counts every project)
# The self-contained HTML report carries its own inline styles and no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def _local(target: str | None) -> str:
    """Only a path on this site is a place to go back to after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) < 2000:
        return target
    return "/portfolio"


def _secure(request: Request, settings) -> bool:  # noqa: ANN001
    return settings.secure_cookies or request.url.scheme == "https"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/portfolio", status_code=303)


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:  # noqa: A002
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or security.new_secret()
    response = page("login.html", user=None, title="Sign in", csrf=token, next=_local(next), error="", email="")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request, settings), max_age=3600)
    return response


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    ip: ClientIp,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/portfolio",  # noqa: A002
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    target = _local(next)

    def again(error: str, status: int) -> HTMLResponse:
        return page("login.html", status_code=status, user=None, title="Sign in", csrf=expected or "", next=target, error=error, email=email)

    if not security.same(csrf_token, expected):
        return again("The sign-in form expired: please try again.", 403)
    try:
        signed = accounts.login(store, settings, email, password, ip, previous_cookie=request.cookies.get(SESSION_COOKIE))
    except RateLimited as exc:
        return again(f"Too many failed sign-ins: {exc.message}.", 429)
    except Invalid:
        return again("Wrong e-mail or password.", 401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.cookie,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        max_age=settings.session_hours * 3600,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, store: StoreDep, user: PostingUser, ip: ClientIp) -> Response:
    accounts.logout(store, request.cookies.get(SESSION_COOKIE, ""), user.actor, ip)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/portfolio")
def portfolio(
    store: StoreDep,
    fw: FrameworkDep,
    user: UserDep,
    team: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    sort: Annotated[str, Query(max_length=10)] = "team",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    p = portfolio_service.portfolio(store, user, fw, team, sort)
    editable = user.editable_teams()
    teams_to_edit = [t for t in p.teams if editable is None or t.id in editable]
    pages = views.Pages.of(len(p.rows), page_number, PORTFOLIO_PAGE)
    heat = views.heatmap(p.rows[pages.start : pages.end], p.dimensions, p.stale_after_days)
    return page("portfolio.html", user=user, title="Portfolio", p=p, heat=heat, pages=pages, teams_to_edit=teams_to_edit, nav="portfolio")


@router.post("/projects")
def create_project(
    store: StoreDep,
    user: PostingUser,
    ip: ClientIp,
    team_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    name: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    pid = projects.create_project(store, user, team_id, name, ip)
    return RedirectResponse(f"/projects/{pid}/questionnaire", status_code=303)


@router.post("/uploads")
async def upload_form(
    store: StoreDep,
    settings: SettingsDep,
    user: PostingUser,
    ip: ClientIp,
    team_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    file: Annotated[UploadFile, File()],
    project: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    from fastapi.concurrency import run_in_threadpool

    accounts.require(user, team_id, "editor")
    raw = await file.read(settings.max_upload_bytes + 1)
    if len(raw) > settings.max_upload_bytes:
        raise Invalid(f"the result is larger than {settings.max_upload_bytes} bytes")
    result = await run_in_threadpool(uploads.parse_result, raw)
    outcome = await run_in_threadpool(uploads.upload, store, user, team_id, result, project or None, ip)
    return RedirectResponse(f"/projects/{outcome.project_id}", status_code=303)


@router.get("/projects/{project_id}")
def project(project_id: PathId, store: StoreDep, user: UserDep) -> HTMLResponse:
    v = projects.project_view(store, user, project_id)
    latest = v.latest
    ctx = {
        "user": user,
        "title": v.project.name,
        "v": v,
        "ref": v.project,
        "can_edit": user.can(v.project.team_id, "editor"),
        "nav": "portfolio",
    }
    if latest is not None:
        ctx.update(
            radar=views.radar_svg(latest, v.previous),
            badge=views.badge_svg(latest),
            trends=views.trends(latest, v.assessments),
            roadmap=report_view.roadmap(latest),
            effort_label=report_view.EFFORT_LABEL,
            evidence=[report_view.group_evidence(p, limit=10) for p in latest.practices if p.evidence],
            line_label=report_view.line_label,
            dim_names=report_view.dimension_names(latest),
            level_names=report_view.level_names(latest, v.previous),
        )
    return page("project.html", **ctx)


@router.get("/projects/{project_id}/diff")
def diff(
    request: Request,
    project_id: PathId,
    store: StoreDep,
    user: UserDep,
    a: Annotated[int, Query(ge=1, le=MAX_ID)],
    b: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    d = projects.diff(store, user, project_id, a, b)
    if request.headers.get("hx-request"):
        return HTMLResponse(render("_diff.html", d=d))
    ref = projects.project_ref(store, user, project_id)
    return page("diff.html", user=user, title=f"{ref.name}: changes", d=d, ref=ref, nav="portfolio")


@router.get("/projects/{project_id}/assessments/{assessment_id}")
def report(project_id: PathId, assessment_id: PathId, store: StoreDep, user: UserDep) -> HTMLResponse:
    """The assessment as the self-contained HTML report (with changes since the one before)."""
    _, result, previous = projects.assessment(store, user, assessment_id, project_id)
    return HTMLResponse(render_report(result, "html", previous=previous), headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/projects/{project_id}/questionnaire")
def questionnaire_form(project_id: PathId, store: StoreDep, fw: FrameworkDep, user: UserDep) -> HTMLResponse:
    q = questionnaire.questionnaire(store, user, project_id, fw)
    return page("questionnaire.html", user=user, title=f"{q.project.name}: questionnaire", q=q, ref=q.project, nav="portfolio")


@router.post("/projects/{project_id}/questionnaire/answer")
def save_answer(
    project_id: PathId,
    store: StoreDep,
    fw: FrameworkDep,
    user: PostingUser,
    criterion: Annotated[str, Form(max_length=200)],
    value: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str | None, Form(max_length=4000)] = None,
) -> HTMLResponse:
    if value.strip() == "":
        parsed = None
    elif value.strip().isdigit():
        parsed = int(value)
    else:
        raise Invalid("an answer is a number on the scale")
    saved = questionnaire.save_answer(store, user, project_id, fw, criterion, parsed, note)
    return HTMLResponse(render("_question.html", question=saved.question, project_id=project_id, saved=True, count=saved))


@router.post("/projects/{project_id}/questionnaire/submit")
def submit(
    project_id: PathId,
    store: StoreDep,
    fw: FrameworkDep,
    catalog: CatalogDep,
    user: PostingUser,
    ip: ClientIp,
    merge: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    questionnaire.submit(store, user, project_id, fw, catalog, merge=merge in ("1", "on", "true"), ip=ip)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)
