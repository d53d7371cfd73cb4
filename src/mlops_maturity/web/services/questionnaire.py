"""The framework's questionnaire in a browser: answers are saved one by one as they are given
(a draft per user and project), then turned into an assessment, optionally merged with what the
project's newest scan observed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...model.evidence import Answer, Exemption, ExemptionKind, Observation, PracticeStatus, SourceRun
from ...model.framework import Framework, PracticeCatalog
from ...model.result import Result
from ...sources.assess import Request, run
from ...sources.base import SourceResult
from ...store.service import Saved, Store, UnitOfWork
from .accounts import Principal, audit
from .errors import Invalid
from .projects import ProjectRef, _ref

MAX_NOTE = 2000
OBSERVED_SOURCES = ("scan", "upload")


@dataclass(frozen=True)
class Question:
    id: str
    level: int
    title: str
    text: str
    help: str
    scale: list[tuple[int, str]]
    value: int | None
    note: str


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    description: str
    questions: list[Question]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.value is not None)


@dataclass(frozen=True)
class QuestionnaireView:
    project: ProjectRef
    framework: str
    sections: list[Section]
    observed_at: datetime | None  # the newest scan or upload, which the assessment can merge

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(len(s.questions) for s in self.sections)


def _scale(fw: Framework, cid: str) -> list[tuple[int, str]]:
    c = fw.criterion(cid)
    return [(p.value, p.label) for p in (c.question.scale or fw.answer_scale)]


def _question(fw: Framework, cid: str, value: int | None, note: str) -> Question:
    c = fw.criterion(cid)
    return Question(c.id, c.level, c.title, c.question.text, " ".join(c.question.help.split()), _scale(fw, cid), value, note)


def _latest_observed(uow: UnitOfWork, project_id: int):  # noqa: ANN202
    for a in uow.access.assessments_of(project_id):
        if a.source in OBSERVED_SOURCES:
            return a
    return None


def questionnaire(store: Store, principal: Principal, project_id: int, fw: Framework) -> QuestionnaireView:
    with store.unit(write=False) as uow:
        ref = _ref(uow, principal, project_id, "editor")
        drafts = {d.criterion: d for d in uow.access.drafts(project_id, principal.user_id)}
        observed = _latest_observed(uow, project_id)
    sections = []
    for d in fw.dimensions:
        qs = []
        for c in sorted((c for c in fw.active_criteria() if c.dimension == d.id), key=lambda c: c.level):
            draft = drafts.get(c.id)
            qs.append(_question(fw, c.id, draft.value if draft else None, draft.note if draft else ""))
        sections.append(Section(d.id, d.name, d.description, qs))
    return QuestionnaireView(ref, fw.name, sections, observed.assessed_at if observed else None)


@dataclass(frozen=True)
class SavedAnswer:
    question: Question
    dimension: str
    answered: int  # answered questions of the dimension, this one included
    total: int


def save_answer(store: Store, principal: Principal, project_id: int, fw: Framework, criterion: str, value: int | None, note: str | None) -> SavedAnswer:
    """Save one answer (None clears it); the question back, for the page to show it saved, and
    how many of its dimension's questions are answered."""
    try:
        c = fw.criterion(criterion)
    except KeyError:
        raise Invalid(f"unknown question {criterion[:100]!r}") from None
    if c.retired:
        raise Invalid(f"question {c.id} is retired")
    allowed = [v for v, _ in _scale(fw, c.id)]
    if value is not None and value not in allowed:
        raise Invalid(f"{c.id}: {value} is outside the scale {min(allowed)}..{max(allowed)}")
    if note is not None:
        note = note.replace("\x00", "").strip()
        if len(note) > MAX_NOTE:
            raise Invalid(f"a note has at most {MAX_NOTE} characters")
    with store.unit(write=True) as uow:
        _ref(uow, principal, project_id, "editor")
        uow.access.save_draft(project_id, principal.user_id, c.id, value, note, datetime.now(UTC))
        drafts = {d.criterion: d for d in uow.access.drafts(project_id, principal.user_id)}
    saved = drafts[c.id]
    same_dimension = [x.id for x in fw.active_criteria() if x.dimension == c.dimension]
    answered = sum(1 for cid in same_dimension if cid in drafts and drafts[cid].value is not None)
    return SavedAnswer(_question(fw, c.id, saved.value, saved.note), c.dimension, answered, len(same_dimension))


