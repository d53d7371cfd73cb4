"""Queries. The only module that speaks SQLAlchemy's query language; it never commits
(the Store owns transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from .models import Assessment, AssessmentDimension, Organization, Project, Team


def _insert_ignoring_duplicates(session: Session, model, values: dict) -> None:  # noqa: ANN001
    """INSERT … ON CONFLICT DO NOTHING where the database has it: two processes creating the
    same team or project at once both go on, and neither fails on the unique constraint."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        session.add(model(**values))
        session.flush()
        return
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def newest_assessment_id():  # noqa: ANN201
    """A scalar subquery correlated to Project: the id of its newest assessment (by time, then
    id). It walks the (project_id, assessed_at) index once per project, which on both databases
    is much cheaper than a window over every assessment."""
    return (
        select(Assessment.id)
        .where(Assessment.project_id == Project.id)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- placement: organization → team → project, created on first use ------------------

    def ensure_organization(self, name: str, now: datetime) -> int:
        found = self.session.scalar(select(Organization.id).where(Organization.name == name))
        if found is None:
            _insert_ignoring_duplicates(self.session, Organization, {"name": name, "created_at": now})
            found = self.session.scalar(select(Organization.id).where(Organization.name == name))
        return found

    def ensure_team(self, organization_id: int, name: str, now: datetime) -> int:
        where = (Team.organization_id == organization_id, Team.name == name)
        found = self.session.scalar(select(Team.id).where(*where))
        if found is None:
            _insert_ignoring_duplicates(self.session, Team, {"organization_id": organization_id, "name": name, "created_at": now})
            found = self.session.scalar(select(Team.id).where(*where))
        return found

    def ensure_project(self, team_id: int, name: str, now: datetime) -> int:
        where = (Project.team_id == team_id, Project.name == name)
        found = self.session.scalar(select(Project.id).where(*where))
        if found is None:
            _insert_ignoring_duplicates(self.session, Project, {"team_id": team_id, "name": name, "created_at": now})
            found = self.session.scalar(select(Project.id).where(*where))
        return found

    def find_projects(self, name: str | None = None, team: str | None = None, organization: str | None = None) -> list[Project]:
        q = (
            select(Project)
            .join(Project.team)
            .join(Team.organization)
            .options(joinedload(Project.team).joinedload(Team.organization))
            .order_by(Organization.name, Team.name, Project.name)
        )
        if name is not None:
            q = q.where(Project.name == name)
        if team is not None:
            q = q.where(Team.name == team)
        if organization is not None:
            q = q.where(Organization.name == organization)
        return list(self.session.scalars(q))

    # -- assessments ----------------------------------------------------------------------

    def assessment_id_by_uid(self, uid: str) -> int | None:
        return self.session.scalar(select(Assessment.id).where(Assessment.uid == uid))

    def add_assessment(self, assessment: Assessment) -> int:
        self.session.add(assessment)
        self.session.flush()
        return assessment.id

    def _full(self):  # noqa: ANN202
        return select(Assessment).options(
            selectinload(Assessment.dimensions),
            joinedload(Assessment.project).joinedload(Project.team).joinedload(Team.organization),
        )

    def assessment(self, assessment_id: int) -> Assessment | None:
        return self.session.scalar(self._full().where(Assessment.id == assessment_id))

    def assessments_by_uid_prefix(self, prefix: str) -> list[Assessment]:
        return list(self.session.scalars(self._full().where(Assessment.uid.startswith(prefix, autoescape=True)).limit(2)))

    def project_assessments(self, project_id: int, *, with_result: bool = False) -> list[Assessment]:
        q = self._full().where(Assessment.project_id == project_id).order_by(Assessment.assessed_at, Assessment.id)
        if not with_result:
            q = q.options(defer(Assessment.result_json))
        return list(self.session.scalars(q))

    def assessment_times(self, project_id: int) -> list[datetime]:
        q = select(Assessment.assessed_at).where(Assessment.project_id == project_id).order_by(Assessment.assessed_at)
        return list(self.session.scalars(q))

    def latest_per_project(self) -> list[tuple[Project, int, Assessment | None]]:
        """Every project with its number of assessments and its newest one."""
        counts = dict(self.session.execute(select(Assessment.project_id, func.count()).group_by(Assessment.project_id)).all())
        newest = newest_assessment_id()
        rows = self.session.execute(
            select(Project, newest.label("newest_id"))
            .join(Project.team)
            .join(Team.organization)
            .options(joinedload(Project.team).joinedload(Team.organization))
            .order_by(Organization.name, Team.name, Project.name)
        ).all()
        ids = [nid for _, nid in rows if nid is not None]
        latest = {}
        if ids:
            q = self._full().options(defer(Assessment.result_json)).where(Assessment.id.in_(ids))
            latest = {a.id: a for a in self.session.scalars(q)}
        return [(p, counts.get(p.id, 0), latest.get(nid)) for p, nid in rows]

    def iter_assessments(self, project: str | None = None, batch: int = 200) -> Iterator[Assessment]:
        """Every assessment (or one project's), oldest id first, read in batches."""
        last = 0
        while True:
            q = self._full().where(Assessment.id > last).order_by(Assessment.id).limit(batch)
            if project is not None:
                q = q.join(Assessment.project).where(Project.name == project)
            page = list(self.session.scalars(q))
            if not page:
                return
            yield from page
            last = page[-1].id
            self.session.expunge_all()

    def dimension_rows(self, assessment_id: int) -> list[AssessmentDimension]:
        q = select(AssessmentDimension).where(AssessmentDimension.assessment_id == assessment_id).order_by(AssessmentDimension.position)
        return list(self.session.scalars(q))
