"""Learn pages: the concepts of the maturity model, and quizzes graded on the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from ..deps import MAX_ID, PathId, PostingUser, StoreDep, UserDep
from ..services import learn
from ..services.errors import Invalid
from ..templating import page

router = APIRouter(include_in_schema=False)
LETTERS = "ABCDEFGHIJ"


@router.get("/learn")
def learn_home(store: StoreDep, user: UserDep) -> HTMLResponse:
    h = learn.home(store, user)
    return page("learn.html", user=user, title="Learn", h=h, nav="learn")


@router.get("/learn/quiz")
def quiz_form(store: StoreDep, user: UserDep) -> HTMLResponse:
    choices = learn.project_choices(store, user)
    return page(
        "learn_start.html", user=user, title="Quiz", choices=choices, counts=learn.COUNTS, difficulties=learn.DIFFICULTIES, nav="learn"
    )


@router.post("/learn/quiz")
def start_quiz(
    store: StoreDep,
    user: PostingUser,
    difficulty: Annotated[str, Form(max_length=10)] = "",
    count: Annotated[int, Form(ge=1, le=learn.MAX_COUNT)] = 10,
    project_id: Annotated[str, Form(max_length=12)] = "",
) -> RedirectResponse:
    project = int(project_id) if project_id.isdigit() and 1 <= int(project_id) <= MAX_ID else None
    if project_id and project is None:
        raise Invalid("choose a project from the list")
    attempt = learn.start(store, user, difficulty, count, project)
    return RedirectResponse(f"/learn/quiz/{attempt}", status_code=303)


@router.get("/learn/quiz/{attempt_id}")
def quiz_page(attempt_id: PathId, store: StoreDep, user: UserDep):  # noqa: ANN201
    q = learn.quiz(store, user, attempt_id)
    if q is None:
        return RedirectResponse(f"/learn/quiz/{attempt_id}/result", status_code=303)
    return page("learn_quiz.html", user=user, title="Quiz", q=q, letters=LETTERS, nav="learn")


@router.post("/learn/quiz/{attempt_id}")
async def submit_quiz(request: Request, attempt_id: PathId, store: StoreDep, user: PostingUser) -> RedirectResponse:
    form = await request.form()  # (already parsed by the CSRF check)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    answers = learn.parse_answers(fields, learn.MAX_COUNT)
    await run_in_threadpool(learn.submit, store, user, attempt_id, answers)
    return RedirectResponse(f"/learn/quiz/{attempt_id}/result", status_code=303)


@router.get("/learn/quiz/{attempt_id}/result")
def quiz_result(attempt_id: PathId, store: StoreDep, user: UserDep):  # noqa: ANN201
    r = learn.result(store, user, attempt_id)
    if r is None:
        return RedirectResponse(f"/learn/quiz/{attempt_id}", status_code=303)
    return page("learn_result.html", user=user, title="Quiz results", r=r, letters=LETTERS, nav="learn")


@router.get("/learn/{concept_id}")
def concept_page(concept_id: Annotated[str, Path(max_length=100)], user: UserDep) -> HTMLResponse:
    c = learn.concept(concept_id)
    return page("learn_concept.html", user=user, title=c.title, c=c, nav="learn")
