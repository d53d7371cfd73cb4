"""The maturity model as typed data: levels, dimensions, criteria, questions, transitions.

The shipped framework and any team variant are YAML files validated into these types by
`mlops_maturity.framework.load`. Cross-references (practice ids in evidence expressions,
dimension ids, levels) are checked there, where the practice catalog is known.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from .base import Frozen

ID_PATTERN = r"^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9_-]*)+$"


class Effort(StrEnum):
    S = "S"
    M = "M"
    L = "L"


class Level(Frozen):
    number: int = Field(ge=1, le=9)
    name: str
    summary: str
    # Points-scored frameworks only: the level is reached when the score is strictly above this
    # number (the ML Test Score's bands: "(1, 2]" is reached above 1). Level 1 has none.
    score_above: float | None = None


class Dimension(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str


class ScalePoint(Frozen):
    value: int = Field(ge=0)
    label: str


class Question(Frozen):
    text: str
    help: str = ""
    # When absent, the framework's answer_scale applies.
    scale: tuple[ScalePoint, ...] | None = None


class PartialCredit(Frozen):
    """Points-scored frameworks: fewer points when only this evidence holds (done by hand)."""

    points: float = Field(gt=0)
    evidence: str


class Criterion(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    dimension: str
    # Gated frameworks: the level the criterion belongs to. Points-scored frameworks have none.
    level: int | None = None
    title: str
    # Marked with a star in the rubric: part of the model's own cross-dimension level definition.
    defining: bool = False
    # Boolean expression over practice ids and the criterion's own answer:
    #   data.pipeline OR Q>=2 · dev.modular_code AND dev.config OR Q>=2 · data.lineage AND Q=3
    evidence: str
    question: Question
    action: str
    effort: Effort
    impact: str
    aliases: tuple[str, ...] = ()
    retired: bool = False
    # Points-scored frameworks: full points when `evidence` holds, else the first partial credit
    # whose evidence holds, else 0.
    points: float = Field(default=1.0, gt=0)
    partial: tuple[PartialCredit, ...] = ()


class Transition(Frozen):
    from_level: int
    to_level: int
    summary: str
    first_steps: tuple[str, ...]


class Aggregation(Frozen):
    """How the overall level is computed from the criteria.

    defining_criteria: highest level L whose defining criteria at levels 2..L are all met.
    weakest_dimension: the minimum of the per-dimension levels.
    """

    method: Literal["defining_criteria", "weakest_dimension", "minimum_score"]


class Stage(Frozen):
    """A project stage and the level it aims at per dimension.

    The short form `production: {data: 3, dev: 3}` is the targets alone.
    """

    name: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    targets: dict[str, int]

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, v: object) -> object:
        if isinstance(v, dict) and "targets" not in v and all(isinstance(x, int) for x in v.values()):
            return {"targets": v}
        return v


class PitfallText(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    message: str  # str.format template; fields depend on the pitfall
    settings: dict[str, int] = {}


class Framework(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    name: str
    description: str
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    answer_scale: tuple[ScalePoint, ...]
    criteria: tuple[Criterion, ...]
    transitions: tuple[Transition, ...] = ()
    # gated_levels: a dimension is at level N when every criterion of levels 2..N is met.
    # points: each criterion earns points, a dimension's score is their sum and its level the
    # highest level whose `score_above` the score exceeds (the ML Test Score's style).
    scoring: Literal["gated_levels", "points"] = "gated_levels"
    aggregation: Aggregation
    pitfalls: tuple[PitfallText, ...] = ()
    stages: dict[str, Stage] = {}

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid or cid in c.aliases:
                return c
        raise KeyError(cid)

    def stage(self, name: str) -> tuple[str, Stage] | None:
        """(canonical id, stage) for a stage id or alias, or None."""
        for sid, st in self.stages.items():
            if name == sid or name in st.aliases:
                return sid, st
        return None

    def stage_names(self) -> list[str]:
        return list(self.stages)

    def level_for_score(self, score: float) -> int:
        """Points-scored frameworks: the highest level whose threshold the score is above."""
        level = 1
        for lv in sorted(self.levels, key=lambda x: x.number):
            if lv.score_above is not None and score > lv.score_above:
                level = lv.number
        return level

    def level_summary(self, number: int) -> str:
        for level in self.levels:
            if level.number == number:
                return level.summary
        return ""

    def active_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.retired)

    def dimension(self, did: str) -> Dimension:
        for d in self.dimensions:
            if d.id == did:
                return d
        raise KeyError(did)

    @property
    def max_level(self) -> int:
        return max(level.number for level in self.levels)

    def level_name(self, number: int) -> str:
        for level in self.levels:
            if level.number == number:
                return level.name
        return str(number)

    def pitfall_text(self, pid: str) -> PitfallText | None:
        for p in self.pitfalls:
            if p.id == pid:
                return p
        return None


class Practice(Frozen):
    id: str = Field(pattern=r"^[a-z]+\.[a-z][a-z0-9_]*$")
    dimension: str
    title: str
    counts: str
    does_not_count: str = ""
    # Which kinds of source can observe it; a scan reports unknown for practices it cannot see.
    observed_by: tuple[str, ...] = ("scan",)
    aliases: tuple[str, ...] = ()
    retired: bool = False


class PracticeCatalog(Frozen):
    version: str
    practices: tuple[Practice, ...]

    def ids(self) -> set[str]:
        return {p.id for p in self.practices}

    def get(self, pid: str) -> Practice:
        for p in self.practices:
            if p.id == pid or pid in p.aliases:
                return p
        raise KeyError(pid)
