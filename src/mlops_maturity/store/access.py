"""Queries for the server: accounts, roles, API tokens, sessions, sign-in attempts, the audit log,
questionnaire drafts, quiz attempts, and the portfolio read per team. Like `repository`, it never commits (the
Store's unit of work does)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from .models import (
    ApiToken,
    Assessment,
    AssessmentDimension,
    AuditEvent,
    DraftAnswer,
    LoginAttempt,
    Membership,
    Organization,
    Project,
    QuizAttempt,
    Team,
    UploadKey,
    User,
    WebSession,
)
from .repository import newest_assessment_id


class AccessRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- users and roles --------------------------------------------------------------------

    def count_users(self) -> int:
        return self.session.scalar(select(func.count()).select_from(User)) or 0

    def user_by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email).options(selectinload(User.memberships)))

    def user(self, user_id: int) -> User | None:
        return self.session.scalar(select(User).where(User.id == user_id).options(selectinload(User.memberships)))

    def users(self) -> list[User]:
        q = select(User).options(selectinload(User.memberships).joinedload(Membership.team)).order_by(User.email)
        return list(self.session.scalars(q))

    def add_user(self, user: User) -> int:
        self.session.add(user)
        self.session.flush()
        return user.id

    def set_role(self, user_id: int, team_id: int, role: str | None) -> None:
        """Give a user a role in a team (None: remove them from it)."""
        self.session.execute(delete(Membership).where(Membership.user_id == user_id, Membership.team_id == team_id))
        if role is not None:
            self.session.add(Membership(user_id=user_id, team_id=team_id, role=role))
        self.session.flush()

    def set_password(self, user_id: int, password_hash: str) -> None:
        self.session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))

    def set_active(self, user_id: int, active: bool) -> None:
        self.session.execute(update(User).where(User.id == user_id).values(active=active))

    # -- teams and projects -----------------------------------------------------------------

    def teams(self, team_ids: Collection[int] | None = None) -> list[Team]:
        q = select(Team).join(Team.organization).options(joinedload(Team.organization)).order_by(Organization.name, Team.name)
        if team_ids is not None:
            q = q.where(Team.id.in_(list(team_ids)))
        return list(self.session.scalars(q))

    def team(self, team_id: int) -> Team | None:
        return self.session.scalar(select(Team).where(Team.id == team_id).options(joinedload(Team.organization)))

    def project(self, project_id: int) -> Project | None:
        q = select(Project).where(Project.id == project_id).options(joinedload(Project.team).joinedload(Team.organization))
        return self.session.scalar(q)

    def project_by_name(self, team_id: int, name: str) -> Project | None:
        return self.session.scalar(select(Project).where(Project.team_id == team_id, Project.name == name))

    def portfolio(self, team_ids: Collection[int] | None) -> tuple[list, dict[int, dict[str, int]]]:
        """The projects of these teams (None: every team) with their newest assessment's summary
        and number of assessments, as plain rows (one query), and that assessment's level per
        dimension (one more). Ordered by organization, team and project name."""
        newest = newest_assessment_id()
        count = select(func.count()).where(Assessment.project_id == Project.id).correlate(Project).scalar_subquery()
        q = (
            select(
                Project.id.label("project_id"),
                Project.name.label("name"),
                Team.id.label("team_id"),
                Team.name.label("team"),
                Organization.name.label("organization"),
                Assessment.id.label("assessment_id"),
                Assessment.overall_level,
                Assessment.assessed_at,
                Assessment.source,
                count.label("n"),
            )
            .join(Team, Team.id == Project.team_id)
            .join(Organization, Organization.id == Team.organization_id)
            .outerjoin(Assessment, Assessment.id == newest)
            .order_by(Organization.name, Team.name, Project.name)
        )
        if team_ids is not None:
            q = q.where(Project.team_id.in_(list(team_ids)))
        rows = self.session.execute(q).all()
        ids = [r.assessment_id for r in rows if r.assessment_id is not None]
        levels: dict[int, dict[str, int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            dq = (
                select(AssessmentDimension.assessment_id, AssessmentDimension.dimension, AssessmentDimension.level)
                .where(AssessmentDimension.assessment_id.in_(chunk))
                .order_by(AssessmentDimension.assessment_id, AssessmentDimension.position)
            )
            for aid, dim, level in self.session.execute(dq):
                levels.setdefault(aid, {})[dim] = level
        return rows, levels

    def assessments_of(self, project_id: int, limit: int | None = None) -> list[Assessment]:
        """A project's assessments, newest first, levels loaded, result JSON not."""
        q = (
            select(Assessment)
            .where(Assessment.project_id == project_id)
            .options(defer(Assessment.result_json), selectinload(Assessment.dimensions))
            .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
        )
        if limit is not None:
            q = q.limit(limit)
        return list(self.session.scalars(q))

    def assessment_in_project(self, project_id: int, assessment_id: int) -> Assessment | None:
        q = select(Assessment).where(Assessment.id == assessment_id, Assessment.project_id == project_id)
        return self.session.scalar(q.options(selectinload(Assessment.dimensions)))

    def assessment_with_team(self, assessment_id: int) -> Assessment | None:
        q = (
            select(Assessment)
            .where(Assessment.id == assessment_id)
            .options(
                selectinload(Assessment.dimensions),
                joinedload(Assessment.project).joinedload(Project.team).joinedload(Team.organization),
            )
        )
        return self.session.scalar(q)

    # -- API tokens -------------------------------------------------------------------------

    def add_token(self, token: ApiToken) -> int:
        self.session.add(token)
        self.session.flush()
        return token.id

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        q = select(ApiToken).where(ApiToken.token_hash == token_hash).options(joinedload(ApiToken.team).joinedload(Team.organization))
        return self.session.scalar(q)

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.scalar(select(ApiToken).where(ApiToken.id == token_id).options(joinedload(ApiToken.team)))

    def tokens(self, team_ids: Collection[int] | None) -> list[ApiToken]:
        q = select(ApiToken).options(joinedload(ApiToken.team)).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        if team_ids is not None:
            q = q.where(ApiToken.team_id.in_(list(team_ids)))
        return list(self.session.scalars(q))

    def revoke_token(self, token_id: int, now: datetime) -> None:
        self.session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))

    def upload_key(self, team_id: int, key: str) -> UploadKey | None:
        return self.session.get(UploadKey, (team_id, key))

    def add_upload_key(self, row: UploadKey) -> None:
        self.session.add(row)
        self.session.flush()

    def token_used(self, token_id: int, now: datetime) -> None:
        self.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))

    # -- web sessions -----------------------------------------------------------------------

    def add_session(self, row: WebSession) -> None:
        self.session.add(row)
        self.session.flush()

    def session_by_hash(self, token_hash: str, now: datetime) -> tuple[WebSession, User] | None:
        q = (
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == token_hash, WebSession.expires_at > now, User.active.is_(True))
            .options(selectinload(User.memberships))
        )
        row = self.session.execute(q).first()
        return (row[0], row[1]) if row else None

    def delete_session(self, token_hash: str) -> None:
        self.session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))

    def delete_sessions_of(self, user_id: int) -> None:
        self.session.execute(delete(WebSession).where(WebSession.user_id == user_id))

    def delete_expired_sessions(self, now: datetime) -> None:
        self.session.execute(delete(WebSession).where(WebSession.expires_at <= now))

    # -- sign-in attempts -------------------------------------------------------------------

    def add_login_attempt(self, email: str, ip: str, at: datetime, succeeded: bool) -> None:
        self.session.add(LoginAttempt(email=email, ip=ip, at=at, succeeded=succeeded))
        self.session.flush()

    def failed_logins_since(self, email: str, ip: str, since: datetime) -> int:
        q = select(func.count()).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False)
        )
        return self.session.scalar(q) or 0

    def forget_login_attempts(self, before: datetime) -> None:
        self.session.execute(delete(LoginAttempt).where(LoginAttempt.at <= before))

    # -- audit log --------------------------------------------------------------------------

    def audit(self, event: AuditEvent) -> None:
        self.session.add(event)
        self.session.flush()

    def audit_events(self, team_ids: Collection[int] | None, limit: int = 200) -> list[AuditEvent]:
        q = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        if team_ids is not None:
            q = q.where(AuditEvent.team_id.in_(list(team_ids)))
        return list(self.session.scalars(q))

    # -- questionnaire drafts ---------------------------------------------------------------

    def drafts(self, project_id: int, user_id: int) -> list[DraftAnswer]:
        q = select(DraftAnswer).where(DraftAnswer.project_id == project_id, DraftAnswer.user_id == user_id)
        return list(self.session.scalars(q))

    def save_draft(self, project_id: int, user_id: int, criterion: str, value: int | None, note: str | None, now: datetime) -> None:
        """Insert or update one answer (an upsert, so two quick posts for one question never collide)."""
        values = {"project_id": project_id, "user_id": user_id, "criterion": criterion, "value": value, "note": note or "", "updated_at": now}
        changes = {"value": value, "updated_at": now}
        if note is not None:
            changes["note"] = note
        name = self.session.get_bind().dialect.name
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(DraftAnswer).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=["project_id", "user_id", "criterion"], set_=changes)
        self.session.execute(stmt)

    # -- quiz attempts ----------------------------------------------------------------------

    def add_quiz_attempt(self, attempt: QuizAttempt) -> int:
        self.session.add(attempt)
        self.session.flush()
        return attempt.id

    def quiz_attempt(self, attempt_id: int, user_id: int, *, lock: bool = False) -> QuizAttempt | None:
        """One of this user's attempts (another user's is not found); `lock` for the submit
        (FOR UPDATE on PostgreSQL, so two submits of one quiz are graded once)."""
        q = select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.user_id == user_id)
        if lock:
            q = q.with_for_update()
        return self.session.scalar(q)

    def quiz_attempts(self, user_id: int, limit: int = 20) -> list[QuizAttempt]:
        """A user's submitted attempts, newest first (the quiz JSON not loaded)."""
        q = (
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None))
            .options(defer(QuizAttempt.quiz_json), defer(QuizAttempt.answers_json))
            .order_by(QuizAttempt.finished_at.desc(), QuizAttempt.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(q))
