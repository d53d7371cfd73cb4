"""One project: its assessments over time, the newest result and the one before it, diffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...model.result import Result
from ...store.compare import ResultDiff, compare
from ...store.service import AssessmentSummary, Store, UnitOfWork, summary_of
from .accounts import Principal, audit, require
from .errors import Conflict, NotFound
from .uploads import check_project_name


@dataclass(frozen=True)
class ProjectRef:
    id: int
    name: str
    team_id: int
    team: str
    organization: str
    role: str


@dataclass(frozen=True)
class ProjectView:
    project: ProjectRef
    assessments: list[AssessmentSummary]  # newest first
    latest: Result | None
    previous: Result | None


def _ref(uow: UnitOfWork, principal: Principal, project_id: int, need: str = "viewer") -> ProjectRef:
    p = uow.access.project(project_id)
    if p is None or principal.role(p.team_id) is None:
        raise NotFound("no such project")
    require(principal, p.team_id, need)
    return ProjectRef(p.id, p.name, p.team_id, p.team.name, p.team.organization.name, principal.role(p.team_id) or "")


def project_ref(store: Store, principal: Principal, project_id: int, need: str = "viewer") -> ProjectRef:
    with store.unit(write=False) as uow:
        return _ref(uow, principal, project_id, need)


def project_view(store: Store, principal: Principal, project_id: int) -> ProjectView:
    with store.unit(write=False) as uow:
        ref = _ref(uow, principal, project_id)
        # (the project row is in the session's identity map: each summary's place costs no query)
        rows = uow.access.assessments_of(project_id)
        summaries = [summary_of(a) for a in rows]
        results = []
        for s in summaries[:2]:
            full = uow.assessments.assessment(s.id)
            results.append(Result.model_validate_json(full.result_json))
    return ProjectView(ref, summaries, results[0] if results else None, results[1] if len(results) > 1 else None)


def assessment(store: Store, principal: Principal, assessment_id: int, project_id: int | None = None, *, with_previous: bool = True) -> tuple[AssessmentSummary, Result, Result | None]:
    """One assessment, and (`with_previous`) the one before it in its project, for a report with changes."""
    with store.unit(write=False) as uow:
        a = uow.access.assessment_with_team(assessment_id)
        if a is None or principal.role(a.project.team_id) is None or (project_id is not None and a.project_id != project_id):
            raise NotFound("no such assessment")
        summary = summary_of(a)
        older = [x for x in uow.access.assessments_of(a.project_id) if (x.assessed_at, x.id) < (a.assessed_at, a.id)] if with_previous else []
        previous = None
        if older:
            previous = Result.model_validate_json(uow.assessments.assessment(older[0].id).result_json)
        return summary, Result.model_validate_json(a.result_json), previous


def assessment_list(store: Store, principal: Principal, project_id: int) -> tuple[ProjectRef, list[AssessmentSummary]]:
    with store.unit(write=False) as uow:
        ref = _ref(uow, principal, project_id)
        rows = uow.access.assessments_of(project_id)
        return ref, [summary_of(a) for a in rows]


@dataclass(frozen=True)
class DiffView:
    old: AssessmentSummary
    new: AssessmentSummary
    diff: ResultDiff


def diff(store: Store, principal: Principal, project_id: int, a: int, b: int) -> DiffView:
    """What changed from the older of two assessments of one project to the newer."""
    with store.unit(write=False) as uow:
        _ref(uow, principal, project_id)
        rows = [uow.access.assessment_in_project(project_id, x) for x in (a, b)]
        if any(r is None for r in rows):
            raise NotFound("no such assessment in this project")
        old, new = sorted(rows, key=lambda r: (r.assessed_at, r.id))
        return DiffView(
            summary_of(old),
            summary_of(new),
            compare(Result.model_validate_json(old.result_json), Result.model_validate_json(new.result_json)),
        )


def create_project(store: Store, principal: Principal, team_id: int, name: str, ip: str) -> int:
    require(principal, team_id, "editor")
    name = check_project_name(name)

    def work(uow: UnitOfWork) -> int:
        team = uow.access.team(team_id)
        if team is None:
            raise NotFound("no such team")
        if uow.access.project_by_name(team_id, name) is not None:
            raise Conflict(f"team {team.name} has a project {name} already")
        pid = uow.assessments.ensure_project(team_id, name, datetime.now(UTC))
        audit(uow, principal.actor, "project.create", team_id=team_id, target=f"{team.name}/{name}", ip=ip)
        return pid

    return store.run(work)
