"""The organization's portfolio: every visible project's newest levels, and their distribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...model.framework import Framework
from ...store.service import Store
from .accounts import Principal, TeamRow

SORTS = ("team", "level", "stale")


@dataclass(frozen=True)
class PortfolioRow:
    project_id: int
    name: str
    team_id: int
    team: str
    organization: str
    assessments: int
    assessment_id: int | None
    overall: int | None
    levels: dict[str, int]
    assessed_at: datetime | None
    age_days: int | None
    source: str | None


@dataclass(frozen=True)
class Portfolio:
    dimensions: list[tuple[str, str]]  # (id, name), the framework's order
    rows: list[PortfolioRow]
    teams: list[TeamRow]
    team_id: int | None
    sort: str
    distribution: dict[str, dict[int, int]]  # dimension -> level -> projects at it (newest assessments)
    levels: list[int]
    stale_after_days: int


def stale_after(fw: Framework) -> int:
    text = fw.pitfall_text("stale_assessment")
    return text.settings.get("max_age_days", 90) if text is not None else 90


def portfolio(store: Store, principal: Principal, fw: Framework, team_id: int | None = None, sort: str = "team") -> Portfolio:
    visible = principal.readable_teams()
    if team_id is not None and visible is not None and team_id not in visible:
        team_id = None  # a team the principal cannot see filters nothing in
    now = datetime.now(UTC)
    with store.unit(write=False) as uow:
        teams = [TeamRow(t.id, t.organization.name, t.name) for t in uow.access.teams(visible)]
        scope = {team_id} if team_id is not None else visible
        found, levels = uow.access.portfolio(scope)
    rows = [
        PortfolioRow(
            project_id=r.project_id,
            name=r.name,
            team_id=r.team_id,
            team=r.team,
            organization=r.organization,
            assessments=r.n or 0,
            assessment_id=r.assessment_id,
            overall=r.overall_level,
            levels=levels.get(r.assessment_id, {}),
            assessed_at=r.assessed_at,
            age_days=(now - r.assessed_at).days if r.assessed_at else None,
            source=r.source,
        )
        for r in found
    ]
    if sort == "level":
        rows.sort(key=lambda r: (r.overall is None, -(r.overall or 0), r.name))
    elif sort == "stale":
        rows.sort(key=lambda r: (r.assessed_at is not None, r.assessed_at or now, r.name))
    else:
        sort = "team"
    dims = [(d.id, d.name) for d in fw.dimensions]
    levels = list(range(1, fw.max_level + 1))
    distribution = {did: dict.fromkeys(levels, 0) for did, _ in dims}
    for r in rows:
        for did, level in r.levels.items():
            if did in distribution and level in distribution[did]:
                distribution[did][level] += 1
    return Portfolio(dims, rows, teams, team_id, sort, distribution, levels, stale_after(fw))
