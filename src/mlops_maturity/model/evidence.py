"""What sources produce: observations of practices, with evidence, and declared answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .base import Frozen


class PracticeStatus(StrEnum):
    """Absent is not unknown: a source that looked and found nothing says absent;
    a source that could not look (or was not asked) says unknown."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Evidence(Frozen):
    """One citable location. `path` is repository-relative (or a URI for live sources),
    `line` 1-based; notebooks cite `cell` as well."""

    path: str
    line: int | None = None
    cell: int | None = None
    snippet: str = ""
    detector: str
    message: str = ""

    @property
    def location(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:line {self.line}"
        if self.line is not None:
            return f"{self.path}:{self.line}"
        return self.path


class Observation(Frozen):
    """A source's finding about one practice."""

    practice: str
    status: PracticeStatus
    source: str
    evidence: tuple[Evidence, ...] = ()
    # The tool is declared as a dependency but its use was not found: not the practice,
    # but what the roadmap and the tools_over_process pitfall need to know.
    dependency_only: tuple[Evidence, ...] = ()
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    note: str = ""


class Answer(Frozen):
    """A declared answer to one criterion's question (0-3 unless the question says otherwise)."""

    question: str
    value: int
    note: str = ""
    respondent: str = ""
    answered_at: datetime | None = None


class ExemptionKind(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    EXEMPT = "exempt"


class Exemption(Frozen):
    criterion: str
    kind: ExemptionKind
    reason: str = Field(min_length=1)
    declared_in: str = ""


class SourceRun(Frozen):
    """How a source fared: a failed source is reported, and its practices stay unknown."""

    name: str
    status: str  # "ok" | "partial" | "failed"
    message: str = ""
    skipped: tuple[SkippedFile, ...] = ()


class SkippedFile(Frozen):
    path: str
    reason: str


SourceRun.model_rebuild()
