"""The stored data: organization → teams → projects → assessments (→ one row per dimension).

The result JSON is the record; the level columns beside it are copies kept for querying
(portfolio views, trends) without parsing JSON. Constraint names follow one convention so
migrations can name what they drop on every database.

The schema changes only through a migration in `migrations/versions/`; these classes
describe the newest revision.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    teams: Mapped[list[Team]] = relationship(back_populates="organization")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(back_populates="teams")
    projects: Mapped[list[Project]] = relationship(back_populates="team")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship(back_populates="projects")
    assessments: Mapped[list[Assessment]] = relationship(back_populates="project")


class Assessment(Base):
    """One stored result. `uid` is a content hash of the result and where it is filed, so the
    same assessment saved or imported twice is stored once."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("source IN ('scan', 'answers', 'upload')", name="source"),
        CheckConstraint("overall_level >= 0", name="overall_level"),
        Index(None, "project_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(100))
    framework_version: Mapped[str] = mapped_column(String(50))
    overall_level: Mapped[int] = mapped_column(Integer)
    overall_mean: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    commit: Mapped[str | None] = mapped_column(String(64))
    # When the assessment was made (the result's generated_at), and when it reached this database.
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200), default="")
    result_json: Mapped[str] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="assessments")
    dimensions: Mapped[list[AssessmentDimension]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentDimension.position"
    )


class AssessmentDimension(Base):
    __tablename__ = "assessment_dimensions"
    __table_args__ = (Index(None, "dimension", "level"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    potential_level: Mapped[int] = mapped_column(Integer)
    progress: Mapped[float] = mapped_column(Float)
    unknown: Mapped[int] = mapped_column(Integer)

    assessment: Mapped[Assessment] = relationship(back_populates="dimensions")


# -- the server's accounts: users, their roles per team, API tokens, sessions, audit --------------
#
# Secrets are never stored: passwords as argon2 hashes, API tokens and session cookies as the
# SHA-256 of a high-entropy random value (the value itself is shown once, or lives in the cookie).

ROLES = ("admin", "editor", "viewer")  # per team, strongest first


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    # An administrator of the whole server: teams, users, every team's tokens.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Membership(Base):
    """A user's role in one team."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="role"),
        Index(None, "team_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship()


class ApiToken(Base):
    """A CI token: uploads to, and reads, one team. `prefix` (the token's first characters) names
    it in lists and the audit log; only the hash of the whole token is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # None: never

    team: Mapped[Team] = relationship()


class UploadKey(Base):
    """An upload's `Idempotency-Key`, per team: a retry with the same key and body returns the
    assessment the first attempt stored; the same key with another body is refused."""

    __tablename__ = "upload_keys"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser. The cookie holds a random value; the row its hash and the CSRF token,
    so any worker can check a request and signing out ends the session everywhere."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index(None, "user_id"), Index(None, "expires_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """Every sign-in attempt, for the rate limit (failures per e-mail and address) shared by all workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "email", "ip", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """Who did what, when, from where: sign-ins, uploads, assessments, administration."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(320))  # an e-mail, or "token mm_abcd…"
    action: Mapped[str] = mapped_column(String(50))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True)
    target: Mapped[str] = mapped_column(String(400), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class DraftAnswer(Base):
    """A questionnaire answer saved as it is given, before the questionnaire becomes an assessment."""

    __tablename__ = "draft_answers"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    criterion: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuizAttempt(Base):
    """A learner's quiz: the quiz itself (JSON of learn.Quiz, kept here so a client never holds
    the answers), and once submitted the answers, the score and the concepts to review."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index(None, "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(String(10), nullable=True)  # None: mixed
    count: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    quiz_json: Mapped[str] = mapped_column(Text)
    answers_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # {item id: chosen index}
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None until submitted
    total: Mapped[int] = mapped_column(Integer)
    concepts_to_review: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of concept ids
