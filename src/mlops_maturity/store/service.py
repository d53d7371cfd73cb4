"""The assessment store: what the CLI (and later the server) call. Each save or import is one
transaction, committed in one place (`_transaction`); callers get plain values back, never
ORM objects, so nothing lazy outlives its session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..model.result import Result
from . import db
from .access import AccessRepository
from .models import Assessment, AssessmentDimension
from .records import SOURCES, AssessmentRecord, assessment_uid, canonical_json
from .repository import Repository

DEFAULT_ORGANIZATION = "default"
DEFAULT_TEAM = "default"


MAX_ID = 2**31 - 1  # assessment ids are 32-bit integers in every database


@dataclass(frozen=True)
class AssessmentSummary:
    id: int
    uid: str
    organization: str
    team: str
    project: str
    assessed_at: datetime
    stored_at: datetime
    source: str
    commit: str | None
    created_by: str
    framework_id: str
    framework_version: str
    overall_level: int
    overall_mean: float
    levels: dict[str, int] = field(default_factory=dict)  # dimension id -> level, in framework order


@dataclass(frozen=True)
class StoredAssessment:
    summary: AssessmentSummary
    result: Result


@dataclass(frozen=True)
class ProjectSummary:
    organization: str
    team: str
    name: str
    assessments: int
    latest: AssessmentSummary | None


@dataclass(frozen=True)
class Saved:
    id: int
    uid: str
    project: str
    team: str
    created: bool  # False: the same assessment was already stored


@dataclass(frozen=True)
class ImportReport:
    added: int
    already_present: int


class AmbiguousProject(db.StoreError):
    pass


class UnknownProject(db.StoreError):
    pass


def _summary(a: Assessment) -> AssessmentSummary:
    team = a.project.team
    return AssessmentSummary(
        id=a.id,
        uid=a.uid,
        organization=team.organization.name,
        team=team.name,
        project=a.project.name,
        assessed_at=a.assessed_at,
        stored_at=a.stored_at,
        source=a.source,
        commit=a.commit,
        created_by=a.created_by,
        framework_id=a.framework_id,
        framework_version=a.framework_version,
        overall_level=a.overall_level,
        overall_mean=a.overall_mean,
        levels={d.dimension: d.level for d in sorted(a.dimensions, key=lambda d: d.position)},
    )


summary_of = _summary  # for the server, which reads rows inside its own unit of work


def _row(record: AssessmentRecord, project_id: int, now: datetime) -> Assessment:
    r = record.result
    return Assessment(
        uid=record.uid,
        project_id=project_id,
        framework_id=r.framework.id,
        framework_version=r.framework.version,
        overall_level=r.overall.level,
        overall_mean=r.overall.mean,
        source=record.source,
        commit=r.subject.commit,
        assessed_at=r.generated_at,
        stored_at=now,
        created_by=record.created_by,
        result_json=record.canonical,
        dimensions=[
            AssessmentDimension(
                dimension=d.id,
                position=i,
                level=d.level,
                potential_level=d.potential_level,
                progress=d.progress,
                unknown=d.unknown,
            )
            for i, d in enumerate(r.dimensions)
        ],
    )


def _record(result: Result, project: str | None, team: str | None, organization: str | None, source: str, created_by: str) -> AssessmentRecord:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    organization = organization or DEFAULT_ORGANIZATION
    team = team or DEFAULT_TEAM
    project = project or result.subject.name
    canonical = canonical_json(result)
    return AssessmentRecord(
        uid=assessment_uid(organization, team, project, canonical),
        organization=organization,
        team=team,
        project=project,
        source=source,
        created_by=created_by,
        result=result,
        canonical=canonical,
    )


@dataclass
class UnitOfWork:
    """One transaction's repositories, for the server's services (see `Store.unit`)."""

    store: Store
    assessments: Repository
    access: AccessRepository

    def save(self, result: Result, *, project: str, team: str, organization: str, source: str, created_by: str = "") -> Saved:
        """`Store.save` inside this transaction (so an upload and its audit entry commit together)."""
        record = _record(result, project, team, organization, source, created_by)
        aid, created = self.store._add(self.assessments, record, datetime.now(UTC))
        return Saved(id=aid, uid=record.uid, project=record.project, team=record.team, created=created)


class Store:
    """Open with `Store.open(url)`; close with `close()` (or use it as a context manager)."""

    def __init__(self, engine, url: str) -> None:  # noqa: ANN001
        self.engine = engine
        self.url = url
        self.location = db.display(url)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True, notify: Callable[[str], None] | None = None) -> Store:
        """Connect and bring the schema up to date. `create=False` raises NoDatabase instead of
        creating a missing SQLite file. Every failure is a StoreError with a one-line message."""
        url = db.resolve_url(url)
        engine = db.make_engine(url, create=create)
        try:
            db.migrate(engine, notify)
        except db.StoreError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise db.StoreError(f"{db.display(url)}: cannot open the database ({db.one_line(exc)})") from None
        return cls(engine, url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions: the one place that commits ------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Repository]:
        engine = db.writer(self.engine) if write else self.engine
        try:
            with Session(engine, expire_on_commit=False) as session:
                with session.begin():  # commits on success, rolls back on any exception
                    yield Repository(session)
        except db.StoreError:
            raise
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise db.StoreError(f"{self.location}: {db.one_line(exc)}") from None

    def _retrying(self, work: Callable[[Repository], object]) -> object:
        """Run a write; retry once when a concurrent writer (PostgreSQL) inserted the same
        unique row between our check and our insert: the retry finds it."""

        def attempt() -> object:
            with self._transaction(write=True) as repo:
                return work(repo)

        return self._twice_on_conflict(attempt)

    def _twice_on_conflict(self, attempt: Callable[[], object]) -> object:
        try:
            return attempt()
        except IntegrityError:
            pass
        try:
            return attempt()
        except IntegrityError as exc:
            raise db.StoreError(f"{self.location}: {db.one_line(exc)}") from None

    @contextmanager
    def unit(self, *, write: bool) -> Iterator[UnitOfWork]:
        """A transaction for the server's services: it commits when the block ends without an
        exception (here, in `_transaction`, as every save does), and rolls back otherwise."""
        with self._transaction(write=write) as repo:
            yield UnitOfWork(self, repo, AccessRepository(repo.session))

    def run(self, work: Callable[[UnitOfWork], object], *, write: bool = True) -> object:
        """`work` in one unit; a write that met a concurrent insert of the same unique row is
        retried once (the retry finds the row), as `save` does."""

        def attempt() -> object:
            with self.unit(write=write) as uow:
                return work(uow)

        return self._twice_on_conflict(attempt) if write else attempt()

    # -- writes -----------------------------------------------------------------------------

    def save(
        self,
        result: Result,
        *,
        project: str | None = None,
        team: str | None = None,
        organization: str | None = None,
        source: str = "scan",
        created_by: str = "",
    ) -> Saved:
        """Store one result (one transaction). The same result filed in the same place twice is
        stored once: the second call returns the first copy with `created=False`."""
        record = _record(result, project, team, organization, source, created_by)

        def work(repo: Repository) -> Saved:
            aid, created = self._add(repo, record, datetime.now(UTC))
            return Saved(id=aid, uid=record.uid, project=record.project, team=record.team, created=created)

        return self._retrying(work)

    def _add(self, repo: Repository, record: AssessmentRecord, now: datetime) -> tuple[int, bool]:
        existing = repo.assessment_id_by_uid(record.uid)
        if existing is not None:
            return existing, False
        org_id = repo.ensure_organization(record.organization, now)
        team_id = repo.ensure_team(org_id, record.team, now)
        project_id = repo.ensure_project(team_id, record.project, now)
        return repo.add_assessment(_row(record, project_id, now)), True

    def import_records(self, records: Sequence[AssessmentRecord]) -> ImportReport:
        """All records in one transaction: a bad file stores nothing, a repeated one nothing new."""

        def work(repo: Repository) -> ImportReport:
            now = datetime.now(UTC)
            added = 0
            for rec in records:
                added += self._add(repo, rec, now)[1]
            return ImportReport(added=added, already_present=len(records) - added)

        return self._retrying(work)

    # -- reads ------------------------------------------------------------------------------

    def _project_id(self, repo: Repository, project: str, team: str | None, organization: str | None) -> int | None:
        found = repo.find_projects(project, team, organization)
        if len(found) > 1:
            where = ", ".join(f"{p.team.organization.name}/{p.team.name}" for p in found)
            raise AmbiguousProject(f"project {project!r} exists in several teams ({where}): name one with --team")
        return found[0].id if found else None

    def projects(self) -> list[ProjectSummary]:
        with self._transaction(write=False) as repo:
            return [
                ProjectSummary(
                    organization=p.team.organization.name,
                    team=p.team.name,
                    name=p.name,
                    assessments=n,
                    latest=_summary(a) if a is not None else None,
                )
                for p, n, a in repo.latest_per_project()
            ]

    def history(self, project: str, team: str | None = None, organization: str | None = None) -> list[AssessmentSummary]:
        """A project's assessments, oldest first. UnknownProject if it has none."""
        with self._transaction(write=False) as repo:
            pid = self._project_id(repo, project, team, organization)
            if pid is None:
                known = sorted({p.name for p in repo.find_projects()})
                hint = f" (stored projects: {', '.join(known[:10])}{', …' if len(known) > 10 else ''})" if known else " (none stored yet)"
                raise UnknownProject(f"no project named {project!r} in {self.location}{hint}")
            return [_summary(a) for a in repo.project_assessments(pid)]

    def assessment_times(self, project: str, team: str | None = None, organization: str | None = None) -> list[datetime]:
        """When the project was assessed, oldest first (empty for an unknown project)."""
        with self._transaction(write=False) as repo:
            pid = self._project_id(repo, project, team or DEFAULT_TEAM, organization or DEFAULT_ORGANIZATION)
            return repo.assessment_times(pid) if pid is not None else []

    def last_assessed_at(self, project: str, team: str | None = None, organization: str | None = None) -> datetime | None:
        times = self.assessment_times(project, team, organization)
        return times[-1] if times else None

    def get(self, ref: str) -> StoredAssessment:
        """An assessment by its id (`12`) or a prefix of its uid (at least 8 hex digits). A
        string of 8+ digits that is no assessment's id is looked up as a uid prefix: uids are
        hex, and about one in forty starts with eight digits."""
        with self._transaction(write=False) as repo:
            a = repo.assessment(int(ref)) if ref.isdigit() and int(ref) <= MAX_ID else None
            if a is None and ref.isdigit() and len(ref) < 8:
                raise db.StoreError(f"no assessment #{ref} in {self.location}")
            if a is None:
                prefix = ref.lower()
                if len(prefix) < 8 or any(c not in "0123456789abcdef" for c in prefix):
                    raise db.StoreError(f"{ref!r} is neither an assessment id, a uid (8+ hex digits) nor a file")
                found = repo.assessments_by_uid_prefix(prefix)
                if not found:
                    raise db.StoreError(f"no assessment with uid {ref} in {self.location}")
                if len(found) > 1:
                    raise db.StoreError(f"uid prefix {ref} matches several assessments: give more digits")
                a = found[0]
            return StoredAssessment(summary=_summary(a), result=Result.model_validate_json(a.result_json))

    def export(self, project: str | None = None) -> Iterator[AssessmentRecord]:
        """Every assessment as a record, oldest id first, streamed (one read transaction)."""
        with self._transaction(write=False) as repo:
            for a in repo.iter_assessments(project):
                result = Result.model_validate_json(a.result_json)
                yield AssessmentRecord(
                    uid=a.uid,
                    organization=a.project.team.organization.name,
                    team=a.project.team.name,
                    project=a.project.name,
                    source=a.source,
                    created_by=a.created_by,
                    result=result,
                    canonical=a.result_json,
                )

    def check(self) -> list[str]:
        """Integrity problems (used by tests after a crash): an assessment without all of its
        dimension rows, JSON that does not parse, a uid that does not match its content."""
        problems = []
        with self._transaction(write=False) as repo:
            for a in repo.iter_assessments():
                try:
                    result = Result.model_validate_json(a.result_json)
                except ValueError as exc:
                    problems.append(f"#{a.id}: result JSON unreadable ({str(exc).splitlines()[0]})")
                    continue
                rows = [d.dimension for d in repo.dimension_rows(a.id)]
                if rows != [d.id for d in result.dimensions]:
                    problems.append(f"#{a.id}: dimension rows {rows} do not match the result")
                team = a.project.team
                if assessment_uid(team.organization.name, team.name, a.project.name, a.result_json) != a.uid:
                    problems.append(f"#{a.id}: uid does not match the stored content")
        return problems

