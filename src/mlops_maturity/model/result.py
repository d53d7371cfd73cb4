"""The assessment result: the JSON contract every report, the store and the server consume.

`Result.model_json_schema()` is published as `schema/result.schema.json` (a test keeps it fresh).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .base import Frozen
from .evidence import Evidence, PracticeStatus, SourceRun

SCHEMA_VERSION = "1"


class CriterionStatus(StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"
    EXEMPT = "exempt"

    @property
    def satisfied(self) -> bool:
        """Counts toward a level: met, or declared not to apply (with a reason)."""
        return self in (CriterionStatus.MET, CriterionStatus.NOT_APPLICABLE, CriterionStatus.EXEMPT)


class ToolInfo(Frozen):
    name: str = "mlops-maturity"
    version: str


class FrameworkRef(Frozen):
    id: str
    version: str
    name: str = ""


class Subject(Frozen):
    name: str
    paths: tuple[str, ...] = ()
    commit: str | None = None
    commits: dict[str, str] = {}
    stage: str | None = None


class PracticeResult(Frozen):
    id: str
    dimension: str
    title: str = ""
    status: PracticeStatus
    present: bool | None  # None when unknown
    sources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    dependency_only: tuple[Evidence, ...] = ()


class DeclaredAnswer(Frozen):
    value: int
    respondent: str = ""
    answered_at: datetime | None = None
    note: str = ""


class CriterionResult(Frozen):
    id: str
    level: int | None  # None in a points-scored framework (criteria earn points, not levels)
    title: str = ""
    defining: bool = False
    status: CriterionStatus
    met: bool | None  # None when unknown; True for not_applicable/exempt
    evidence_rule: str = ""
    practices: tuple[str, ...] = ()  # practice ids the rule refers to
    observed: tuple[str, ...] = ()  # of those, the ones present
    # how the status was reached: observed (a source), declared (an answer), both, exemption, none
    basis: Literal["observed", "declared", "observed+declared", "exemption", "none"] = "none"
    answer: DeclaredAnswer | None = None
    reason: str = ""  # for not_applicable / exempt
    disagreement: str = ""  # when code evidence and the answer disagree
    # Points-scored frameworks: points earned (0 when unknown) out of max_points.
    points: float | None = None
    max_points: float | None = None


class SkippedFoundation(Frozen):
    criterion: str
    level: int
    missing: tuple[str, ...]
    missing_level: int


class DimensionResult(Frozen):
    id: str
    name: str
    level: int
    level_name: str = ""
    # Level reached if every unknown criterion turned out met: how much rests on unknowns.
    potential_level: int
    next_level: int | None
    progress: float = Field(ge=0.0, le=1.0)
    unknown: int = 0
    criteria: tuple[CriterionResult, ...]
    skipped_foundations: tuple[SkippedFoundation, ...] = ()
    target_level: int | None = None
    # With a stage: whether the dimension is at or above the stage's target level.
    target_reached: bool | None = None
    # Points-scored frameworks: the section score (sum of points), its maximum, and the score if
    # every unknown criterion earned full points.
    score: float | None = None
    max_score: float | None = None
    potential_score: float | None = None


class Overall(Frozen):
    level: int
    level_name: str = ""
    method: str
    mean: float
    weakest: tuple[str, ...]
    weakest_level: int
    unknown_criteria: int
    total_criteria: int
    # What the level means, in the framework's words (the ML Test Score's interpretation bands).
    level_summary: str = ""
    # Points-scored frameworks: the final score (minimum of the section scores) and its maximum.
    score: float | None = None
    max_score: float | None = None


class PitfallResult(Frozen):
    id: str
    dimension: str | None = None
    criterion: str | None = None
    message: str


class RoadmapItem(Frozen):
    dimension: str
    from_level: int
    to_level: int
    criterion: str
    title: str = ""
    action: str
    impact: str
    effort: str
    priority: int
    reason: str = ""
    note: str = ""
    # The stage's target level for the dimension, when a stage is set (the roadmap aims at it).
    target_level: int | None = None


class Equivalent(Frozen):
    """The result read in a public model's vocabulary, through the crosswalk.

    kind "levels": `level` is the model's own level (Google 0-2, Microsoft 0-4) whose mapped
    criteria are all met. kind "catalog": no levels (AWS ML Lens, ML Test Score tests); `met` lists
    the model's ids whose mapped criteria are all met. `supported` is False where the mapping
    cannot say (another framework, a level no criterion maps to); `note` says why.
    """

    model: str
    name: str
    kind: Literal["levels", "catalog"]
    supported: bool
    level: int | None = None
    level_name: str = ""
    met: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    note: str = ""


class ExemptionResult(Frozen):
    criterion: str
    kind: str
    reason: str
    declared_in: str = ""


class Result(Frozen):
    schema_version: Literal["1"] = SCHEMA_VERSION
    tool: ToolInfo
    framework: FrameworkRef
    subject: Subject
    generated_at: datetime
    sources: tuple[SourceRun, ...] = ()
    practices: tuple[PracticeResult, ...]
    dimensions: tuple[DimensionResult, ...]
    overall: Overall
    pitfalls: tuple[PitfallResult, ...] = ()
    roadmap: tuple[RoadmapItem, ...] = ()
    exemptions: tuple[ExemptionResult, ...] = ()
    equivalents: tuple[Equivalent, ...] = ()