class _Fixed:
    """Evidence already gathered, as a source the assessment runner can take."""

    def __init__(self, name: str, result: SourceResult) -> None:
        self.name = name
        self._result = result

    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        return self._result


def _observations(stored: Result, source: str) -> SourceResult:
    """A stored scan's verdicts per practice, and its exemptions, as evidence for a new assessment."""
    obs = [
        Observation(
            practice=p.id,
            status=p.status,
            source=(p.sources[0] if p.sources else source),
            evidence=p.evidence,
            dependency_only=p.dependency_only,
        )
        for p in stored.practices
        if p.status is not PracticeStatus.UNKNOWN
    ]
    exemptions = [
        Exemption(criterion=e.criterion, kind=ExemptionKind(e.kind), reason=e.reason, declared_in=e.declared_in)
        for e in stored.exemptions
        if e.kind in ExemptionKind.__members__.values() and e.reason
    ]
    when = stored.generated_at.date().isoformat()
    return SourceResult(
        run=SourceRun(name=source, status="ok", message=f"{len(obs)} practices observed by the {source} of {when}"),
        observations=tuple(obs),
        exemptions=tuple(exemptions),
        subject={"commits": dict(stored.subject.commits)},
    )


def submit(store: Store, principal: Principal, project_id: int, fw: Framework, catalog: PracticeCatalog, *, merge: bool, ip: str) -> Saved:
    """Score the saved answers (with the newest scan's observations when `merge`) and store the
    assessment under the project."""
    now = datetime.now(UTC)
    with store.unit(write=False) as uow:
        ref = _ref(uow, principal, project_id, "editor")
        drafts = [d for d in uow.access.drafts(project_id, principal.user_id) if d.value is not None]
        history = uow.access.assessments_of(project_id)
        last = history[0].assessed_at if history else None
        observed = None
        if merge:
            row = _latest_observed(uow, project_id)
            if row is not None:
                observed = Result.model_validate_json(uow.assessments.assessment(row.id).result_json), row.source
    if not drafts:
        raise Invalid("answer at least one question first")
    answers = []
    for d in drafts:
        try:
            c = fw.criterion(d.criterion)
        except KeyError:
            continue  # a question the framework no longer has
        answers.append(Answer(question=c.id, value=d.value, note=d.note, respondent=principal.actor, answered_at=d.updated_at))
    sources = [_Fixed("questionnaire", SourceResult(run=SourceRun(name="questionnaire", status="ok", message=f"{len(answers)} answers from {principal.actor}"), answers=tuple(answers)))]
    if observed is not None:
        sources.insert(0, _Fixed(observed[1], _observations(*observed)))
    result = run(Request(name=ref.name, extra_sources=sources, last_assessed_at=last, now=now), fw, catalog)

    def work(uow: UnitOfWork) -> Saved:
        _ref(uow, principal, project_id, "editor")
        saved = uow.save(result, project=ref.name, team=ref.team, organization=ref.organization, source="answers", created_by=principal.actor)
        audit(
            uow,
            principal.actor,
            "assessment.questionnaire",
            team_id=ref.team_id,
            target=f"{ref.team}/{ref.name} #{saved.id}",
            ip=ip,
            detail=f"{len(answers)} answers" + (f", merged with the {observed[1]} of {observed[0].generated_at.date()}" if observed else ""),
        )
        return saved

    return store.run(work)
