"""Learn in a browser: the concepts, and quizzes whose items stay on the server.

A started quiz is stored whole (the JSON of `learn.Quiz`) under an attempt id that belongs to
one user, so the page sends only the prompts and options and grading uses the stored answers:
a client can neither see nor change them. An attempt is graded once; its score, answers and
the concepts to review are kept for the user's history.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from ...learn import ConceptView, Quiz, QuizItem, build_quiz, concept_view, default_content, grade, weights_from_result
from ...learn.content import Difficulty
from ...learn.render import concept_title
from ...model.result import Result
from ...store.models import QuizAttempt
from ...store.service import Store, UnitOfWork
from .accounts import Principal
from .errors import Conflict, Invalid, NotFound
from .projects import _ref

MAX_COUNT = 20
COUNTS = (3, 5, 10, 15, 20)
DIFFICULTIES = ("easy", "medium", "hard")
RECENT = 10


@dataclass(frozen=True)
class ConceptLink:
    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class ConceptGroup:
    title: str
    concepts: list[ConceptLink]


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    finished_at: datetime
    difficulty: str
    score: int
    total: int
    review: list[ConceptLink]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 0


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    label: str


@dataclass(frozen=True)
class LearnHome:
    groups: list[ConceptGroup]
    recent: list[AttemptSummary]


@dataclass(frozen=True)
class QuizView:
    id: int
    difficulty: str
    focus: str  # the project whose weakest dimensions the draw favoured, or ""
    items: list[QuizItem]


@dataclass(frozen=True)
class ItemOutcome:
    number: int
    item: QuizItem
    chosen: int | None
    correct: bool
    concept: ConceptLink


@dataclass(frozen=True)
class ResultView:
    id: int
    score: int
    total: int
    percent: int
    items: list[ItemOutcome]
    review: list[ConceptLink]


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:
        raise NotFound("quizzes belong to signed-in users")
    return principal.user_id


def _link(cid: str) -> ConceptLink:
    content = default_content()
    try:
        c = content.concepts.get(cid)
    except KeyError:
        return ConceptLink(cid, cid, "")
    view = concept_view(c, content.concepts, content.framework)
    return ConceptLink(c.id, concept_title(c, content.framework), view.summary)


def _difficulty_label(value: str | None) -> str:
    return value or "mixed"


def concept_groups() -> list[ConceptGroup]:
    content = default_content()
    groups = []
    for kind in content.concepts.kinds:
        links = [_link(c.id) for c in content.concepts.concepts if c.kind == kind.id]
        if links:
            groups.append(ConceptGroup(kind.title, links))
    return groups


def concept(cid: str) -> ConceptView:
    content = default_content()
    try:
        c = content.concepts.get(cid)
    except KeyError:
        raise NotFound("no such concept") from None
    return concept_view(c, content.concepts, content.framework)


def _summary(a: QuizAttempt) -> AttemptSummary:
    review = [_link(cid) for cid in json.loads(a.concepts_to_review or "[]")]
    return AttemptSummary(a.id, a.finished_at, _difficulty_label(a.difficulty), a.score or 0, a.total, review)


def home(store: Store, principal: Principal) -> LearnHome:
    uid = _user_id(principal)
    with store.unit(write=False) as uow:
        recent = [_summary(a) for a in uow.access.quiz_attempts(uid, limit=RECENT)]
    return LearnHome(concept_groups(), recent)


def project_choices(store: Store, principal: Principal) -> list[ProjectChoice]:
    """The projects this user may read that have an assessment to weight a quiz by."""
    with store.unit(write=False) as uow:
        rows, _ = uow.access.portfolio(principal.readable_teams())
    return [ProjectChoice(r.project_id, f"{r.team} / {r.name}") for r in rows if r.assessment_id is not None]


def _weights(uow: UnitOfWork, principal: Principal, project_id: int) -> dict[str, float]:
    _ref(uow, principal, project_id)
    latest = uow.access.assessments_of(project_id, limit=1)
    if not latest:
        raise Invalid("that project has no assessment yet to focus the quiz on")
    row = uow.assessments.assessment(latest[0].id)
    return weights_from_result(Result.model_validate_json(row.result_json))


def start(store: Store, principal: Principal, difficulty: str, count: int, project_id: int | None) -> int:
    """Build and store a new quiz for this user; its attempt id."""
    uid = _user_id(principal)
    if difficulty not in ("", *DIFFICULTIES):
        raise Invalid(f"difficulty is one of {', '.join(DIFFICULTIES)} or mixed")
    if not 1 <= count <= MAX_COUNT:
        raise Invalid(f"a quiz has 1 to {MAX_COUNT} questions")
    level = Difficulty(difficulty) if difficulty else None
    content = default_content()
    seed = secrets.randbelow(2**31)

    def work(uow: UnitOfWork) -> int:
        weights = _weights(uow, principal, project_id) if project_id is not None else None
        quiz = build_quiz(content.bank, content.framework, content.catalog, difficulty=level, count=count, seed=seed, weights=weights)
        attempt = QuizAttempt(
            user_id=uid,
            project_id=project_id,
            started_at=datetime.now(UTC),
            difficulty=difficulty or None,
            count=count,
            seed=seed,
            quiz_json=quiz.model_dump_json(),
            total=len(quiz.items),
            concepts_to_review="[]",
        )
        return uow.access.add_quiz_attempt(attempt)

    return store.run(work)


def _attempt(uow: UnitOfWork, principal: Principal, attempt_id: int, *, lock: bool = False) -> QuizAttempt:
    a = uow.access.quiz_attempt(attempt_id, _user_id(principal), lock=lock)
    if a is None:
        raise NotFound("no such quiz")
    return a


def quiz(store: Store, principal: Principal, attempt_id: int) -> QuizView | None:
    """The questions without their answers; None once the quiz was submitted."""
    with store.unit(write=False) as uow:
        a = _attempt(uow, principal, attempt_id)
        focus = ""
        if a.project_id is not None:
            p = uow.access.project(a.project_id)
            if p is not None and principal.role(p.team_id) is not None:
                focus = p.name
    if a.finished_at is not None:
        return None
    q = Quiz.model_validate_json(a.quiz_json)
    return QuizView(a.id, _difficulty_label(a.difficulty), focus, list(q.items))


def parse_answers(form: dict[str, str], total: int) -> dict[int, int]:
    """Form fields `q<number>` = option index, as {item position: option}; anything else is ignored."""
    out: dict[int, int] = {}
    for key, value in form.items():
        if not (key.startswith("q") and key[1:].isdigit()):
            continue
        pos = int(key[1:])
        if pos >= total:
            raise Invalid(f"no question {pos + 1} in this quiz")
        if not (isinstance(value, str) and value.isdigit() and len(value) < 4):
            raise Invalid(f"question {pos + 1}: choose one of the options")
        out[pos] = int(value)
    return out


def submit(store: Store, principal: Principal, attempt_id: int, answers: dict[int, int]) -> None:
    """Grade this user's quiz against the stored answers and keep the score (once)."""

    def work(uow: UnitOfWork) -> None:
        a = _attempt(uow, principal, attempt_id, lock=True)
        if a.finished_at is not None:
            raise Conflict("this quiz was already submitted")
        q = Quiz.model_validate_json(a.quiz_json)
        by_id = {}
        for pos, chosen in answers.items():
            if pos >= len(q.items):
                raise Invalid(f"no question {pos + 1} in this quiz")
            by_id[q.items[pos].id] = chosen
        try:
            score = grade(q, by_id)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        a.answers_json = json.dumps(by_id)
        a.score = score.correct
        a.total = score.total
        a.concepts_to_review = json.dumps(list(score.review))
        a.finished_at = datetime.now(UTC)

    store.run(work)


def result(store: Store, principal: Principal, attempt_id: int) -> ResultView | None:
    """The graded quiz with every explanation; None while it is not submitted."""
    with store.unit(write=False) as uow:
        a = _attempt(uow, principal, attempt_id)
    if a.finished_at is None:
        return None
    q = Quiz.model_validate_json(a.quiz_json)
    chosen = json.loads(a.answers_json or "{}")
    items = [
        ItemOutcome(n, it, chosen.get(it.id), chosen.get(it.id) == it.answer, _link(it.concept))
        for n, it in enumerate(q.items, 1)
    ]
    score = a.score or 0
    return ResultView(
        a.id, score, a.total, round(100 * score / a.total) if a.total else 0, items, [_link(c) for c in json.loads(a.concepts_to_review or "[]")]
    )
