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
